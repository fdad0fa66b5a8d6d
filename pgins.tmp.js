const { ensureDatabase, migrate, createClient, withDatabase } = require('./dist/libs/event-store');
const { randomUUID, createHash } = require('crypto');
const url = withDatabase('postgres://127.0.0.1:5432/postgres', 'wg_pgins_test');
const INSERT = (dcast, mcast) => `INSERT INTO T (position, stream_id, stream_version, event_id, type, data, metadata, occurred_at, recorded_at, prev_hash, hash)
  SELECT p, s, v, e, t, d, m, o, r, ph, h FROM ROWS FROM (unnest($1::bigint[]), unnest($2::text[]), unnest($3::int[]), unnest($4::uuid[]), unnest($5::text[]),
    ${dcast}, ${mcast}, unnest($8::timestamptz[]), unnest($9::timestamptz[]), unnest($10::text[]), unnest($11::text[])) AS u(p, s, v, e, t, d, m, o, r, ph, h)`;
(async () => {
  await ensureDatabase(url); await migrate(url);
  const c = createClient(url); await c.connect();
  await c.query('DROP TABLE IF EXISTS t_json; DROP TABLE IF EXISTS t_noidx; DROP TABLE IF EXISTS t_copy');
  await c.query('CREATE TABLE t_json (LIKE ledger_events INCLUDING ALL)'); await c.query('ALTER TABLE t_json ALTER data TYPE json, ALTER metadata TYPE json');
  await c.query('CREATE TABLE t_noidx (LIKE ledger_events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)'); await c.query('ALTER TABLE t_noidx ADD PRIMARY KEY (position)');
  await c.query('CREATE TABLE t_copy (LIKE ledger_events INCLUDING ALL)');
  let pos = { ledger_events: 0, t_json: 0, t_noidx: 0, t_copy: 0 };
  const batch = (table, n) => { const cols = [[], [], [], [], [], [], [], [], [], [], []]; const now = new Date().toISOString();
    for (let i = 0; i < n; i++) { const id = randomUUID(); const ref = `s-${pos[table]}`;
      cols[0].push(++pos[table]); cols[1].push(`workorder-${randomUUID()}`); cols[2].push(1); cols[3].push(id); cols[4].push('ActionDecided');
      cols[5].push(JSON.stringify({ actionId: randomUUID(), decision: { decision: 'run', reason: 'rule_matched', rule: 'address-fix-before-cutoff', message: 'rule "address-fix-before-cutoff" says run', decisionOwner: null, objectsNamed: 2, scopeChecks: { passed: 3, total: 3 }, inputsSha256: createHash('sha256').update(id).digest('hex'), policy: { jobType: 'support-recovery', version: 1, sha256: createHash('sha256').update('x').digest('hex') } }, action: { system: 'shop', operation: 'order.note', kind: 'write', objects: ['order:1', 'customer:77'] }, facts: { orderFulfilled: false, addressValidated: true, sentAt: Date.now() }, workOrder: { source: 'bench', externalRef: ref, status: 'open' } }));
      cols[6].push(JSON.stringify({ actor: 'source:bench', channel: 'bench', commandId: randomUUID() })); cols[7].push(now); cols[8].push(now); cols[9].push(createHash('sha256').update(ref).digest('hex')); cols[10].push(createHash('sha256').update(id).digest('hex')); }
    return cols; };
  const variants = {
    current: ['ledger_events', 'jsonb_array_elements($6::jsonb)', 'jsonb_array_elements($7::jsonb)', true],
    textarr: ['ledger_events', 'unnest($6::jsonb[])', 'unnest($7::jsonb[])', false],
    json: ['t_json', 'json_array_elements($6::json)', 'json_array_elements($7::json)', true],
    noidx: ['t_noidx', 'jsonb_array_elements($6::jsonb)', 'jsonb_array_elements($7::jsonb)', true],
  };
  // warm: 100k rows in each
  for (const [name, [table, d, m, joined]] of Object.entries(variants)) for (let k = 0; k < 150; k++) { const cols = batch(table, 640); const [a, b, cc, dd, e, data, meta, ...rest] = cols; await c.query(INSERT(d, m).replace('INTO T', `INTO ${table}`), [a, b, cc, dd, e, joined ? `[${data.join(',')}]` : data, joined ? `[${meta.join(',')}]` : meta, ...rest]); }
  for (let round = 0; round < 2; round++) for (const [name, [table, d, m, joined]] of Object.entries(variants)) {
    const times = [];
    for (let k = 0; k < 30; k++) { const cols = batch(table, 640); const [a, b, cc, dd, e, data, meta, ...rest] = cols; const t = performance.now(); await c.query(INSERT(d, m).replace('INTO T', `INTO ${table}`), [a, b, cc, dd, e, joined ? `[${data.join(',')}]` : data, joined ? `[${meta.join(',')}]` : meta, ...rest]); times.push(performance.now() - t); }
    times.sort((x, y) => x - y); console.log(name.padEnd(10), 'median ms per 640 rows', times[15].toFixed(1), '->', (times[15] * 1000 / 640).toFixed(1), 'µs/row');
  }
  await c.end();
})().catch((e) => { console.error(e); process.exit(1); });
