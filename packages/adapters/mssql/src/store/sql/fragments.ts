import { itemColumnList } from "../row.js";
import type { QueueTables } from "../tables.js";

/**
 * Opening of every write batch. XACT_ABORT rolls the whole transaction back on any error or
 * client timeout; it applies to this batch only, since the driver runs it through sp_executesql.
 */
export const WRITE_PROLOGUE = `SET NOCOUNT ON;
SET XACT_ABORT ON;
DECLARE @Now datetime2(3) = SYSUTCDATETIME();
DECLARE @Changed TABLE ([Id] bigint NOT NULL PRIMARY KEY, [Status] varchar(16) NOT NULL);`;

/** T-SQL expressions for the columns of one event row, evaluated per changed item (`q`, `c`). */
export interface EventColumns {
  name: string;
  reason: string;
  errorMessage: string;
}

/**
 * Records one event per row in `@Changed`, with a snapshot of the item as the change left it. The
 * snapshot has the same JSON shape as a row of the items table, so one mapper reads both.
 */
export function eventInsert(tables: QueueTables, columns: EventColumns): string {
  return `INSERT INTO ${tables.events} ([Name], [ItemId], [At], [Item], [Reason], [ErrorMessage])
SELECT ${columns.name}, q.[Id], @Now,
  (SELECT ${itemColumnList("s")} FROM ${tables.items} AS s WHERE s.[Id] = q.[Id] FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES),
  ${columns.reason}, ${columns.errorMessage}
FROM ${tables.items} AS q INNER JOIN @Changed AS c ON c.[Id] = q.[Id]
ORDER BY q.[Id];`;
}

/** Returns the event columns of a change that records one fixed event name without a reason. */
export function plainEvent(name: string): EventColumns {
  return { name: `'${name}'`, reason: "NULL", errorMessage: "NULL" };
}

/**
 * Ends a write to one item: whether it applied, and the item as it is now (all nulls when the
 * item does not exist), so a caller that lost its lease can tell why.
 */
export function changedItemSelect(tables: QueueTables): string {
  return `SELECT CASE WHEN EXISTS (SELECT 1 FROM @Changed) THEN 1 ELSE 0 END AS [Applied], ${itemColumnList("q")}
FROM (VALUES (1)) AS one ([Row]) LEFT JOIN ${tables.items} AS q ON q.[Id] = @Id;`;
}

/**
 * Serializes size-limited enqueues and retries: the open-item count and the insert happen under
 * one exclusive application lock held until the transaction ends, so racing callers cannot both
 * see room for one more item. Ends the batch with `QUEUE_FULL` when there is no room.
 */
export function queueLimitCheck(tables: QueueTables): string {
  return `IF @MaxOpenItems IS NOT NULL
BEGIN
  DECLARE @LockResult int;
  EXEC @LockResult = sys.sp_getapplock @Resource = @LockResource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = @LockTimeoutMs;
  IF @LockResult < 0
    THROW 51001, N'Timed out waiting for the queue size lock; retry the request.', 1;
  IF (SELECT COUNT_BIG(*) FROM ${tables.items} WHERE [Status] IN ('PENDING', 'IN_PROGRESS')) >= @MaxOpenItems
  BEGIN
    ROLLBACK TRANSACTION;
    SELECT 'QUEUE_FULL' AS [Outcome];
    RETURN;
  END;
END;`;
}

/** Ends a batch with `CONFLICT` and the open item holding `@UniqueKey`, if it is still open. */
export function conflictSelect(tables: QueueTables, exceptIdParameter: string | null): string {
  const except = exceptIdParameter === null ? "" : ` AND q.[Id] <> ${exceptIdParameter}`;
  return `SELECT 'CONFLICT' AS [Outcome], ${itemColumnList("q")}
FROM (VALUES (1)) AS one ([Row])
LEFT JOIN ${tables.items} AS q ON q.[UniqueKey] = @UniqueKey AND q.[Status] IN ('PENDING', 'IN_PROGRESS')${except};`;
}
