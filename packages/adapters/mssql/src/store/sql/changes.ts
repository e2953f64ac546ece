import type { ItemIdParams } from "@logmk/workqueue";
import { type SqlStatement, param } from "../../executor.js";
import type { QueueTables } from "../tables.js";
import { WRITE_PROLOGUE, changedItemSelect, eventInsert, plainEvent } from "./fragments.js";

/** Marks a running item for cancellation; its worker learns of it from its next fenced write. */
export function itemCancelRequest(tables: QueueTables, params: ItemIdParams): SqlStatement {
  return {
    name: "itemCancelRequest",
    text: `${WRITE_PROLOGUE}
UPDATE ${tables.items}
SET [UpdatedAt] = CASE WHEN [CancelRequestedAt] IS NULL THEN @Now ELSE [UpdatedAt] END,
  [CancelRequestedAt] = COALESCE([CancelRequestedAt], @Now)
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
WHERE [Id] = @Id AND [Status] = 'IN_PROGRESS';
${changedItemSelect(tables)}`,
    parameters: [param.bigint("Id", params.id)],
  };
}

/** Ends a PENDING item CANCELLED. A claim holding the row makes this wait, then match nothing. */
export function itemCancelPending(tables: QueueTables, params: ItemIdParams): SqlStatement {
  return {
    name: "itemCancelPending",
    text: `${WRITE_PROLOGUE}
BEGIN TRANSACTION;
UPDATE ${tables.items}
SET [Status] = 'CANCELLED', [StopReason] = 'cancelled', [CancelRequestedAt] = @Now,
  [CompletedAt] = @Now, [UpdatedAt] = @Now, [LockedBy] = NULL, [LeaseExpiresAt] = NULL
OUTPUT inserted.[Id], inserted.[Status] INTO @Changed ([Id], [Status])
WHERE [Id] = @Id AND [Status] = 'PENDING';
${eventInsert(tables, plainEvent("QueueItemCancelled"))}
COMMIT TRANSACTION;
${changedItemSelect(tables)}`,
    parameters: [param.bigint("Id", params.id)],
  };
}
