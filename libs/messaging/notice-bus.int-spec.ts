import { connect, NatsConnection } from 'nats';
import {
  ExceptionCodeDefinedNotice,
  ledgerEventSubject,
  Notices,
  Notification,
  notifySubject,
  RecordedEvent,
  WorkflowPublishedNotice,
} from '@workgate/contracts';
import { startNatsServer, TestNatsServer } from '../../test/support/nats-server';
import { LedgerEvent, NoticeBus } from './notice-bus';
import { encodeJson } from './wire';

describe('NoticeBus over a real NATS server', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let bus: NoticeBus;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    bus = new NoticeBus(nc);
  });

  afterAll(async () => {
    await nc.close();
    await nats.stop();
  });

  // One connection publishes and receives: once a flush returns, the server has handed back every
  // message published before it, so what was received is known without waiting on a clock.
  const delivered = () => nc.flush();

  it('hands a published notice to every subscriber, typed as its declaration says', async () => {
    const first: WorkflowPublishedNotice[] = [];
    const second: WorkflowPublishedNotice[] = [];
    const listening = [
      bus.subscribe(Notices.workflowPublished, (notice) => first.push(notice)),
      bus.subscribe(Notices.workflowPublished, (notice) => second.push(notice)),
    ];
    bus.publish(Notices.workflowPublished, { jobType: 'agent-files', version: 3, sha256: 'abc' });
    await delivered();
    listening.forEach((l) => l.stop());
    expect(first).toEqual([{ jobType: 'agent-files', version: 3, sha256: 'abc' }]);
    expect(second).toEqual(first);
  });

  it('keeps each notice to its own subject', async () => {
    const codes: ExceptionCodeDefinedNotice[] = [];
    const versions: WorkflowPublishedNotice[] = [];
    const listening = [
      bus.subscribe(Notices.exceptionCodeDefined, (notice) => codes.push(notice)),
      bus.subscribe(Notices.workflowPublished, (notice) => versions.push(notice)),
    ];
    bus.publish(Notices.exceptionCodeDefined, { code: 'SAFETY_HOLD' });
    await delivered();
    listening.forEach((l) => l.stop());
    expect(codes).toEqual([{ code: 'SAFETY_HOLD' }]);
    expect(versions).toEqual([]);
  });

  it('drops a payload that is not the notice its subject declares, and goes on with the next', async () => {
    const received: WorkflowPublishedNotice[] = [];
    const listening = bus.subscribe(Notices.workflowPublished, (notice) => received.push(notice));
    // The shape intake once decoded (no sha256), a version that is no number, and no JSON at all.
    nc.publish(Notices.workflowPublished.subject, encodeJson({ jobType: 'agent-files', version: 4 }));
    nc.publish(Notices.workflowPublished.subject, encodeJson({ jobType: 'agent-files', version: '4', sha256: 'x' }));
    nc.publish(Notices.workflowPublished.subject, new TextEncoder().encode('{not json'));
    bus.publish(Notices.workflowPublished, { jobType: 'agent-files', version: 5, sha256: 'def' });
    await delivered();
    listening.stop();
    expect(received).toEqual([{ jobType: 'agent-files', version: 5, sha256: 'def' }]);
  });

  it('hands on the ledger relay events of one type with their data typed by the event map', async () => {
    const received: Array<LedgerEvent<'workflow', 'WorkflowPublished'>> = [];
    const listening = bus.onLedgerEvent('workflow', 'WorkflowPublished', (e) => received.push(e));
    const recorded = (streamId: string): RecordedEvent => ({
      position: 7,
      streamId,
      streamVersion: 2,
      eventId: '00000000-0000-4000-8000-000000000007',
      type: 'WorkflowPublished',
      data: { jobType: 'agent-files', version: 2, sha256: 'abc' },
      metadata: {},
      occurredAt: '2026-01-01T00:00:00.000Z',
      recordedAt: '2026-01-01T00:00:00.000Z',
      prevHash: '',
      hash: '',
    });
    const subject = ledgerEventSubject('workflow', 'WorkflowPublished');
    // An event of another stream type on the subject is not a workflow's: dropped.
    nc.publish(subject, encodeJson(recorded('catalog-exception-codes')));
    nc.publish(subject, encodeJson(recorded('workflow-agent-files')));
    await delivered();
    listening.stop();
    expect(received.map((e) => [e.streamId, e.data.jobType, e.data.version])).toEqual([
      ['workflow-agent-files', 'agent-files', 2],
    ]);
  });

  it("tells a principal on the principal's own notify subject", async () => {
    const received: unknown[] = [];
    const sub = nc.subscribe(notifySubject('ana.lead'), { callback: (_err, msg) => received.push(msg.json()) });
    const told: Notification = {
      kind: 'approval-requested',
      to: 'ana.lead',
      at: '2026-01-01T00:00:00.000Z',
      ref: 'a1',
      message: 'approval a1 waits for you',
    };
    bus.notify(told);
    bus.notify({ ...told, to: 'someone-else' });
    await delivered();
    sub.unsubscribe();
    expect(received).toEqual([told]);
  });

  it('stops handing on notices once stopped', async () => {
    const received: WorkflowPublishedNotice[] = [];
    bus.subscribe(Notices.workflowPublished, (notice) => received.push(notice)).stop();
    bus.publish(Notices.workflowPublished, { jobType: 'agent-files', version: 6, sha256: 'ghi' });
    await delivered();
    expect(received).toEqual([]);
  });
});
