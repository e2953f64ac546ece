import type {
  CancelClaimedParams,
  CompleteItemParams,
  FailItemParams,
  FencedParams,
  HeartbeatParams,
  ReleaseItemParams,
  ReportProgressParams,
} from "@logmk/workqueue";
import { type SqlParameter, type SqlStatement, param } from "../../executor.js";
import type { QueueTables } from "../tables.js";
import { type EventColumns, WRITE_PROLOGUE, changedItemSelect, eventInsert, plainEvent } from "./fragments.js";

/** Lease fields cleared whenever an item stops running. */
const CLEAR_LEASE = "[LockedBy] = NULL, [LeaseExpiresAt] = NULL";

/**
 * Builds a write by the worker that holds the lease: it matches on the id, IN_PROGRESS and the fencing
 * token of the claim, so a worker whose lease was recovered and claimed again changes nothing.
 */
function fencedWrite(tables: QueueTables, name: string, fenced: FencedParams, assignments: string, event: EventColumns | null, parameters: SqlParameter[]): SqlStatement {
  const update = `UPDATE ${tables.items}
SET ${assignments}
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
WHERE [Id] = @Id AND [Status] = 'IN_PROGRESS' AND [FencingToken] = @FencingToken;`;
  const body = event === null ? update : `BEGIN TRANSACTION;\n${update}\n${eventInsert(tables, event)}\nCOMMIT TRANSACTION;`;

  return {
    name,
    text: `${WRITE_PROLOGUE}\n${body}\n${changedItemSelect(tables)}`,
    parameters: [param.bigint("Id", fenced.id), param.bigint("FencingToken", fenced.fencingToken), ...parameters],
  };
}

/** Binds the JSON text of a checkpoint and whether to write it at all (undefined keeps the stored one). */
function checkpointParameters(checkpoint: unknown): SqlParameter[] {
  const keep = checkpoint === undefined;
  const value = keep || checkpoint === null ? null : JSON.stringify(checkpoint);
  return [param.bit("SetCheckpoint", !keep), param.nvarchar("Checkpoint", value, null)];
}

const SET_CHECKPOINT = "[Checkpoint] = CASE WHEN @SetCheckpoint = 1 THEN @Checkpoint ELSE [Checkpoint] END";
const SET_RECORDS = "[RecordsAffected] = COALESCE(@RecordsAffected, [RecordsAffected])";

export function itemHeartbeat(tables: QueueTables, params: HeartbeatParams): SqlStatement {
  return fencedWrite(tables, "itemHeartbeat", params, "[LeaseExpiresAt] = DATEADD(millisecond, @LeaseMs, @Now)", null, [param.int("LeaseMs", params.leaseMs)]);
}

/** Builds the progress write. The purge target runs this same statement inside each chunk's transaction. */
export function itemProgress(tables: QueueTables, params: ReportProgressParams): SqlStatement {
  const keepEstimate = params.estimatedRecords === undefined;
  return fencedWrite(
    tables,
    "itemProgress",
    params,
    `[RecordsAffected] = CASE WHEN @RecordsAdded IS NULL THEN @RecordsAffected ELSE [RecordsAffected] + @RecordsAdded END,
  [Progress] = @Progress,
  [EstimatedRecords] = CASE WHEN @SetEstimatedRecords = 1 THEN @EstimatedRecords ELSE [EstimatedRecords] END,
  ${SET_CHECKPOINT},
  [LeaseExpiresAt] = CASE WHEN @LeaseMs IS NULL THEN [LeaseExpiresAt] ELSE DATEADD(millisecond, @LeaseMs, @Now) END,
  [UpdatedAt] = @Now`,
    plainEvent("QueueItemProgress"),
    [
      param.bigint("RecordsAffected", params.recordsAffected),
      param.bigint("RecordsAdded", params.recordsAdded ?? null),
      param.float("Progress", params.progress),
      param.bit("SetEstimatedRecords", !keepEstimate),
      param.bigint("EstimatedRecords", keepEstimate ? null : (params.estimatedRecords ?? null)),
      ...checkpointParameters(params.checkpoint),
      param.int("LeaseMs", params.leaseMs ?? null),
    ],
  );
}

export function itemComplete(tables: QueueTables, params: CompleteItemParams): SqlStatement {
  return fencedWrite(
    tables,
    "itemComplete",
    params,
    `[Status] = 'COMPLETED', [StopReason] = 'completed', [Progress] = 100, [ErrorMessage] = NULL,
  ${SET_RECORDS},
  ${SET_CHECKPOINT},
  [CompletedAt] = @Now, [UpdatedAt] = @Now, ${CLEAR_LEASE}`,
    plainEvent("QueueItemCompleted"),
    [param.bigint("RecordsAffected", params.recordsAffected ?? null), ...checkpointParameters(params.checkpoint)],
  );
}

/** Back to PENDING after the delay while attempts are left and a delay is given, else FAILED. */
export function itemFail(tables: QueueTables, params: FailItemParams): SqlStatement {
  const retry = "@RetryDelayMs IS NOT NULL AND [Attempts] < [MaxAttempts]";
  return fencedWrite(
    tables,
    "itemFail",
    params,
    `[ErrorMessage] = @ErrorMessage,
  [Status] = CASE WHEN ${retry} THEN 'PENDING' ELSE 'FAILED' END,
  [RunAt] = CASE WHEN ${retry} THEN DATEADD(millisecond, @RetryDelayMs, @Now) ELSE [RunAt] END,
  [CompletedAt] = CASE WHEN ${retry} THEN [CompletedAt] ELSE @Now END,
  [StopReason] = @StopReason, [UpdatedAt] = @Now, ${CLEAR_LEASE}`,
    {
      name: "CASE c.[Status] WHEN 'PENDING' THEN 'QueueItemRetried' ELSE 'QueueItemFailed' END",
      reason: "CASE WHEN c.[Status] = 'PENDING' THEN 'backoff' END",
      errorMessage: "CASE WHEN c.[Status] = 'PENDING' THEN @ErrorMessage END",
    },
    [param.nvarchar("ErrorMessage", params.errorMessage, 4000), param.int("RetryDelayMs", params.retryDelayMs), param.varchar("StopReason", params.stopReason, 16)],
  );
}

export function itemCancelClaimed(tables: QueueTables, params: CancelClaimedParams): SqlStatement {
  return fencedWrite(
    tables,
    "itemCancelClaimed",
    params,
    `[Status] = 'CANCELLED', [StopReason] = 'cancelled',
  [CancelRequestedAt] = COALESCE([CancelRequestedAt], @Now),
  ${SET_RECORDS},
  ${SET_CHECKPOINT},
  [CompletedAt] = @Now, [UpdatedAt] = @Now, ${CLEAR_LEASE}`,
    plainEvent("QueueItemCancelled"),
    [param.bigint("RecordsAffected", params.recordsAffected ?? null), ...checkpointParameters(params.checkpoint)],
  );
}

/** Back to PENDING without using up the attempt: the processor stopped or the window closed. */
export function itemRelease(tables: QueueTables, params: ReleaseItemParams): SqlStatement {
  return fencedWrite(
    tables,
    "itemRelease",
    params,
    `[Status] = 'PENDING',
  [Attempts] = CASE WHEN [Attempts] > 0 THEN [Attempts] - 1 ELSE 0 END,
  [RunAt] = COALESCE(@RunAt, @Now),
  [StopReason] = @Reason, [UpdatedAt] = @Now, ${CLEAR_LEASE}`,
    { name: "'QueueItemRetried'", reason: "@Reason", errorMessage: "NULL" },
    [param.datetime2("RunAt", params.runAt), param.varchar("Reason", params.reason, 16)],
  );
}
