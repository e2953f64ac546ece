import type { ClaimParams, RecoverParams } from "@logmk/workqueue";
import { type SqlStatement, param } from "../../executor.js";
import { itemColumnList } from "../row.js";
import type { QueueTables } from "../tables.js";
import { WRITE_PROLOGUE, eventInsert, plainEvent } from "./fragments.js";

/**
 * Claims the next eligible items in one statement. The ordered CTE reads the claim index in
 * priority, then RunAt, then Id order. UPDLOCK makes the read see the latest committed row even
 * under READ COMMITTED SNAPSHOT. READPAST skips rows another claimer has locked, and ROWLOCK keeps
 * the locks to those rows. The UPDATE re-checks the status for a row that changed after the read.
 */
export function itemsClaim(tables: QueueTables, params: ClaimParams): SqlStatement {
  const typeNames = params.types.map((_, index) => `@Type${index}`);

  return {
    name: "itemsClaim",
    text: `${WRITE_PROLOGUE}
BEGIN TRANSACTION;
WITH [Next] AS (
  SELECT TOP (@Limit) *
  FROM ${tables.items} WITH (UPDLOCK, READPAST, ROWLOCK)
  WHERE [Status] = 'PENDING' AND [RunAt] <= @Now AND [Type] IN (${typeNames.join(", ")})
  ORDER BY [Priority] DESC, [RunAt], [Id]
)
UPDATE [Next]
SET [Status] = 'IN_PROGRESS',
  [Attempts] = [Attempts] + 1,
  [RecordsAtClaim] = [RecordsAffected],
  [FencingToken] = [FencingToken] + 1,
  [LockedBy] = @WorkerId,
  [LeaseExpiresAt] = DATEADD(millisecond, @LeaseMs, @Now),
  [StartedAt] = @Now,
  [UpdatedAt] = @Now,
  [StopReason] = NULL
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
OUTPUT inserted.*
WHERE [Status] = 'PENDING';
${eventInsert(tables, plainEvent("QueueItemStarted"))}
COMMIT TRANSACTION;`,
    parameters: [
      param.int("Limit", params.limit),
      param.nvarchar("WorkerId", params.workerId, 256),
      param.int("LeaseMs", params.leaseMs),
      ...params.types.map((type, index) => param.nvarchar(`Type${index}`, type, 64)),
    ],
  };
}

/**
 * Ends or returns the items whose lease expired: CANCELLED when a cancel was requested, PENDING
 * after the delay while attempts are left, FAILED otherwise. READPAST lets several processes
 * recover at once without waiting on each other.
 */
export function itemsRecoverExpired(tables: QueueTables, params: RecoverParams): SqlStatement {
  const retried = "[CancelRequestedAt] IS NULL AND [Attempts] < [MaxAttempts]";

  return {
    name: "itemsRecoverExpired",
    text: `${WRITE_PROLOGUE}
BEGIN TRANSACTION;
WITH [Expired] AS (
  SELECT TOP (@Limit) *
  FROM ${tables.items} WITH (UPDLOCK, READPAST, ROWLOCK)
  WHERE [Status] = 'IN_PROGRESS' AND [LeaseExpiresAt] <= @Now
  ORDER BY [Id]
)
UPDATE [Expired]
SET [Status] = CASE WHEN [CancelRequestedAt] IS NOT NULL THEN 'CANCELLED' WHEN [Attempts] < [MaxAttempts] THEN 'PENDING' ELSE 'FAILED' END,
  [StopReason] = CASE WHEN [CancelRequestedAt] IS NOT NULL THEN 'cancelled' ELSE 'lease-lost' END,
  [RunAt] = CASE WHEN ${retried} THEN DATEADD(millisecond, @RetryDelayMs, @Now) ELSE [RunAt] END,
  [CompletedAt] = CASE WHEN ${retried} THEN [CompletedAt] ELSE @Now END,
  [ErrorMessage] = CASE
    WHEN [CancelRequestedAt] IS NULL AND [Attempts] >= [MaxAttempts]
      THEN CONCAT(N'The worker''s lease expired on attempt ', [Attempts], N' of ', [MaxAttempts], N'; the worker probably crashed or lost its connection.')
    ELSE [ErrorMessage] END,
  [UpdatedAt] = @Now,
  [LockedBy] = NULL,
  [LeaseExpiresAt] = NULL
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
WHERE [Status] = 'IN_PROGRESS' AND [LeaseExpiresAt] <= @Now;
${eventInsert(tables, {
  name: "CASE c.[Status] WHEN 'CANCELLED' THEN 'QueueItemCancelled' WHEN 'PENDING' THEN 'QueueItemRetried' ELSE 'QueueItemFailed' END",
  reason: "CASE WHEN c.[Status] = 'PENDING' THEN 'lease-expired' END",
  errorMessage: "CASE WHEN c.[Status] = 'PENDING' THEN q.[ErrorMessage] END",
})}
COMMIT TRANSACTION;
SELECT ${itemColumnList("q")} FROM ${tables.items} AS q INNER JOIN @Changed AS c ON c.[Id] = q.[Id] ORDER BY q.[Id];`,
    parameters: [param.int("Limit", params.limit), param.int("RetryDelayMs", params.retryDelayMs)],
  };
}
