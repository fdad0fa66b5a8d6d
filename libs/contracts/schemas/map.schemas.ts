import type * as C from '../workflow-map';
import { FAILURE_MEASURES, MAP_EDGE_KINDS, MAP_NODE_KINDS } from '../workflow-map';
import {
  allOf,
  anyOf,
  array,
  component,
  described,
  documents,
  int,
  map,
  nullable,
  object,
  oneOf,
  sha256,
  str,
  strings,
  time,
} from './json-schema';

/** The workflow map (docs/views.md, The live workflow map): nodes, edges and the receipt plan of one version. */
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
      {
        owner: str,
        from: described(
          oneOf('pattern'),
          'present when the pattern the workflow extends gave the part: its rules, steps, systems, inputs, codes, closure evidence, approval time-out (gates) or break-glass',
        ),
      },
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

const count = int;
const seconds = nullable(int);

/** A node's live numbers: a step's, a gate's, a stop or run rule's, or an exception code's. */
const NodeNumbers = anyOf(
  described(
    object({
      open: count,
      completed: count,
      blocked: count,
      stalled: count,
      p50Seconds: seconds,
      p95Seconds: seconds,
      exceptions: array(object({ code: str, count })),
    }),
    'a step',
  ),
  described(
    object({
      pending: count,
      approved: count,
      conditional: count,
      rejected: count,
      expired: count,
      p50WaitSeconds: seconds,
    }),
    'a gate',
  ),
  described(object({ decisions: count }), 'a stop or run rule'),
  described(object({ open: count, overdue: count, escalated: count, count }), 'an exception code'),
);

export const LiveWorkflowMap = component(
  'LiveWorkflowMap',
  documents<C.LiveWorkflowMap>()(
    allOf(
      WorkflowMap.ref,
      object({
        window: object({ from: nullable(time), to: nullable(time), asOf: time }),
        numbers: described(map(NodeNumbers), 'by node id: every step, gate, stop and run rule and exception code'),
        failurePoints: array(
          object({
            at: described(str, 'a node id of the map'),
            measure: oneOf(...FAILURE_MEASURES),
            value: int,
            counts: described(
              object({}, Object.fromEntries(FAILURE_MEASURES.map((m) => [m, int]))),
              'every measure above zero at this node (a step: blocked and stalled together)',
            ),
            message: str,
            known: described(strings, "the definition's knownFailures notes at this node"),
          }),
        ),
      }),
    ),
  ),
);
