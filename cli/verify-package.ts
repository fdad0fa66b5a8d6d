import { DeliveryPage, RecordedEvent } from '@workgate/contracts';
import { type Issued, partDigest, verifyPackage, type Verdict } from '@workgate/event-store';
import { checkBoundaryAndMap } from '@workgate/workflow';
import { deliveryHtml } from '../apps/gateway/routes/delivery.html';
import { checkWorkOrderAndDelivery } from '../apps/intake/proof-recompute';

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/**
 * The delivery page's HTML is the page its JSON renders to, byte for byte: bound when the JSON is
 * (recomputed from the proven events, or hashing to what the issuance record records), NOT BOUND
 * when the JSON is not.
 */
function checkDeliveryHtml(
  pkg: Record<string, unknown>,
  proven: RecordedEvent[] | undefined,
  issued: Issued | undefined,
): Verdict {
  const delivery = isRecord(pkg.delivery) ? pkg.delivery : {};
  const json = delivery.json;
  let rendered: string | undefined;
  try {
    rendered = isRecord(json) ? deliveryHtml(json as unknown as DeliveryPage) : undefined;
  } catch {
    rendered = undefined;
  }
  if (rendered === undefined || rendered !== delivery.html)
    return { lines: [], problems: ['delivery.html: it is not the page delivery.json renders to'] };
  const recorded = issued?.data.parts['delivery.json'];
  if (recorded !== undefined)
    return partDigest(pkg, 'delivery.json') === recorded
      ? { lines: ['delivery.html: the page delivery.json renders to, byte for byte'], problems: [] }
      : { lines: [], problems: ['delivery.html: delivery.json does not hold'] };
  const bound =
    proven && !checkWorkOrderAndDelivery(pkg, proven, issued).problems.some((p) => p.startsWith('delivery.json'));
  if (bound) return { lines: ['delivery.html: the page delivery.json renders to, byte for byte'], problems: [] };
  if (proven) return { lines: [], problems: ['delivery.html: delivery.json does not hold'] };
  const receipts: unknown[] = Array.isArray(pkg.receipts) ? pkg.receipts : [];
  // The ops lead's package whose receipts do not all hold: its delivery page is not recomputed (named above).
  if (receipts.some((r) => isRecord(r) && r.event !== undefined))
    return { lines: [], problems: ['delivery.html: not checked: delivery.json is not recomputed (see above)'] };
  return { lines: [], problems: ['NOT BOUND: delivery.html — delivery.json, the page it renders, is NOT BOUND'] };
}

/**
 * A proof package (GET /v1/work-orders/:id/proof) checked offline, every part of it: the
 * checkpoint, each receipt, the definition, the boundary and map re-derived from the definition,
 * the work order and delivery page (JSON and HTML) recomputed from the proven events. What
 * `npm run verify-receipt` prints for a package, and its exit code's reason.
 */
export function verifyProofPackage(pkg: Record<string, unknown> & { receipts: unknown[] }, key: string): Verdict {
  return verifyPackage(pkg, key, [checkBoundaryAndMap, checkWorkOrderAndDelivery, checkDeliveryHtml]);
}
