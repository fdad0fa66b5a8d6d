/*
 * A client in a process of its own (as a real one is: the gateway's event loop does not pace it),
 * started by test/edge-early-refusals.e2e-spec.ts: it POSTs JSON bodies with Node's global `fetch`
 * (undici) and prints one JSON line, for each kind of request, what every try got: `{status, error}`
 * for a readable answer, `{failed: <code>}` for a socket error (EPIPE, ECONNRESET, …).
 * Its one argument is a JSON file: { url, rounds, triesPerRound, kinds: { <name>: { bytes, key? } } };
 * each round sends triesPerRound requests of every kind at once.
 */
import { readFileSync } from 'node:fs';

const { url, rounds, triesPerRound, kinds } = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const failureOf = (error) => error?.cause?.code ?? error?.cause?.message ?? String(error);

async function post({ bytes, key }) {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(key ? { Authorization: `Bearer ${key}` } : {}) },
      body: `{"blob":"${'x'.repeat(bytes - 11)}"}`,
    });
    const body = await res.json();
    return { status: res.status, error: body.error };
  } catch (error) {
    return { failed: failureOf(error) };
  }
}

const outcomes = Object.fromEntries(Object.keys(kinds).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  const tries = [];
  for (let i = 0; i < triesPerRound; i++)
    for (const [name, kind] of Object.entries(kinds)) tries.push(post(kind).then((o) => outcomes[name].push(o)));
  await Promise.all(tries);
}
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
