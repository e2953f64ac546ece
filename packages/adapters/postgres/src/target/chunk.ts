import type { ChunkResult, DeleteChunkParams, FencedResult } from "@logmk/workqueue";
import type { SqlQueryable } from "../executor/executor.js";
import { logChunkBoundsSql, logChunkDeleteSql, logTieDeleteSql, type ChunkScope, type ChunkStart } from "../sql/log-chunk.js";
import { toNumber } from "../store/rows.js";
import { wallTextOf, type LogCursor } from "./cursor.js";

/** What one chunk did, before any progress write. */
export interface ChunkStep {
  deleted: number;
  cursor: LogCursor;
  done: boolean;
}

/** Thrown inside a chunk's transaction to roll its delete back when the fenced progress write did not apply. */
export class ChunkRolledBack extends Error {
  override readonly name = "ChunkRolledBack";
  constructor(readonly write: FencedResult) {
    super("The fenced progress write matched no row, so the chunk's delete was rolled back");
  }
}

/** Deletes up to `limit` rows that share timestamp `key`, after `afterId`; leaves the timestamp once fewer than `limit` are left. */
async function deleteTie(tx: SqlQueryable, scope: ChunkScope, key: string, afterId: number | null, limit: number): Promise<ChunkStep> {
  const statement = logTieDeleteSql(scope, key, afterId, limit);
  const { rows } = await tx.query<{ candidates: unknown; last_id: unknown; deleted: unknown }>(statement.text, statement.values);
  const row = rows[0]!;
  const deleted = toNumber(row.deleted);

  if (toNumber(row.candidates) < limit) return { deleted, cursor: { v: 1, after: key }, done: false };
  return { deleted, cursor: { v: 1, at: key, afterId: toNumber(row.last_id) }, done: false };
}

/**
 * Deletes the next chunk of the purge in transaction `tx`, walking the (deployment, pod,
 * timestamp) index by key. Two index probes find the chunk's first key and the key `limit` rows
 * further on; the chunk then deletes the key range between them, which holds at most `limit`
 * rows. When all those rows share one timestamp, the chunk deletes that timestamp's rows in id
 * order instead, so that it stays bounded and the walk always advances.
 */
export async function deleteChunkStep(tx: SqlQueryable, scope: ChunkScope, cursor: LogCursor | null, limit: number): Promise<ChunkStep> {
  if (cursor !== null && "at" in cursor) return deleteTie(tx, scope, cursor.at, cursor.afterId, limit);

  const start: ChunkStart = cursor === null ? { kind: "range-start" } : "from" in cursor ? { kind: "at-or-after", key: cursor.from } : { kind: "after", key: cursor.after };
  const finished: LogCursor = { v: 1, from: wallTextOf(scope.range.to) };

  const bounds = logChunkBoundsSql(scope, start, limit);
  const { rows } = await tx.query<{ first_key: string | null; end_key: string | null }>(bounds.text, bounds.values);
  const { first_key: firstKey, end_key: endKey } = rows[0]!;
  if (firstKey === null) return { deleted: 0, cursor: finished, done: true };

  if (endKey === firstKey) return deleteTie(tx, scope, firstKey, null, limit);

  // No row `limit` rows on: what is left fits in this chunk, up to the end of the range.
  const statement = logChunkDeleteSql(scope, start, endKey);
  const { rowCount } = await tx.query(statement.text, statement.values);
  if (endKey === null) return { deleted: rowCount, cursor: finished, done: true };
  return { deleted: rowCount, cursor: { v: 1, from: endKey }, done: false };
}

/** The result of a chunk whose delete was rolled back because the lease was lost. */
export function rolledBackResult(params: DeleteChunkParams, write: FencedResult): ChunkResult {
  return { deleted: 0, cursor: params.cursor, done: false, progressWrite: write };
}
