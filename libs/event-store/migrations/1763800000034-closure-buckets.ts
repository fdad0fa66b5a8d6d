import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The department comparison's times to close as rows: `view_closure_buckets` holds, per job type,
 * version, day of closure (UTC, YYYY-MM-DD) and duration bucket, the work orders closed and their
 * times to close summed in milliseconds, so a window adds up narrow rows read by an index on the
 * day instead of taking apart a jsonb object per day. The rows are made from the counts'
 * `seconds` and `millis` objects (no replay), which then go.
 */
export class ClosureBuckets1763800000034 implements MigrationInterface {
  name = 'ClosureBuckets1763800000034';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE view_closure_buckets (
        key      text    PRIMARY KEY,
        job_type text    NOT NULL,
        version  integer NOT NULL,
        day      text    NOT NULL,
        bucket   integer NOT NULL,
        closures integer NOT NULL,
        millis   float8  NOT NULL
      )`);
    await q.query(`
      INSERT INTO view_closure_buckets (key, job_type, version, day, bucket, closures, millis)
      SELECT c.key || ' ' || s.key, c.job_type, c.version, c.day, s.key::int, s.value::int,
             coalesce((c.millis ->> s.key)::float8, 0)
        FROM view_closure_counts c, jsonb_each(c.seconds) s`);
    await q.query(
      'CREATE INDEX view_closure_buckets_day ON view_closure_buckets (day) INCLUDE (job_type, version, bucket, closures, millis)',
    );
    await q.query('ALTER TABLE view_closure_counts DROP COLUMN seconds, DROP COLUMN millis');
    await q.query('GRANT SELECT ON view_closure_buckets TO workgate_app, workgate_ledger');
    await q.query('GRANT SELECT, INSERT, UPDATE, DELETE ON view_closure_buckets TO workgate_views');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE view_closure_counts
        ADD COLUMN seconds jsonb NOT NULL DEFAULT '{}',
        ADD COLUMN millis  jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`
      UPDATE view_closure_counts c
         SET seconds = b.seconds, millis = b.millis
        FROM (SELECT job_type, version, day,
                     jsonb_object_agg(bucket, closures) FILTER (WHERE closures <> 0) AS seconds,
                     jsonb_object_agg(bucket, millis) FILTER (WHERE millis <> 0) AS millis
                FROM view_closure_buckets GROUP BY 1, 2, 3) b
       WHERE b.job_type = c.job_type AND b.version = c.version AND b.day = c.day`);
    await q.query('DROP TABLE view_closure_buckets');
  }
}
