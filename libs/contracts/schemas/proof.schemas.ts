import type * as P from '../proof-package';
import { anything, array, component, described, documents, object, str } from './json-schema';
import { InclusionProof, RecordedEvent } from './ledger.schemas';
import { WorkflowMap } from './map.schemas';
import { DeliveryPage, Receipt, WorkOrderHandoff } from './work-order-views.schemas';

const proofFields = {
  workOrder: WorkOrderHandoff.ref,
  definition: described(
    str,
    'the workflow version the work order ran on, as its RFC 8785 canonical JSON text: its SHA-256 (UTF-8) is the policy sha256 every decision receipt names',
  ),
  map: WorkflowMap.ref,
  boundary: described(
    object({ systems: array(anything), rules: array(anything) }),
    "the control boundary of that version: the definition's systems and rules",
  ),
  receipts: described(
    array(Receipt.ref),
    "every receipt of the work order, in ledger order, each with its RFC 9162 inclusion proof against the package's checkpoint",
  ),
  checkpoint: described(str, 'the C2SP signed note (tlog checkpoint) every inclusion proof leads to'),
  verifierKey: described(str, "the ledger's signed-note verifier key (verify with the one you trust)"),
  issuance: described(
    object({ event: RecordedEvent.ref, proof: InclusionProof.ref }),
    "the issuance record: the `ProofPackageIssued` event (on `proof-<work order id>`) the ledger recorded when this package was made, holding the sha256 of each part, with its inclusion proof against the package's checkpoint",
  ),
};

/** The proof package of a work order (docs/ledger.md, The proof package). */
export const ProofPackage = component(
  'ProofPackage',
  documents<P.ProofPackage>()(
    object(
      {
        ...proofFields,
        delivery: object({ json: DeliveryPage.ref, html: described(str, 'the delivery page to share') }),
      },
      {},
      'the proof package of a work order: map, boundary, delivery page and receipts, verifiable offline with `npm run verify-receipt`',
    ),
  ),
);
