import { FENCE_SQL } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/** Extends the lease of item `$1` under fencing token `$2` to `$3` milliseconds from now; records no event. */
export function itemHeartbeatSql(names: QueueNames): string {
  return `UPDATE ${names.items}
    SET lease_expires_at = clock_timestamp() + $3::double precision * interval '1 millisecond'
    WHERE ${FENCE_SQL}
    RETURNING *`;
}
