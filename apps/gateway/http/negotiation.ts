/** One media range of an Accept header: `type/subtype` (either may be `*`) and its weight. */
interface Range {
  type: string;
  subtype: string;
  q: number;
  order: number;
}

function ranges(accept: string): Range[] {
  const out: Range[] = [];
  accept.split(',').forEach((part, order) => {
    const [range, ...params] = part.split(';');
    const [type, subtype] = range.trim().toLowerCase().split('/');
    if (!type || !subtype) return;
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split('=').map((s) => s.trim());
      if (name.toLowerCase() === 'q') q = Number.isFinite(Number(value)) ? Math.min(1, Math.max(0, Number(value))) : 0;
    }
    out.push({ type, subtype, q, order });
  });
  return out;
}

/**
 * Which of `offers` (media types, the route's preferred first) the client prefers by its Accept
 * header (RFC 9110 section 12.5.1): the highest weight of the most specific range each matches,
 * ties going to the more specific range, then to the range the client named first, then to the
 * route's order. No Accept header: the first offer. Nothing acceptable: undefined.
 */
export function preferredType(accept: string | string[] | undefined, offers: readonly string[]): string | undefined {
  if (accept === undefined || accept === '') return offers[0];
  const accepted = ranges(Array.isArray(accept) ? accept.join(',') : accept);
  let best: { offer: string; q: number; specificity: number; order: number } | undefined;
  for (const offer of offers) {
    const [type, subtype] = offer.toLowerCase().split('/');
    let match: Range | undefined;
    let specificity = -1;
    for (const r of accepted) {
      const s =
        r.type === type && r.subtype === subtype
          ? 2
          : r.type === type && r.subtype === '*'
            ? 1
            : r.type === '*' && r.subtype === '*'
              ? 0
              : -1;
      if (s > specificity || (s === specificity && s >= 0 && r.q > match!.q)) [match, specificity] = [r, s];
    }
    if (!match || match.q === 0) continue;
    const better =
      !best ||
      match.q > best.q ||
      (match.q === best.q &&
        (specificity > best.specificity || (specificity === best.specificity && match.order < best.order)));
    if (better) best = { offer, q: match.q, specificity, order: match.order };
  }
  return best?.offer;
}
