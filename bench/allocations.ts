import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { arrayOf, isNumber, isString, objectOf, optional, parseJsonAs } from '@workgate/contracts';

/**
 * Preloaded (`node -r`) into each measured process when BENCH_ALLOCATIONS=<dir> is set: V8's
 * sampling heap profiler over the main thread's whole life, counting what garbage collections
 * freed as well as what survived (so it shows what is allocated, not only what is kept), written
 * at exit as `<dir>/allocations.<pid>.heapprofile` (Chrome DevTools opens it; so does
 * `node dist/bench/allocations.js <file>`, which prints the largest allocators).
 */
const SAMPLING_INTERVAL_BYTES = 32 * 1024;

function record(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const session = new Session();
  session.connect();
  session.post('HeapProfiler.enable');
  session.post('HeapProfiler.startSampling', {
    samplingInterval: SAMPLING_INTERVAL_BYTES,
    includeObjectsCollectedByMajorGC: true,
    includeObjectsCollectedByMinorGC: true,
  });
  // An in-thread session answers synchronously, so the profile is written before the process ends
  // (an error thrown in its callback would be swallowed, hence the catch).
  process.on('exit', () =>
    session.post('HeapProfiler.stopSampling', (error, result) => {
      try {
        if (error) throw error;
        writeFileSync(join(dir, `allocations.${process.pid}.heapprofile`), JSON.stringify(result.profile));
      } catch (failure) {
        process.stderr.write(`allocation profile not written: ${(failure as Error).message}\n`);
      }
    }),
  );
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children?: ProfileNode[];
}

const isCallFrame = objectOf({ functionName: isString, url: isString, lineNumber: isNumber });
/** A node of a heap profile, and every node under it. */
function isProfileNode(value: unknown): value is ProfileNode {
  return objectOf({ callFrame: isCallFrame, selfSize: isNumber, children: optional(arrayOf(isProfileNode)) })(value);
}

/** Bytes allocated per function (name, file, line), the largest first. */
export function allocators(head: ProfileNode): Array<{ where: string; bytes: number }> {
  const bytes = new Map<string, number>();
  const stack = [head];
  while (stack.length) {
    const node = stack.pop()!;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`;
    bytes.set(where, (bytes.get(where) ?? 0) + node.selfSize);
    stack.push(...(node.children ?? []));
  }
  return [...bytes].map(([where, n]) => ({ where, bytes: n })).sort((a, b) => b.bytes - a.bytes);
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: node dist/bench/allocations.js <file.heapprofile> [rows]\n');
    process.exit(2);
  }
  const rows = allocators(
    parseJsonAs(readFileSync(file, 'utf8'), objectOf({ head: isProfileNode }), 'a heap profile').head,
  );
  const total = rows.reduce((sum, r) => sum + r.bytes, 0);
  process.stdout.write(
    `${(total / 1e6).toFixed(0)} MB allocated in all (sampled every ${SAMPLING_INTERVAL_BYTES / 1024} KB)\n`,
  );
  for (const r of rows.slice(0, Number(process.argv[3] ?? 30))) {
    process.stdout.write(
      `${((100 * r.bytes) / total).toFixed(1).padStart(5)}%  ${(r.bytes / 1e6).toFixed(0).padStart(6)} MB  ${r.where}\n`,
    );
  }
} else if (process.env.BENCH_ALLOCATIONS && isMainThread) {
  // Worker threads inherit the preload; only the main thread is recorded.
  record(process.env.BENCH_ALLOCATIONS);
}
