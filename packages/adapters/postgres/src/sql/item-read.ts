import { OPEN_STATUSES_SQL } from "./fragments.js";
import type { QueueNames } from "./queue-names.js";

/** Reads item `$1`. */
export function itemGetSql(names: QueueNames): string {
  return `SELECT * FROM ${names.items} WHERE id = $1::bigint`;
}

/** Reads the items whose ids are in the array `$1`. */
export function itemGetManySql(names: QueueNames): string {
  return `SELECT * FROM ${names.items} WHERE id = ANY($1::bigint[])`;
}

/**
 * Lists items newest first. Each filter is skipped when its parameter is null. The filters are
 * `$1` status, `$2` type, `$3` pod name, `$4` deployment and `$5` (only ids below it). `$6` is
 * the page size.
 */
export function itemListSql(names: QueueNames): string {
  return `SELECT * FROM ${names.items}
    WHERE ($1::text IS NULL OR status = $1::text)
      AND ($2::text IS NULL OR type = $2::text)
      AND ($3::text IS NULL OR pod_name = $3::text)
      AND ($4::text IS NULL OR deployment = $4::text)
      AND ($5::bigint IS NULL OR id < $5::bigint)
    ORDER BY id DESC
    LIMIT $6::integer`;
}

/** Lists the open items of pod `$1`, oldest first; `$2` limits them to one deployment unless null. */
export function itemOpenByPodSql(names: QueueNames): string {
  return `SELECT * FROM ${names.items}
    WHERE pod_name = $1::text AND status IN ${OPEN_STATUSES_SQL} AND ($2::text IS NULL OR deployment = $2::text)
    ORDER BY id`;
}

/** Reads the open item holding unique key `$1`, other than item `$2`. */
export function itemOpenByUniqueKeySql(names: QueueNames): string {
  return `SELECT * FROM ${names.items}
    WHERE unique_key = $1::text AND status IN ${OPEN_STATUSES_SQL} AND id <> $2::bigint
    ORDER BY id
    LIMIT 1`;
}

/** Counts the open items, for the queue-size limit. */
export function itemOpenCountSql(names: QueueNames): string {
  return `SELECT count(*) AS open_items FROM ${names.items} WHERE status IN ${OPEN_STATUSES_SQL}`;
}
