import type * as C from '../workflow-map';
import { MAP_EDGE_KINDS, MAP_NODE_KINDS } from '../workflow-map';
import { array, component, described, documents, int, map, object, oneOf, sha256, str, strings } from './json-schema';

/** The workflow map (SPEC section 14): nodes, edges and the receipt plan of one version. */
export const MapNode = component(
  'MapNode',
  documents<C.MapNode>()(
    object(
      {
        id: described(
          str,
          "the definition's own id (step, rule, system, exception code, stage, overlay) or a derived id",
        ),
        kind: oneOf(...MAP_NODE_KINDS),
        label: str,
        detail: described(map(), 'what a person needs to read the node: evidence kinds, reason, reads and writes, SLA'),
      },
      { owner: str },
    ),
  ),
);

export const WorkflowMap = component(
  'WorkflowMap',
  documents<C.WorkflowMap>()(
    object({
      jobType: str,
      version: int,
      sha256,
      title: str,
      owner: str,
      nodes: array(MapNode.ref),
      edges: array(object({ from: str, to: str, kind: oneOf(...MAP_EDGE_KINDS) }, { label: str })),
      receiptPlan: array(object({ at: str, receipts: strings })),
      knownFailures: array(object({ at: str, note: str })),
    }),
  ),
);
