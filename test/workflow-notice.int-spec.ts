/**
 * Policy's notice of a new workflow version reaches intake typed as both sides declare it: a
 * definition published by the policy service makes intake open on the new version at once, even
 * when the policy instance it asks still answers the old one.
 */
import { connect, Msg, NatsConnection } from 'nats';
import {
  AppendResult,
  ExceptionCode,
  GetWorkflowRequest,
  Notices,
  Reply,
  RpcContract,
  Subjects,
  WorkflowPublishedNotice,
  WorkflowVersion,
} from '@workgate/contracts';
import { loadConfig } from '@workgate/config';
import { decodeJson, encodeJson, NoticeBus, RpcClient } from '@workgate/messaging';
import { PolicyService } from '../apps/policy/policy.service';
import { WorkflowVersions } from '../apps/intake/workflow-versions';
import { startNatsServer, TestNatsServer } from './support/nats-server';

const definition = (version: number) => ({
  jobType: 'notice-check',
  version,
  title: 'Notice check',
  owner: 'notice-owner',
  systems: [],
  rules: [],
  steps: [{ id: 'only', title: 'The only step', evidence: ['receipt'] }],
  closure: { evidence: ['receipt'] },
});

describe('the workflow-published notice from policy to intake (real NATS)', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let bus: NoticeBus;
  let rpc: RpcClient;
  let policy: PolicyService;

  /** Answers one request/reply subject on the test's connection, as a service would. */
  function answer<Req, Res>(contract: RpcContract<Req, Res>, reply: (request: Req) => Res): void {
    nc.subscribe(contract.subject, {
      callback: (_err, msg: Msg) => {
        const envelope: Reply<Res> = { ok: true, data: reply(decodeJson<Req>(msg.data)) };
        msg.respond(encodeJson(envelope));
      },
    });
  }

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    bus = new NoticeBus(nc);
    rpc = new RpcClient(nc, 2000, false);
    policy = new PolicyService(rpc, bus, loadConfig({ LOG_LEVEL: 'silent' }));
    answer(Subjects.exceptions.listCodes, (): ExceptionCode[] => []);
    let position = 0;
    answer(Subjects.ledger.append, (): AppendResult => {
      position += 1;
      return { nextVersion: position, positions: [position] };
    });
    // A policy instance that has not applied the new version yet: asked for the current one, it answers v1.
    answer(Subjects.policy.get, (request: GetWorkflowRequest): WorkflowVersion | undefined =>
      policy.registry.get(request.jobType, request.version ?? 1),
    );
  });

  afterAll(async () => {
    await nc.close();
    await nats.stop();
  });

  it('publishes {jobType, version, sha256} and intake opens on that version', async () => {
    const intake = new WorkflowVersions(rpc, bus);
    const heard: WorkflowPublishedNotice[] = [];
    const listening = bus.subscribe(Notices.workflowPublished, (notice) => heard.push(notice));

    const first = await policy.publish({ definition: definition(1), actor: 'test' });
    expect((await intake.currentOf('notice-check')).policy.version).toBe(1);
    const second = await policy.publish({ definition: definition(2), actor: 'test' });
    // The same connection sent the notice: after a flush, every subscriber has it.
    await nc.flush();
    listening.stop();
    intake.onApplicationShutdown();

    expect(heard).toEqual([
      { jobType: 'notice-check', version: 1, sha256: first.answer.sha256 },
      { jobType: 'notice-check', version: 2, sha256: second.answer.sha256 },
    ]);
    const opened = await intake.currentOf('notice-check');
    expect(opened.policy).toMatchObject({ jobType: 'notice-check', version: 2, sha256: second.answer.sha256 });
  });
});
