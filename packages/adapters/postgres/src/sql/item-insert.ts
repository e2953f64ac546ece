import { eventRecordSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Inserts a PENDING item and records `QueueItemAdded`. `$1` type, `$2` pod name, `$3` deployment,
 * `$4` payload JSON, `$5` metadata JSON, `$6` priority, `$7` run_at or null for the database's
 * now, `$8` schedule, `$9` max attempts, `$10` unique key, `$11` estimated records, `$12` created by.
 */
export function itemInsertSql(names: QueueNames): string {
  return `WITH added AS (
    INSERT INTO ${names.items} (type, status, pod_name, deployment, payload, metadata, priority, run_at, schedule,
      created_at, updated_at, max_attempts, unique_key, estimated_records, created_by)
    VALUES ($1::text, 'PENDING', $2::text, $3::text, $4::text::jsonb, $5::text::jsonb, $6::integer,
      COALESCE($7::timestamptz, now()), $8::text, now(), now(), $9::integer, $10::text, $11::bigint, $12::text)
    RETURNING *
  ), recorded AS (
    ${eventRecordSql(names, "added", { name: `'QueueItemAdded'` })}
  )
  SELECT * FROM added`;
}
