import { WorkQueueError, type WorkQueueItem } from "@logmk/workqueue";
import type { SqlExecutor, SqlQueryable } from "../executor/executor.js";
import { isUniqueViolation } from "../errors.js";
import { advisoryLockSql, LOCK_CLASS } from "../sql/queue-lock.js";
import type { QueueNames } from "../sql/queue-names.js";
import { itemFromRow, toNumber, type ItemRow } from "./rows.js";
import type { QueueStatements } from "./statements.js";

export interface AdmissionRequest {
  /** Unique key of the item about to become open, or null. */
  uniqueKey: string | null;
  /** The item itself when it already exists (a retry), so that it does not conflict with itself. */
  itemId: number | null;
  /** Open items allowed, or null for no limit. */
  maxOpenItems: number | null;
  /** Builds the CONFLICT error for the open item that has the key. */
  conflict(open: WorkQueueItem, cause?: unknown): WorkQueueError;
}

/** Lookups rounds after a unique violation whose holder finished before it could be read. */
const MAX_ADMISSION_ROUNDS = 3;

async function openItemWithKey(db: SqlQueryable, statements: QueueStatements, uniqueKey: string, itemId: number | null): Promise<WorkQueueItem | null> {
  const { rows } = await db.query<ItemRow>(statements.itemOpenByUniqueKey, [uniqueKey, itemId ?? 0]);
  return rows[0] ? itemFromRow(rows[0]) : null;
}

/**
 * Runs `write`, which makes an item open, only while the unique key is free and the queue has
 * room. With a size limit, the check and the write run in one transaction under an advisory lock,
 * so racing enqueues see each other's items and exactly the limit gets in. Without one, the
 * partial unique index alone keeps keys unique; its violation becomes CONFLICT with the open item.
 */
export async function admitItem<T>(
  executor: SqlExecutor,
  context: { names: QueueNames; statements: QueueStatements },
  request: AdmissionRequest,
  write: (db: SqlQueryable) => Promise<T>,
): Promise<T> {
  const { names, statements } = context;

  for (let round = 1; ; round++) {
    try {
      if (request.maxOpenItems === null) return await write(executor);

      const limit = request.maxOpenItems;
      return await executor.transaction(async (tx) => {
        await tx.query(advisoryLockSql(), [LOCK_CLASS.enqueue, names.schema]);

        if (request.uniqueKey !== null) {
          const open = await openItemWithKey(tx, statements, request.uniqueKey, request.itemId);
          if (open) throw request.conflict(open);
        }

        const { rows } = await tx.query<{ open_items: unknown }>(statements.itemOpenCount);
        if (toNumber(rows[0]?.open_items) >= limit) {
          throw new WorkQueueError("QUEUE_FULL", `The queue is full: it has ${limit} open items, the maximum; retry after some have finished.`, { details: { maxOpenItems: limit } });
        }
        return write(tx);
      });
    } catch (error) {
      if (request.uniqueKey === null || !isUniqueViolation(error, names.uniqueKeyIndex)) throw error;

      const open = await openItemWithKey(executor, statements, request.uniqueKey, request.itemId);
      if (open) throw request.conflict(open, error);
      if (round >= MAX_ADMISSION_ROUNDS) {
        throw new WorkQueueError("CONFLICT", `Unique key "${request.uniqueKey}" was taken and released repeatedly while this item was queued; try again.`, { cause: error });
      }
    }
  }
}
