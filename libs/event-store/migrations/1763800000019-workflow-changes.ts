import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Changes to workflows (docs/policy.md, Changing a workflow): a `workflow-change` approval belongs to a job type, not
 * to a work order; drafts and proposed changes are read by type at start, as published versions are.
 */
export class WorkflowChanges1763800000019 implements MigrationInterface {
  name = 'WorkflowChanges1763800000019';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE view_approvals ALTER COLUMN work_order_id DROP NOT NULL');
    await q.query('DROP INDEX ledger_events_rare_types');
    await q.query(
      `CREATE INDEX ledger_events_rare_types ON ledger_events (type, position) WHERE type IN ('WorkflowPublished', 'IntakeRejected', 'ExceptionRaised', 'WorkflowDraftSaved', 'WorkflowChangeProposed', 'WorkflowChangeClosed')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ledger_events_rare_types');
    await q.query(
      `CREATE INDEX ledger_events_rare_types ON ledger_events (type, position) WHERE type IN ('WorkflowPublished', 'IntakeRejected', 'ExceptionRaised')`,
    );
    await q.query('DELETE FROM view_approvals WHERE work_order_id IS NULL');
    await q.query('ALTER TABLE view_approvals ALTER COLUMN work_order_id SET NOT NULL');
  }
}
