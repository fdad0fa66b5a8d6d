/**
 * The shapes the workflow map's modules hand each other (`workflow-layout.js` lays out,
 * `workflow-svg.js` draws, `workflow-table.js` lists), for the browser type-check.
 */
import type { FailurePoint, MapEdgeKind } from '../../../../libs/contracts/workflow-map';
import type { ElkPoint } from 'elkjs/lib/elk-api';

/** How a badge reads: good news, a wait, a problem, or a plain count. */
export type Tone = 'ok' | 'warn' | 'bad' | 'plain';
/** A badge drawn on a node: `3 open`, in the tone of what it counts. */
export interface Badge {
  text: string;
  tone: Tone;
}
/** Which of the drawing's fonts a text is set in. */
export type FontKind = 'kind' | 'label' | 'badge' | 'edge';
/** The width of `text` in the font of `kind`. */
export type Measure = (text: string, kind: FontKind) => number;
/** A badge in its place on a node. */
export interface PlacedBadge extends Badge {
  x: number;
  row: number;
  width: number;
}
/** A node's lines and size. */
export interface Shape {
  kindText: string;
  lines: string[];
  badges: PlacedBadge[];
  width: number;
  height: number;
}
/** An edge between two nodes, or from a group's box (its `sources` the members), of every kind it stands for. */
export interface PairedEdge {
  from: string;
  to: string;
  kinds: MapEdgeKind[];
  label?: string;
  sources?: string[];
}
/** An edge as drawn: named, and of the kind that styles it. */
export interface DrawnEdge extends PairedEdge {
  id: string;
  kind: MapEdgeKind;
}
/** A rectangle of the laid-out drawing. */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** A node's box, laid out. */
export interface Box extends Rect, Shape {
  id: string;
}
/** A group's box, laid out. */
export interface GroupBox extends Rect {
  id: string;
  label: string;
}
/** An edge's line, laid out. */
export interface Line extends DrawnEdge {
  points: ElkPoint[];
  labelBox: Rect | null;
}
/** The laid-out map. */
export interface Laid {
  width: number;
  height: number;
  boxes: Box[];
  groups: GroupBox[];
  lines: Line[];
}
/** A failure point's place in the ranked list beside the map. */
export interface Rank {
  rank: number;
  of: number;
  point: FailurePoint;
}
