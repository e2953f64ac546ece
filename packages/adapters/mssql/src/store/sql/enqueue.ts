import type { EnqueueParams, RetryItemParams } from "@logmk/workqueue";
import { type SqlParameter, type SqlStatement, param } from "../../executor.js";
import { itemColumnList } from "../row.js";
import type { QueueTables } from "../tables.js";
import { WRITE_PROLOGUE, conflictSelect, eventInsert, plainEvent, queueLimitCheck } from "./fragments.js";

/** Settings of the queue size lock, shared by enqueue and retry. */
export interface LimitLock {
  maxOpenItems: number | null;
  lockTimeoutMs: number;
}

function limitParameters(tables: QueueTables, lock: LimitLock): SqlParameter[] {
  return [param.int("MaxOpenItems", lock.maxOpenItems), param.nvarchar("LockResource", tables.enqueueLock, 255), param.int("LockTimeoutMs", lock.lockTimeoutMs)];
}

/**
 * Runs `write` so that a duplicate key on the unique index ends the batch with `CONFLICT` and the
 * open item, instead of an error. The explicit check before it catches the common case, and this
 * guard covers the race where two callers insert the same key at once.
 */
function uniqueGuard(tables: QueueTables, write: string, exceptIdParameter: string | null): string {
  return `BEGIN TRY
${write}
END TRY
BEGIN CATCH
  IF XACT_STATE() <> 0
    ROLLBACK TRANSACTION;
  IF ERROR_NUMBER() IN (2601, 2627)
  BEGIN
    ${conflictSelect(tables, exceptIdParameter)}
    RETURN;
  END;
  THROW;
END CATCH;`;
}

function openKeyCheck(tables: QueueTables, exceptIdParameter: string | null): string {
  const except = exceptIdParameter === null ? "" : ` AND [Id] <> ${exceptIdParameter}`;
  return `IF @UniqueKey IS NOT NULL AND EXISTS (SELECT 1 FROM ${tables.items} WHERE [UniqueKey] = @UniqueKey AND [Status] IN ('PENDING', 'IN_PROGRESS')${except})
BEGIN
  ROLLBACK TRANSACTION;
  ${conflictSelect(tables, exceptIdParameter)}
  RETURN;
END;`;
}

/**
 * Inserts a PENDING item with its `QueueItemAdded` event. Ends with `APPLIED` and the item,
 * `CONFLICT` and the open item holding the key, or `QUEUE_FULL`.
 */
export function itemInsert(tables: QueueTables, params: EnqueueParams, lockTimeoutMs: number): SqlStatement {
  const { item } = params;
  const insert = `INSERT INTO ${tables.items} ([Type], [Status], [PodName], [Deployment], [Payload], [Metadata], [Priority], [RunAt], [Schedule], [CreatedAt], [UpdatedAt], [EstimatedRecords], [MaxAttempts], [UniqueKey], [CreatedBy])
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
VALUES (@Type, 'PENDING', @PodName, @Deployment, @Payload, @Metadata, @Priority, COALESCE(@RunAt, @Now), @Schedule, @Now, @Now, @EstimatedRecords, @MaxAttempts, @UniqueKey, @CreatedBy);`;

  return {
    name: "itemInsert",
    text: `${WRITE_PROLOGUE}
BEGIN TRANSACTION;
${openKeyCheck(tables, null)}
${queueLimitCheck(tables)}
${uniqueGuard(tables, insert, null)}
${eventInsert(tables, plainEvent("QueueItemAdded"))}
COMMIT TRANSACTION;
SELECT 'APPLIED' AS [Outcome], ${itemColumnList("q")} FROM ${tables.items} AS q INNER JOIN @Changed AS c ON c.[Id] = q.[Id];`,
    parameters: [
      param.nvarchar("Type", item.type, 64),
      param.nvarchar("PodName", item.podName, 256),
      param.nvarchar("Deployment", item.deployment, 256),
      param.nvarchar("Payload", JSON.stringify(item.payload), null),
      param.nvarchar("Metadata", item.metadata === null ? null : JSON.stringify(item.metadata), null),
      param.int("Priority", item.priority),
      param.datetime2("RunAt", item.runAt),
      param.varchar("Schedule", item.schedule, 16),
      param.bigint("EstimatedRecords", item.estimatedRecords),
      param.int("MaxAttempts", item.maxAttempts),
      param.nvarchar("UniqueKey", item.uniqueKey, 600),
      param.nvarchar("CreatedBy", item.createdBy, 256),
      ...limitParameters(tables, { maxOpenItems: params.maxOpenItems, lockTimeoutMs }),
    ],
  };
}

/**
 * Puts a FAILED or CANCELLED item back to PENDING with its attempts reset, keeping its progress
 * and checkpoint. An off-peak item waits until `@OffPeakRunAt` when that is later than now. Ends with `APPLIED`, `NOT_APPLIED` (missing or not retryable), `CONFLICT` or
 * `QUEUE_FULL`; `PreviousErrorMessage` carries the error the retry cleared.
 */
export function itemRetry(tables: QueueTables, params: RetryItemParams, lockTimeoutMs: number): SqlStatement {
  const update = `UPDATE ${tables.items}
SET [Status] = 'PENDING', [Attempts] = 0, [ErrorMessage] = NULL,
  [RunAt] = CASE WHEN [Schedule] = 'off-peak' AND @OffPeakRunAt > @Now THEN @OffPeakRunAt ELSE @Now END, [CompletedAt] = NULL,
  [CancelRequestedAt] = NULL, [StopReason] = NULL, [UpdatedAt] = @Now, [LockedBy] = NULL, [LeaseExpiresAt] = NULL
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
WHERE [Id] = @Id AND [Status] IN ('FAILED', 'CANCELLED');`;

  return {
    name: "itemRetry",
    text: `${WRITE_PROLOGUE}
DECLARE @UniqueKey nvarchar(600);
DECLARE @PreviousErrorMessage nvarchar(4000);
BEGIN TRANSACTION;
SELECT @UniqueKey = [UniqueKey], @PreviousErrorMessage = [ErrorMessage]
FROM ${tables.items} WITH (UPDLOCK, ROWLOCK)
WHERE [Id] = @Id AND [Status] IN ('FAILED', 'CANCELLED');
IF @@ROWCOUNT = 0
BEGIN
  ROLLBACK TRANSACTION;
  SELECT 'NOT_APPLIED' AS [Outcome], ${itemColumnList("q")} FROM (VALUES (1)) AS one ([Row]) LEFT JOIN ${tables.items} AS q ON q.[Id] = @Id;
  RETURN;
END;
${openKeyCheck(tables, "@Id")}
${queueLimitCheck(tables)}
${uniqueGuard(tables, update, "@Id")}
${eventInsert(tables, { name: "'QueueItemRetried'", reason: "'manual'", errorMessage: "@PreviousErrorMessage" })}
COMMIT TRANSACTION;
SELECT 'APPLIED' AS [Outcome], @PreviousErrorMessage AS [PreviousErrorMessage], ${itemColumnList("q")} FROM ${tables.items} AS q INNER JOIN @Changed AS c ON c.[Id] = q.[Id];`,
    parameters: [param.bigint("Id", params.id), param.datetime2("OffPeakRunAt", params.offPeakRunAt ?? null), ...limitParameters(tables, { maxOpenItems: params.maxOpenItems, lockTimeoutMs })],
  };
}
