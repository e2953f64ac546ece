import type { QueueNames } from "./queue-names.js";

/** Reads up to `$2` events after id `$1`, in id order. */
export function eventReadSql(names: QueueNames): string {
  return `SELECT * FROM ${names.events} WHERE id > $1::bigint ORDER BY id LIMIT $2::integer`;
}

/** Reads the id of the newest event, or 0. */
export function eventLastIdSql(names: QueueNames): string {
  return `SELECT COALESCE(max(id), 0) AS last_id FROM ${names.events}`;
}
