import { percentile } from './stats';

/**
 * Each view's latency over HTTP (`base`, with the API key `key`), the live workflow map's and the
 * department comparison's, `queries` of each with a mix of filters (default, job type,
 * groupBy=version, a past asOf, a one-week window; by department or job type): a row per view, the
 * map's row and the comparison's (label, p50, p95 and max ms, most rows).
 */
export async function viewLatency(
  base: string,
  key: string,
  queries: number,
): Promise<{ rows: Array<Array<string | number>>; live: Array<string | number>; compare: Array<string | number> }> {
  const now = new Date().toISOString();
  const weekAgo = new Date(Date.now() - 7 * 86_400_000).toISOString();
  const past = new Date(Date.now() - 10 * 86_400_000).toISOString();
  const variants = ['', 'jobType=field-work-order', 'groupBy=version', `asOf=${past}`, `from=${weekAgo}&to=${now}`];
  const views: Array<[string, string]> = [
    ['closures', 'evidence=missing'],
    ['exception-codes/top', ''],
    ['exception-trends', 'interval=day'],
    ['stall-rates', ''],
    ['post-reviews', 'overdue=true'],
    ['first-time-fix', ''],
    ['approvals', ''],
    ['evidence-completeness', ''],
  ];
  /** Times each query once, in order: p50, p95 and max ms, and the most rows (or map nodes) answered. */
  const timed = async (label: string, paths: string[]): Promise<Array<string | number>> => {
    const times: number[] = [];
    let size = 0;
    for (const path of paths) {
      const t0 = process.hrtime.bigint();
      const res = await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${key}` } });
      const body = await res.text();
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
      const answer: unknown = JSON.parse(body);
      const count = Array.isArray(answer)
        ? answer.length
        : typeof answer === 'object' && answer !== null && 'nodes' in answer && Array.isArray(answer.nodes)
          ? answer.nodes.length
          : 0;
      size = Math.max(size, count);
    }
    times.sort((a, b) => a - b);
    return [
      label,
      Number(percentile(times, 50).toFixed(1)),
      Number(percentile(times, 95).toFixed(1)),
      Number(times[times.length - 1].toFixed(1)),
      size,
    ];
  };
  const rows: Array<Array<string | number>> = [];
  for (const [view, fixed] of views) {
    const paths: string[] = [];
    for (let i = 0; i < queries; i++) {
      const variant = variants[i % variants.length];
      if (variant === 'groupBy=version' && ['closures', 'post-reviews', 'approvals'].includes(view)) continue;
      paths.push(`/v1/views/${view}?${[fixed, variant].filter(Boolean).join('&')}`);
    }
    rows.push(await timed(`GET /v1/views/${view}`, paths));
  }
  // The live workflow map: the current version's map with the numbers of its five views, for a job type.
  const jobTypes = ['field-work-order', 'support-recovery', 'engagement-lifecycle'];
  const mapVariants = ['', `asOf=${past}`, `from=${weekAgo}&to=${now}`];
  const live = await timed(
    'GET /v1/workflows/:jobType/map',
    Array.from(
      { length: queries },
      (_, i) => `/v1/workflows/${jobTypes[i % jobTypes.length]}/map?${mapVariants[i % mapVariants.length]}`,
    ),
  );
  // Departments (or job types) side by side on every measure, over the same windows.
  const compareVariants = [
    'by=department',
    'by=jobType',
    `by=department&asOf=${past}`,
    `by=department&from=${weekAgo}&to=${now}`,
  ];
  const compare = await timed(
    'GET /v1/views/workflows/compare',
    Array.from(
      { length: queries },
      (_, i) => `/v1/views/workflows/compare?${compareVariants[i % compareVariants.length]}`,
    ),
  );
  return { rows, live, compare };
}
