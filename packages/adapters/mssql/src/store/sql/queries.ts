import type { FindOpenByPodParams, ListItemsParams, ReadEventsParams } from "@logmk/workqueue";
import { type SqlParameter, type SqlStatement, param } from "../../executor.js";
import { itemColumnList } from "../row.js";
import type { QueueTables } from "../tables.js";

export function itemGet(tables: QueueTables, id: number): SqlStatement {
  return {
    name: "itemGet",
    text: `SELECT ${itemColumnList("q")} FROM ${tables.items} AS q WHERE q.[Id] = @Id;`,
    parameters: [param.bigint("Id", id)],
  };
}

/** Newest first, with the filters that were given; `before` pages by id. */
export function itemsList(tables: QueueTables, params: ListItemsParams): SqlStatement {
  const conditions: string[] = [];
  const parameters: SqlParameter[] = [param.int("Limit", params.limit)];

  if (params.status !== undefined) {
    conditions.push("q.[Status] = @Status");
    parameters.push(param.varchar("Status", params.status, 16));
  }
  if (params.type !== undefined) {
    conditions.push("q.[Type] = @Type");
    parameters.push(param.nvarchar("Type", params.type, 64));
  }
  if (params.podName !== undefined) {
    conditions.push("q.[PodName] = @PodName");
    parameters.push(param.nvarchar("PodName", params.podName, 256));
  }
  if (params.deployment !== undefined) {
    conditions.push("q.[Deployment] = @Deployment");
    parameters.push(param.nvarchar("Deployment", params.deployment, 256));
  }
  if (params.before !== undefined) {
    conditions.push("q.[Id] < @Before");
    parameters.push(param.bigint("Before", params.before));
  }

  const where = conditions.length === 0 ? "" : `\nWHERE ${conditions.join(" AND ")}`;
  return {
    name: "itemsList",
    text: `SELECT TOP (@Limit) ${itemColumnList("q")} FROM ${tables.items} AS q${where}\nORDER BY q.[Id] DESC;`,
    parameters,
  };
}

/** Open items of a pod, oldest first; a null or absent deployment matches every deployment. */
export function itemsOpenByPod(tables: QueueTables, params: FindOpenByPodParams): SqlStatement {
  const byDeployment = params.deployment !== undefined && params.deployment !== null;
  return {
    name: "itemsOpenByPod",
    text: `SELECT ${itemColumnList("q")} FROM ${tables.items} AS q
WHERE q.[PodName] = @PodName AND q.[Status] IN ('PENDING', 'IN_PROGRESS')${byDeployment ? " AND q.[Deployment] = @Deployment" : ""}
ORDER BY q.[Id];`,
    parameters: [param.nvarchar("PodName", params.podName, 256), ...(byDeployment ? [param.nvarchar("Deployment", params.deployment!, 256)] : [])],
  };
}

/** Three result sets: counts per status, the oldest eligible RunAt, and the database's time. */
export function itemsCountByStatus(tables: QueueTables): SqlStatement {
  return {
    name: "itemsCountByStatus",
    text: `SET NOCOUNT ON;
DECLARE @Now datetime2(3) = SYSUTCDATETIME();
SELECT [Status], COUNT_BIG(*) AS [Count] FROM ${tables.items} GROUP BY [Status];
SELECT MIN([RunAt]) AS [OldestEligibleRunAt] FROM ${tables.items} WHERE [Status] = 'PENDING' AND [RunAt] <= @Now;
SELECT @Now AS [Now];`,
    parameters: [],
  };
}

/**
 * Deletes one batch of finished items. READPAST skips rows another cleanup holds, so several
 * instances can clean up at once; the caller repeats until a batch comes back short.
 */
export function itemsDeleteFinished(tables: QueueTables, before: Date, batchSize: number): SqlStatement {
  return {
    name: "itemsDeleteFinished",
    text: `DELETE TOP (@BatchSize) FROM ${tables.items} WITH (READPAST, ROWLOCK)
WHERE [Status] IN ('COMPLETED', 'FAILED', 'CANCELLED') AND [CompletedAt] < @Before;
SELECT @@ROWCOUNT AS [Deleted];`,
    parameters: [param.int("BatchSize", batchSize), param.datetime2("Before", before)],
  };
}

export function eventsRead(tables: QueueTables, params: ReadEventsParams): SqlStatement {
  return {
    name: "eventsRead",
    text: `SELECT TOP (@Limit) [Id], [Name], [ItemId], [At], [Item], [Reason], [ErrorMessage]
FROM ${tables.events} WHERE [Id] > @AfterId ORDER BY [Id];`,
    parameters: [param.int("Limit", params.limit), param.bigint("AfterId", params.afterId)],
  };
}

export function eventsLastId(tables: QueueTables): SqlStatement {
  return { name: "eventsLastId", text: `SELECT COALESCE(MAX([Id]), 0) AS [LastId] FROM ${tables.events};`, parameters: [] };
}

/** Deletes one batch of old events, with READPAST as for items. */
export function eventsDeleteBefore(tables: QueueTables, before: Date, batchSize: number): SqlStatement {
  return {
    name: "eventsDeleteBefore",
    text: `DELETE TOP (@BatchSize) FROM ${tables.events} WITH (READPAST, ROWLOCK) WHERE [At] < @Before;
SELECT @@ROWCOUNT AS [Deleted];`,
    parameters: [param.int("BatchSize", batchSize), param.datetime2("Before", before)],
  };
}

/**
 * Reads the change marker that notices poll: the newest event id, and the newest id of an event that
 * makes work available (an item added or put back to PENDING). It reads only ids after the last
 * poll, through the primary key, and READPAST keeps it from waiting on uncommitted inserts.
 */
export function eventsChangeMarker(tables: QueueTables, afterId: number): SqlStatement {
  return {
    name: "eventsChangeMarker",
    text: `SELECT MAX([Id]) AS [LastId], MAX(CASE WHEN [Name] IN ('QueueItemAdded', 'QueueItemRetried') THEN [Id] END) AS [LastWorkId]
FROM ${tables.events} WITH (READPAST) WHERE [Id] > @AfterId;`,
    parameters: [param.bigint("AfterId", afterId)],
  };
}

export function databaseNow(): SqlStatement {
  return { name: "databaseNow", text: "SELECT SYSUTCDATETIME() AS [Now];", parameters: [] };
}
