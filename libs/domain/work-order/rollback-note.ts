import { hash } from 'node:crypto';
import { ActionDecidedData, Evidence } from '@workgate/contracts';

/** The evidence kind of a rollback note (docs/policy.md, Rollback notes). */
export const ROLLBACK_NOTE = 'rollback-note';

/**
 * A request's rollback note as private evidence on its receipt: ops leads read it, public surfaces
 * never do. A blank note says nothing and is not recorded (a write that needs one stops).
 */
export function rollbackNoteEvidence(note: string | undefined, actionId: string): Evidence[] {
  if (note === undefined || note.trim() === '') return [];
  return [{ kind: ROLLBACK_NOTE, ref: `action:${actionId}`, sha256: hash('sha256', note), note, private: true }];
}

/** The rollback note a decision was asked with, read back from its private evidence. */
export function rollbackNoteOf(data: Pick<ActionDecidedData, 'evidence'>): string | undefined {
  return (data.evidence ?? []).find((e) => e.kind === ROLLBACK_NOTE && e.private === true)?.note;
}
