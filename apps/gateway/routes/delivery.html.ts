import { createHash } from 'node:crypto';
import type { DeliveryPage } from '@workgate/contracts';

type Decision = DeliveryPage['decisions'][number];

const esc = (s: string | number | null | undefined) =>
  String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A time as a client reads it: `25 Nov 2026, 14:05 UTC`. */
function when(iso: string | undefined | null): string {
  if (!iso) return '';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return esc(iso);
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][t.getUTCMonth()];
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${t.getUTCDate()} ${month} ${t.getUTCFullYear()}, ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

const STATUS_WORDS: Record<string, string> = {
  open: 'In progress',
  blocked: 'Blocked',
  closed: 'Closed',
  stopped: 'Stopped',
};

/** `write support-desk refund.issue` → `refund.issue in support-desk (write)`. */
function actionWords(action: string): string {
  const [kind, system, ...operation] = action.split(' ');
  return operation.length ? `${operation.join(' ')} in ${system} (${kind})` : action;
}

/** The decision in words: what happened, and for a wait what its owner then decided. */
function decisionWords(d: Decision): { verdict: string; tone: string; detail: string } {
  if (d.decision === 'run') return { verdict: 'Allowed', tone: 'ok', detail: 'within the agreed boundary' };
  if (d.decision === 'stop') return { verdict: 'Stopped', tone: 'stop', detail: d.message };
  const owner = d.decisionOwner ? ` for ${d.decisionOwner}` : '';
  const o = d.outcome;
  if (!o) return { verdict: `Waiting${owner}`, tone: 'wait', detail: d.message };
  const by = o.by ? ` by ${o.by}` : '';
  switch (o.status) {
    case 'approved':
      return {
        verdict: 'Approved',
        tone: 'ok',
        detail: `approved${by} on ${when(o.at)}; it then went ahead. Asked because: ${d.message}`,
      };
    case 'conditional':
      return {
        verdict: 'Approved with conditions',
        tone: 'wait',
        detail: `approved${by} on ${when(o.at)} with ${o.openConditions ?? 0} condition(s) still open. Asked because: ${d.message}`,
      };
    case 'rejected':
      return {
        verdict: 'Declined',
        tone: 'stop',
        detail: `declined${by} on ${when(o.at)}. Asked because: ${d.message}`,
      };
    default:
      return {
        verdict: 'Expired',
        tone: 'stop',
        detail: `nobody answered in time (${when(o.at)}). Asked because: ${d.message}`,
      };
  }
}

const STYLE = `
:root{--fg:#1d2433;--muted:#5b6474;--line:#dde2ea;--bg:#f6f7f9;--ok:#1f7a4d;--wait:#9a6200;--stop:#b3261e}
*{box-sizing:border-box}body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif}
main{max-width:860px;margin:0 auto;padding:24px 16px 40px}
header{margin-bottom:20px}h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:0 0 10px}
.muted{color:var(--muted)}.card{background:#fff;border:1px solid var(--line);border-radius:8px;padding:16px 18px;margin:0 0 16px}
.badge{display:inline-block;padding:2px 10px;border-radius:999px;font-size:13px;font-weight:600;border:1px solid currentColor}
.ok{color:var(--ok)}.wait{color:var(--wait)}.stop{color:var(--stop)}
table{border-collapse:collapse;width:100%}th,td{text-align:left;vertical-align:top;padding:6px 10px 6px 0;border-bottom:1px solid var(--line)}
th{font-size:13px;color:var(--muted);font-weight:600}td.when{white-space:nowrap;color:var(--muted);font-size:13px}
ul{margin:0;padding-left:20px}li{margin:2px 0}.scroll{overflow-x:auto}
footer{font-size:13px;color:var(--muted);margin-top:24px}
@media (max-width:560px){main{padding:16px 10px}td.when{white-space:normal}}
`;

/** Nothing but the page's own style: no script, no other source, not even an image. */
/* Sent as a header and, for a saved copy sent on to a client, in the page itself. */
const STYLE_ONLY = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(STYLE).digest('base64')}'; img-src 'self'; base-uri 'none'; form-action 'none'`;
export const DELIVERY_CSP = `${STYLE_ONLY}; frame-ancestors 'none'`;

/**
 * The delivery page a client can be sent (docs/api.md, The delivery page): status, decisions in words with what
 * their owners decided, blockers and who owns them, next moves, closure. Static and escaped: no
 * script, only its own inline style; built only from the allow-listed delivery page, so it holds
 * no facts, inputs, evidence references or private evidence.
 */
export function deliveryHtml(page: DeliveryPage): string {
  const closed = page.status === 'closed';
  const statusTone = closed ? 'ok' : page.status === 'open' ? 'wait' : 'stop';
  const decisions = page.decisions.length
    ? `<div class="scroll"><table><thead><tr><th>When</th><th>Action</th><th>Decision</th></tr></thead><tbody>${page.decisions
        .map((d) => {
          const w = decisionWords(d);
          return `<tr><td class="when">${when(d.at)}</td><td>${esc(actionWords(d.action))}</td><td><span class="${w.tone}"><strong>${esc(w.verdict)}</strong></span><br><span class="muted">${esc(w.detail)}</span></td></tr>`;
        })
        .join('')}</tbody></table></div>`
    : '<p class="muted">No actions have been asked for yet.</p>';

  const blockers = [
    ...page.openExceptions.map(
      (e) => `<li><strong>${esc(e.code)}</strong> — owned by ${esc(e.owner)}, due ${when(e.dueAt)}</li>`,
    ),
    ...page.waitingFor.map((a) => `<li>Waiting for ${esc(a.what)} — owned by ${esc(a.owner)}</li>`),
  ];
  const toDo = page.steps.filter((s) => s.status !== 'completed').length;
  if (toDo > 0 && !closed)
    blockers.push(`<li>${toDo} checklist step${toDo > 1 ? 's' : ''} still to complete (below)</li>`);

  const next = closed
    ? `<p>Nothing: the work order was closed${page.closure ? ` on ${when(page.closure.at)}` : ''}.</p>`
    : `<ul>${page.nextMoves.map((m) => `<li>${esc(m)}</li>`).join('')}</ul>${page.whoDecidesNext ? `<p class="muted">Next decided by <strong>${esc(page.whoDecidesNext)}</strong></p>` : ''}`;

  const stages = page.stages.length
    ? `<section class="card"><h2>Stages</h2><p class="muted">Current stage: <strong>${esc(page.stage)}</strong></p><div class="scroll"><table><thead><tr><th>Stage</th><th>Deliverable</th><th>Sign-off</th></tr></thead><tbody>${page.stages
        .map(
          (st) =>
            `<tr><td>${esc(st.id)}</td><td>${st.artifact ? esc(st.artifact) : '<span class="muted">not yet</span>'}</td><td>${esc(st.gate)}</td></tr>`,
        )
        .join('')}</tbody></table></div></section>`
    : '';

  const closure = page.closure
    ? `<section class="card"><h2>Closure</h2><p>Closed on <strong>${when(page.closure.at)}</strong>${page.closure.evidenceMissing ? ' <span class="stop">without its closure evidence</span>' : ', with its closure evidence on record'}.</p></section>`
    : '';

  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${STYLE_ONLY}"><link rel="icon" href="/favicon.ico">
<title>${esc(page.title)} — ${esc(STATUS_WORDS[page.status] ?? page.status)}</title><style>${STYLE}</style></head><body><main>
<header><h1>${esc(page.title)}</h1><p class="muted">Work order ${esc(page.workOrder)} · ${esc(page.workflow)}</p>
<p><span class="badge ${statusTone}">${esc(STATUS_WORDS[page.status] ?? page.status)}</span></p></header>
<section class="card"><h2>Next</h2>${next}</section>
<section class="card"><h2>Blockers</h2>${blockers.length ? `<ul>${blockers.join('')}</ul>` : '<p class="muted">None.</p>'}</section>
<section class="card"><h2>Decisions</h2>${decisions}</section>
${stages}
<section class="card"><h2>Checklist</h2><div class="scroll"><table><thead><tr><th>Step</th><th>Status</th><th>Evidence</th></tr></thead><tbody>${page.steps
    .map(
      (s) =>
        `<tr><td>${esc(s.title)}</td><td>${esc(s.status)}</td><td>${esc(s.evidence.map((e) => e.kind).join(', '))}</td></tr>`,
    )
    .join('')}</tbody></table></div></section>
${closure}
<footer>Every decision above is recorded in workgate's evidence ledger.</footer>
</main></body></html>`;
}
