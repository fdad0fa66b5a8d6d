/** Test files use a scratch nats-server each (see cli/infra.ts). */
export { freePort, startScratchNats as startNatsServer } from '../../cli/infra';
export type { ScratchNatsServer as TestNatsServer } from '../../cli/infra';
