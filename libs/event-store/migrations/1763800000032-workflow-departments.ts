import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The department a workflow version names (`department: <id>`), kept with it in `view_workflows`
 * so the views compare departments (docs/views.md, Departments and comparisons). The versions
 * already folded take theirs from their WorkflowPublished event: no replay is needed.
 */
export class WorkflowDepartments1763800000032 implements MigrationInterface {
  name = 'WorkflowDepartments1763800000032';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE view_workflows ADD COLUMN department text');
    await q.query(`
      UPDATE view_workflows w SET department = e.data->'definition'->>'department'
        FROM ledger_events e
       WHERE e.type = 'WorkflowPublished' AND e.data->>'jobType' = w.job_type
         AND (e.data->>'version')::bigint = w.version`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE view_workflows DROP COLUMN department');
  }
}
