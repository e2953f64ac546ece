import type { PurgeRange } from "@logmk/workqueue";
import { SqlParams, type LogTable, type TimeSql } from "../target/log-table.js";

/** Lower end of a chunk's key range. */
export type ChunkStart = { kind: "range-start" } | { kind: "at-or-after"; key: string } | { kind: "after"; key: string };

/** The log table, its time conversions and the purge's fixed range. */
export interface ChunkScope {
  table: LogTable;
  time: TimeSql;
  range: PurgeRange;
}

/** An SQL text with its bound values. */
export interface BoundSql {
  text: string;
  values: unknown[];
}

/** Equality on the leading index columns: the pod, and the deployment when the table has one. */
export function podConditions(scope: Pick<ChunkScope, "table" | "range">, params: SqlParams): string[] {
  const { table, range } = scope;
  const conditions: string[] = [];
  if (table.deployment !== null) conditions.push(`${table.deployment} = ${params.add(range.deployment)}`);
  conditions.push(`${table.pod} = ${params.add(range.podName)}`);
  return conditions;
}

/** Selects the pod's rows from `start` up to the purge's end: one contiguous range of the index. */
function keyRangeConditions(scope: ChunkScope, params: SqlParams, start: ChunkStart): string[] {
  const { table, time, range } = scope;
  const ts = table.timestamp;
  const conditions = podConditions(scope, params);

  if (start.kind === "at-or-after") conditions.push(`${ts} >= ${time.wall(params.add(start.key))}`);
  else if (start.kind === "after") conditions.push(`${ts} > ${time.wall(params.add(start.key))}`);
  else if (range.from !== null) conditions.push(`${ts} >= ${time.instant(params.add(range.from.toISOString()))}`);

  conditions.push(`${ts} < ${time.instant(params.add(range.to.toISOString()))}`);
  return conditions;
}

/**
 * Probes the index for the chunk's bounds: the first key after `start`, and the key of the row
 * `limit` rows further on (null when fewer rows are left). Both are index-only descents that
 * begin at `start`, so the entries of rows already deleted are never read again.
 */
export function logChunkBoundsSql(scope: ChunkScope, start: ChunkStart, limit: number): BoundSql {
  const params = new SqlParams();
  const where = keyRangeConditions(scope, params, start).join(" AND ");
  const offset = params.add(limit);
  const { table, time } = scope;
  const ts = table.timestamp;
  // The keys are formatted outside the probes: inside, to_char would run on every row the OFFSET skips.
  const text = `SELECT ${time.wallText("bounds.first_key")} AS first_key, ${time.wallText("bounds.end_key")} AS end_key FROM (SELECT
    (SELECT ${ts} FROM ${table.table} WHERE ${where} ORDER BY ${ts} LIMIT 1) AS first_key,
    (SELECT ${ts} FROM ${table.table} WHERE ${where} ORDER BY ${ts} OFFSET ${offset}::bigint LIMIT 1) AS end_key
  ) bounds`;
  return { text, values: params.values };
}

/**
 * Deletes the purge's rows from `start` up to, not including, `endKey`, or to the range's end when
 * `endKey` is null: a key range of the index, deleted as a plain DELETE would. Rows above the
 * purge's `maxId` were inserted after it was queued and stay; a null `maxId` keeps every row.
 */
export function logChunkDeleteSql(scope: ChunkScope, start: ChunkStart, endKey: string | null): BoundSql {
  const params = new SqlParams();
  const { table, time, range } = scope;
  const conditions = keyRangeConditions(scope, params, start);
  if (endKey !== null) conditions.push(`${table.timestamp} < ${time.wall(params.add(endKey))}`);
  conditions.push(`${table.id} <= ${params.add(range.maxId)}`);
  return { text: `DELETE FROM ${table.table} WHERE ${conditions.join(" AND ")}`, values: params.values };
}

/**
 * Deletes up to `limit` of the purge's rows that share timestamp `key`, in id order after
 * `afterId`. Used when one timestamp has more rows than a chunk, so that a chunk stays bounded
 * and the walk still advances. Returns how many candidates it found, the last candidate id and
 * how many rows it deleted.
 * NOTE: the index does not order a timestamp's rows by id, so each such chunk reads the whole
 * group again: fine for the hundreds of lines a pod logs in one instant, quadratic for millions.
 */
export function logTieDeleteSql(scope: ChunkScope, key: string, afterId: number | null, limit: number): BoundSql {
  const params = new SqlParams();
  const { table, time, range } = scope;
  const where = [...podConditions(scope, params), `${table.timestamp} = ${time.wall(params.add(key))}`].join(" AND ");
  const idConditions = [`${table.id} <= ${params.add(range.maxId)}`];
  if (afterId !== null) idConditions.push(`${table.id} > ${params.add(afterId)}`);

  const text = `WITH candidates AS (
    SELECT ${table.id} AS id FROM ${table.table}
    WHERE ${where} AND ${idConditions.join(" AND ")}
    ORDER BY ${table.id}
    LIMIT ${params.add(limit)}::bigint
  ), deleted AS (
    DELETE FROM ${table.table} WHERE ${where} AND ${table.id} IN (SELECT id FROM candidates) RETURNING 1
  )
  SELECT (SELECT count(*) FROM candidates) AS candidates,
    (SELECT max(id) FROM candidates) AS last_id,
    (SELECT count(*) FROM deleted) AS deleted`;
  return { text, values: params.values };
}

/** Sets the chunk's statement and lock timeouts for its transaction only (SET LOCAL). `$1`, `$2` in milliseconds. */
export function chunkTimeoutsSql(): string {
  return `SELECT set_config('statement_timeout', $1::text, true), set_config('lock_timeout', $2::text, true)`;
}
