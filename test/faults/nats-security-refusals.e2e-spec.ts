import { connect, ConnectionOptions, ErrorCode, headers as natsHeaders, NatsError } from 'nats';
import { LedgerHeaders, SERVICES, Subjects } from '@workgate/contracts';
import { natsServers, redactNatsUrl } from '@workgate/messaging';
import type { RejectionsPage } from '@workgate/contracts';
import { DEPUTY_REPLY, enc, expectRefused, natsSecurityRig, subscribeVerdict, User, USERS } from './nats-security-rig';

/**
 * deploy/nats.conf exactly as shipped, every service running under its own user
 * (test/faults/nats-security-rig.ts): each user is refused what it does not use — above all,
 * nobody can rewrite or destroy the evidence streams — and the server log shows every refusal came
 * from the test's probes, none from a service.
 */
describe('NATS security: deploy/nats.conf refuses', () => {
  const rig = natsSecurityRig();
  const { until, violations, outputs, probe, natsUrl, passwords, services, database } = rig;

  it('a service may call only what it uses: other subjects are refused while their service serves them', async () => {
    // [refused user, subject, a user allowed to call it (proves the subject is being served)]
    const cases: Array<[User, string, User]> = [
      ['gateway', Subjects.ledger.append.subject, 'intake'],
      ['gateway', Subjects.ledger.appendBatch.subject, 'intake'],
      ['gateway', Subjects.ledger.readStreamBatch.subject, 'intake'],
      ['intake', Subjects.approvals.decide.subject, 'gateway'],
      ['policy', Subjects.intake.command.subject, 'gateway'],
      ['gateway', Subjects.intake.commitWithOutcome.subject, 'approvals'],
      ['policy', Subjects.intake.commitWithOutcome.subject, 'exceptions'],
      ['approvals', Subjects.exceptions.resolve.subject, 'gateway'],
      ['exceptions', Subjects.policy.publish.subject, 'gateway'],
      ['ledger', Subjects.policy.get.subject, 'intake'],
      ['integrator', Subjects.intake.command.subject, 'gateway'],
      ['integrator', Subjects.ledger.append.subject, 'policy'],
      // A governed change: only the policy service asks for its approval, the approvals service never
      // calls the policy service back, and the policy service writes its own stream alone.
      ['gateway', Subjects.approvals.openChange.subject, 'policy'],
      ['approvals', Subjects.policy.applyChange.subject, 'gateway'],
      ['policy', Subjects.ledger.appendBatch.subject, 'intake'],
      // The streams committed work-order events start: intake alone asks their owners to start them.
      ['gateway', Subjects.approvals.start.subject, 'intake'],
      ['policy', Subjects.approvals.start.subject, 'intake'],
      ['exceptions', Subjects.approvals.start.subject, 'intake'],
      ['approvals', Subjects.exceptions.start.subject, 'intake'],
      ['integrator', Subjects.exceptions.start.subject, 'intake'],
    ];
    for (const [refused, subject, allowed] of cases) {
      // An empty body: the service refuses it itself (validation), but it does answer.
      const answer = await (await probe(allowed)).request(subject, enc.encode('{}'), { timeout: 5000 });
      expect(JSON.parse(new TextDecoder().decode(answer.data))).toHaveProperty('ok');
      await expectRefused(
        (await probe(refused)).request(subject, enc.encode('{}'), { timeout: 5000 }),
        'publish',
        subject,
      );
    }
  });

  it("no service may serve or overhear another service's subjects", async () => {
    expect(await subscribeVerdict(await probe('intake'), Subjects.ledger.append.subject)).toBe(
      `${ErrorCode.PermissionsViolation} subscription ${Subjects.ledger.append.subject}`,
    );
    expect(await subscribeVerdict(await probe('gateway'), 'workgate.approvals.*')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.approvals.*`,
    );
    expect(await subscribeVerdict(await probe('approvals'), 'workgate.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.>`,
    );
    expect(await subscribeVerdict(await probe('exceptions'), 'ledger.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription ledger.>`,
    );
    expect(await subscribeVerdict(await probe('gateway'), 'workgate.events.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.events.>`,
    );
    // An ask to start streams is served by its owner alone: intake, which asks, cannot overhear it.
    const asks: Array<[User, string]> = [
      ['intake', Subjects.approvals.start.subject],
      ['intake', Subjects.exceptions.start.subject],
      ['exceptions', Subjects.approvals.start.subject],
      ['gateway', Subjects.exceptions.start.subject],
      ['approvals', Subjects.exceptions.start.subject],
    ];
    for (const [user, subject] of asks)
      expect(await subscribeVerdict(await probe(user), subject)).toBe(
        `${ErrorCode.PermissionsViolation} subscription ${subject}`,
      );
    expect(await subscribeVerdict(await probe('approvals'), Subjects.approvals.start.subject)).toBeUndefined();
    expect(await subscribeVerdict(await probe('exceptions'), Subjects.exceptions.start.subject)).toBeUndefined();
    // What a service does use is granted (the same check answers "allowed").
    expect(await subscribeVerdict(await probe('intake'), 'ledger.workflow.WorkflowPublished')).toBeUndefined();
    expect(await subscribeVerdict(await probe('ledger'), Subjects.ledger.append.subject)).toBeUndefined();
  });

  it('only the ledger publishes to LEDGER; only integrators publish work events', async () => {
    const forged = enc.encode(JSON.stringify({ eventId: 'forged', type: 'WorkOrderOpened', data: {} }));
    for (const user of USERS.filter((u) => u !== 'ledger')) {
      const subject = `ledger.forged.${user}`;
      await expectRefused(
        (await probe(user)).jetstream().publish(subject, forged, { msgID: `forged-${user}`, timeout: 5000 }),
        'publish',
        subject,
      );
      await expectRefused(
        (await probe(user))
          .jetstream()
          .publish('ledger.workorder.WorkOrderOpened', forged, { msgID: `forged-wo-${user}`, timeout: 5000 }),
        'publish',
        'ledger.workorder.WorkOrderOpened',
      );
    }
    for (const user of SERVICES) {
      await expectRefused(
        (await probe(user))
          .jetstream()
          .publish('workgate.events.crm', forged, { msgID: `not-an-integrator-${user}`, timeout: 5000 }),
        'publish',
        'workgate.events.crm',
      );
    }
    // JetStream sends its ack to the reply subject a publish names. An integrator naming a LEDGER
    // subject must not get the ack stored there (it could never be deleted, and the relay would stop).
    const h = natsHeaders();
    h.set('Content-Type', 'application/cloudevents+json');
    h.set('Nats-Msg-Id', 'crm:sec-deputy');
    const event = {
      specversion: '1.0',
      id: 'sec-deputy',
      source: 'crm',
      type: 'workgate.workorder.open',
      subject: 'SEC-DEPUTY',
      data: { jobType: 'support-recovery', inputs: { caseId: 'C-3', orderId: '3', orderPaid: true } },
    };
    const integrator = await probe('integrator');
    integrator.publish('workgate.events.crm', enc.encode(JSON.stringify(event)), {
      reply: 'ledger.forged.deputy',
      headers: h,
    });
    await integrator.flush();
    // Intake opens it, so the ledger relays a WorkOrderOpened after the place that ack would take in LEDGER.
    await until(
      async () => {
        const { rows } = await database()
          .appPool()
          .query(`SELECT 1 FROM ledger_events WHERE type = 'WorkOrderOpened' AND data->>'externalRef' = 'SEC-DEPUTY'`);
        return rows.length === 1;
      },
      20_000,
      'intake to open SEC-DEPUTY',
    );
    const jsm = await (await probe('gateway')).jetstreamManager();
    // The ledger does publish: LEDGER holds exactly the ledger's events, one message per position
    // (a foreign message would also stop the relay, which expects each previous sequence).
    const relay = await (await probe('ledger')).jetstreamManager();
    await until(
      async () => {
        const { rows } = await database().appPool().query(`SELECT count(*)::int AS n FROM ledger_events`);
        const info = await jsm.streams.info('LEDGER');
        if (rows[0].n === 0 || info.state.messages !== rows[0].n || info.state.last_seq !== rows[0].n) return false;
        const last = await relay.streams.getMessage('LEDGER', { seq: info.state.last_seq });
        return last.header.get(LedgerHeaders.position) === String(rows[0].n);
      },
      20_000,
      'LEDGER to hold every ledger event and nothing else',
    );
    const subjects = async (filter: string) =>
      Object.keys((await jsm.streams.info('LEDGER', { subjects_filter: filter })).state.subjects ?? {});
    expect(await subjects('ledger.forged.>')).toEqual([]);
    expect(await subjects('ledger.workorder.>')).toContain('ledger.workorder.WorkOrderOpened');
  });

  it('nobody deletes or purges the evidence streams or deletes a message, not even the ledger; only the ledger changes a stream', async () => {
    const before = await (await probe('gateway')).jetstreamManager();
    const state = async (stream: string) => {
      const info = await before.streams.info(stream);
      return { first: info.state.first_seq, denyDelete: info.config.deny_delete, denyPurge: info.config.deny_purge };
    };
    const initial = { LEDGER: await state('LEDGER'), WORK_EVENTS: await state('WORK_EVENTS') };
    for (const user of USERS) {
      const jsm = await (await probe(user)).jetstreamManager({ checkAPI: false });
      for (const stream of ['LEDGER', 'WORK_EVENTS']) {
        await expectRefused(jsm.streams.purge(stream), 'publish', `$JS.API.STREAM.PURGE.${stream}`);
        await expectRefused(jsm.streams.deleteMessage(stream, 1), 'publish', `$JS.API.STREAM.MSG.DELETE.${stream}`);
        await expectRefused(
          jsm.streams.deleteMessage(stream, 1, false),
          'publish',
          `$JS.API.STREAM.MSG.DELETE.${stream}`,
        );
        await expectRefused(jsm.streams.delete(stream), 'publish', `$JS.API.STREAM.DELETE.${stream}`);
      }
    }
    for (const user of SERVICES.filter((s) => s !== 'ledger')) {
      const jsm = await (await probe(user)).jetstreamManager();
      await expectRefused(jsm.streams.update('LEDGER', { max_msgs: 1 }), 'publish', '$JS.API.STREAM.UPDATE.LEDGER');
      await expectRefused(
        jsm.streams.add({ name: 'LEDGER_COPY', subjects: ['ledger.copy.>'] }),
        'publish',
        '$JS.API.STREAM.CREATE.LEDGER_COPY',
      );
    }
    expect({ LEDGER: await state('LEDGER'), WORK_EVENTS: await state('WORK_EVENTS') }).toEqual(initial);
    expect(initial.LEDGER).toEqual({ first: 1, denyDelete: true, denyPurge: true });
  });

  it('the integrator publishes work events and reads its acks, nothing else', async () => {
    const integrator = await probe('integrator');
    const ack = await integrator
      .jetstream()
      .publish('workgate.events.crm', enc.encode('{"not":"a cloudevent"}'), { msgID: 'crm:sec-e2' });
    expect(ack).toMatchObject({ stream: 'WORK_EVENTS', seq: expect.any(Number) });
    // intake rejects it: recorded in the ledger and announced on workgate.rejected.* (intake may publish there)
    await until(
      async () => (await rig.as.lead<RejectionsPage>('GET', '/v1/intake/rejections')).body?.rejections?.length > 0,
      20_000,
      'the rejection',
    );
    await expectRefused(
      integrator.jetstream().publish('workgate.intake.command', enc.encode('{}'), { timeout: 5000 }),
      'publish',
      'workgate.intake.command',
    );
    await expectRefused(integrator.jetstreamManager(), 'publish', '$JS.API.INFO');
    await expectRefused(
      (await integrator.jetstreamManager({ checkAPI: false })).streams.info('WORK_EVENTS'),
      'publish',
      '$JS.API.STREAM.INFO.WORK_EVENTS',
    );
    expect(await subscribeVerdict(integrator, 'workgate.events.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription workgate.events.>`,
    );
    expect(await subscribeVerdict(integrator, 'ledger.>')).toBe(
      `${ErrorCode.PermissionsViolation} subscription ledger.>`,
    );
    expect(await subscribeVerdict(integrator, '_INBOX.>')).toBeUndefined(); // its own account's inboxes only
  });

  it('a connection needs its own user and password; the services log their NATS URL without it', async () => {
    const refusal = (options: ConnectionOptions) =>
      connect({ servers: `127.0.0.1:${rig.port}`, reconnect: false, timeout: 5000, ...options }).then(
        async (nc) => {
          await nc.close();
          return 'connected';
        },
        (error: NatsError) => error.code,
      );
    expect(await refusal({})).toBe(ErrorCode.AuthorizationViolation);
    expect(await refusal({ user: 'ledger', pass: passwords.intake })).toBe(ErrorCode.AuthorizationViolation);
    expect(await refusal({ user: 'ledger', pass: passwords.ledger })).toBe('connected');
    // NATS_URL carries the credentials (nats://user:password@host:port); they never reach a log line.
    expect(natsServers(natsUrl('ledger'))).toEqual({
      servers: [`nats://127.0.0.1:${rig.port}`],
      user: 'ledger',
      pass: passwords.ledger,
    });
    expect(natsServers('nats://a%40b:p%3Aw%2C@n1:4222,nats://a%40b:p%3Aw%2C@n2:4222')).toEqual({
      servers: ['nats://n1:4222', 'nats://n2:4222'],
      user: 'a@b',
      pass: 'p:w,',
    });
    expect(natsServers('nats://n1:4222,nats://n2:4222')).toEqual({ servers: ['nats://n1:4222', 'nats://n2:4222'] });
    expect(redactNatsUrl('nats://u:p@n1:4222,nats://u:p@n2:4222')).toBe('nats://n1:4222,nats://n2:4222');
    for (const service of SERVICES.filter((s) => s !== 'gateway')) {
      const out = services.get(service)!.output();
      expect(out).toContain(`${service} listening on nats://127.0.0.1:${rig.port}`);
      expect(out).not.toContain(passwords[service]);
    }
  });

  it('a service cannot be made to answer where it may not publish: it answers only on inboxes', async () => {
    // A request may name any reply subject; the ledger serves it but answers only on `_INBOX.` subjects,
    // so nothing is published to this one (no violation either: it does not even try).
    const gateway = await probe('gateway');
    gateway.publish(Subjects.ledger.listWorkOrders.subject, enc.encode('{}'), { reply: DEPUTY_REPLY });
    await gateway.flush();
    // The same request with an inbox reply is answered: the ledger was there to serve the first one.
    const answered = await gateway.request(Subjects.ledger.listWorkOrders.subject, enc.encode('{}'), { timeout: 5000 });
    expect(JSON.parse(new TextDecoder().decode(answered.data)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(
      violations().filter((l) => l.includes(':workgate-ledger"') && l.includes(`Subject "${DEPUTY_REPLY}"`)),
    ).toEqual([]);
  });

  it("the server log shows the refusals above, every one from the test's probes, none from a service", () => {
    const lines = violations();
    // The log does record violations, with the user and the subject...
    expect(
      lines.some((l) => l.includes('Publish Violation - User "intake", Subject "workgate.approvals.decide"')),
    ).toBe(true);
    expect(
      lines.some((l) => l.includes('Publish Violation - User "ledger", Subject "$JS.API.STREAM.DELETE.LEDGER"')),
    ).toBe(true);
    expect(
      lines.some((l) => l.includes('Subscription Violation - User "intake", Subject "workgate.ledger.append"')),
    ).toBe(true);
    // ...and every one of them came from a connection of this test, none from the running services.
    expect(lines.filter((l) => !/"[^"]*:probe-[a-z-]+"/.test(l) && !l.includes(`Subject "${DEPUTY_REPLY}"`))).toEqual(
      [],
    );
    expect(outputs()).not.toMatch(/Permissions Violation/i);
  });
});
