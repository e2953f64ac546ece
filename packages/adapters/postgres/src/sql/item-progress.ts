import { FENCE_SQL, itemChangeSql } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/**
 * Writes progress of item `$1` under fencing token `$2` and records `QueueItemProgress`.
 * `$3` records affected, `$4` percent done, `$5` whether to set the estimate to `$6`, `$7` whether
 * to set the checkpoint to the JSON `$8`, `$9` lease extension in milliseconds or null to keep it,
 * `$10` rows to add to the stored count instead of writing `$3`, or null.
 */
export function itemProgressSql(names: QueueNames): string {
  return itemChangeSql(names, {
    set: `
      records_affected = CASE WHEN $10::bigint IS NULL THEN $3::bigint ELSE records_affected + $10::bigint END,
      progress = $4::double precision,
      estimated_records = CASE WHEN $5::boolean THEN $6::bigint ELSE estimated_records END,
      checkpoint = CASE WHEN $7::boolean THEN $8::text::jsonb ELSE checkpoint END,
      lease_expires_at = CASE WHEN $9::double precision IS NULL THEN lease_expires_at
        ELSE clock_timestamp() + $9::double precision * interval '1 millisecond' END,
      updated_at = now()`,
    where: FENCE_SQL,
    event: { name: `'QueueItemProgress'` },
  });
}
