/** The public delivery page as HTML: escaped, no script (the page is static). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Page = Record<string, any>;

const esc = (s: unknown) => String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The delivery page as HTML (no script, escaped). */
export function deliveryHtml(page: Page): string {
  const rows = (items: unknown[], cells: (i: any) => unknown[]) => items.map((i) => `<tr>${cells(i).map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(page.title)} — ${esc(page.workOrder)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head><body>
<h1>${esc(page.title)}</h1><p>Work order <code>${esc(page.workOrder)}</code> · ${esc(page.workflow)} · status <strong>${esc(page.status)}</strong></p>
<h2>Next</h2><p>${esc(page.nextMoves.join('; '))} — decided by <strong>${esc(page.whoDecidesNext)}</strong></p>
<h2>Decisions</h2><table><tr><th>at</th><th>action</th><th>decision</th><th>reason</th><th>rule</th><th>owner</th></tr>${rows(page.decisions, (d) => [d.at, d.action, d.decision, d.reason, d.rule ?? '', d.decisionOwner ?? ''])}</table>
${page.stages?.length ? `<h2>Stages</h2><p>current stage <strong>${esc(page.stage)}</strong></p><table><tr><th>stage</th><th>artifact</th><th>gate</th></tr>${rows(page.stages, (st) => [st.id, st.artifact ?? 'missing', st.gate])}</table>` : ''}
<h2>Checklist</h2><table><tr><th>step</th><th>status</th><th>evidence</th></tr>${rows(page.steps, (s) => [s.title, s.status, s.evidence.map((e: { kind: string }) => e.kind).join(', ')])}</table>
<h2>Blockers</h2><ul>${page.blockers.map((b: string) => `<li>${esc(b)}</li>`).join('') || '<li>none</li>'}</ul>
</body></html>`;
}
