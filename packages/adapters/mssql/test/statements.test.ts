import { createMssqlLogTarget, createMssqlStore, type SqlStatement } from "@logmk/workqueue-mssql";
import { newItem } from "@logmk/workqueue/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { CURSOR, distinctTexts, exerciseAdapter } from "./support/exercise.js";
import { parseBatch } from "./support/parse.js";
import { createRecordingExecutor, type RecordedStatement, type RecordingExecutor } from "./support/recording-executor.js";
import { respondLikeServer } from "./support/responses.js";
import { codeOnly } from "./support/tsql.js";

let recorded: Awaited<ReturnType<typeof exerciseAdapter>>;
let texts: Map<string, SqlStatement>;

beforeAll(async () => {
  recorded = await exerciseAdapter();
  texts = distinctTexts(recorded.statements);
});

function only(executor: RecordingExecutor, name: string): RecordedStatement {
  const found = executor.named(name);
  expect(found.length, `statements named ${name}`).toBeGreaterThan(0);
  return found[0]!;
}

/** Local variables a batch declares itself, which need no bound parameter. */
function declaredVariables(text: string): Set<string> {
  const names = new Set<string>();
  for (const declaration of codeOnly(text).matchAll(/DECLARE\s+([^;]+);/g)) {
    for (const match of declaration[1]!.matchAll(/(?:^|,)\s*@(\w+)/g)) names.add(match[1]!);
  }
  return names;
}

function referencedVariables(text: string): Set<string> {
  // Named arguments of sp_getapplock (@Resource = ..., @LockMode = ...) are not variables.
  const code = codeOnly(text).replace(/sp_getapplock[^;]*/g, (call) => call.replace(/@\w+ = (?=[@'])/g, ""));
  return new Set([...code.matchAll(/(?<![@\w])@(\w+)/g)].map((match) => match[1]!));
}

/** The text that a `TOP (1)` selects from, at its own nesting level: it must hold the ORDER BY. */
function topOneScopes(text: string): string[] {
  const code = codeOnly(text);
  const scopes: string[] = [];
  for (let start = code.indexOf("TOP (1)"); start !== -1; start = code.indexOf("TOP (1)", start + 1)) {
    let depth = 0;
    let scope = "";
    for (let index = start + "TOP (1)".length; index < code.length; index++) {
      const char = code[index]!;
      if (char === "(") depth++;
      if (char === ")") depth--;
      if (depth < 0 || (depth === 0 && char === ";")) break;
      if (depth === 0) scope += char;
    }
    scopes.push(scope);
  }
  return scopes;
}

const EXPECTED_NAMES = [
  "migrationLockAcquire",
  "migrationsApplied",
  "migrationApply",
  "migrationRecord",
  "databaseNow",
  "itemInsert",
  "itemsClaim",
  "itemHeartbeat",
  "itemProgress",
  "itemComplete",
  "itemFail",
  "itemCancelClaimed",
  "itemRelease",
  "itemCancelRequest",
  "itemCancelPending",
  "itemRetry",
  "itemsRecoverExpired",
  "itemGet",
  "itemsList",
  "itemsOpenByPod",
  "itemsCountByStatus",
  "itemsDeleteFinished",
  "eventsRead",
  "eventsLastId",
  "eventsDeleteBefore",
  "logMaxId",
  "logPodDeployments",
  "logPodExists",
  "logPodStatistics",
  "logPods",
  "logDeleteChunk",
];

describe("every statement", () => {
  it("covers each statement builder", () => {
    const names = new Set(recorded.statements.map((statement) => statement.name));
    for (const name of EXPECTED_NAMES) expect(names, name).toContain(name);
  });

  it("parses with the T-SQL parser where it understands the syntax", () => {
    const notParsed = new Map<string, Set<string>>();
    for (const [key, statement] of texts) {
      for (const result of parseBatch(statement.text)) {
        expect(result.outcome, `${key}: ${result.statement}\n${result.error ?? ""}`).not.toBe("failed");
        if (result.outcome !== "not parsed") continue;
        for (const reason of result.reasons) {
          const names = notParsed.get(reason) ?? new Set<string>();
          names.add(statement.name);
          notParsed.set(reason, names);
        }
      }
    }

    // node-sql-parser 5 has no grammar for these; everything else parses, some after the rewrites listed in support/parse.ts.
    expect(Object.fromEntries([...notParsed].map(([reason, names]) => [reason, [...names].sort()]))).toEqual({
      "THROW and RETURN": ["itemInsert", "itemRetry", "migrationLockAcquire"],
      "EXEC of a system procedure, with or without a return value": ["itemInsert", "itemRetry", "migrationLockAcquire"],
    });
  });

  it("binds every variable it does not declare", () => {
    for (const [key, statement] of texts) {
      const declared = declaredVariables(statement.text);
      const bound = new Set(statement.parameters.map((parameter) => parameter.name));
      for (const name of referencedVariables(statement.text)) {
        if (!declared.has(name)) expect(bound, `${key} references @${name}`).toContain(name);
      }
      for (const name of bound) expect(referencedVariables(statement.text), `${key} binds @${name}`).toContain(name);
    }
  });

  it("pastes no bound value into the text", () => {
    for (const statement of recorded.statements) {
      for (const parameter of statement.parameters) {
        // Table and column names go to OBJECT_ID and COLUMNPROPERTY as values and appear quoted in the text too.
        if (/(Table|Column)$/.test(parameter.name)) continue;
        if (typeof parameter.value === "string" && parameter.value.length >= 6) {
          expect(statement.text, `${statement.name} @${parameter.name}`).not.toContain(parameter.value);
        }
      }
    }
  });

  it("keeps hostile text out of the statement", async () => {
    const hostile = "x'); DROP TABLE [dbo].[Log]; --";
    const executor = createRecordingExecutor(respondLikeServer());
    const store = createMssqlStore({ executor });
    const target = createMssqlLogTarget({ executor });

    await store.enqueue({ item: newItem({ podName: hostile, deployment: hostile, uniqueKey: hostile, createdBy: hostile, payload: { note: hostile } }), maxOpenItems: 10 });
    await store.listItems({ limit: 10, podName: hostile, deployment: hostile, type: hostile });
    await target.findPod({ podName: hostile });
    await target.deleteChunk({ range: { deployment: hostile, podName: hostile, from: null, to: new Date(), maxId: 10 }, cursor: null, limit: 10, statementTimeoutMs: 1_000 });

    expect(executor.statements).toHaveLength(4);
    for (const statement of executor.statements) {
      expect(statement.text, statement.name).not.toContain("DROP TABLE");
      expect(statement.parameters.some((parameter) => typeof parameter.value === "string" && parameter.value.includes(hostile)), statement.name).toBe(true);
    }
  });

  it("quotes every table and column name with brackets", () => {
    const names = ["queue", "logs", "dbo", "WorkQueue", "WorkQueueEvents", "WorkQueueMigrations", "Log", "Id", "Deployment", "Pod", "TimeStamp", "Status", "Type", "PodName", "Payload", "Priority", "RunAt", "FencingToken", "Attempts", "UniqueKey", "Checkpoint"];
    for (const [key, statement] of texts) {
      const unquoted = codeOnly(statement.text).replace(/\[(?:[^\]]|\]\])*\]/g, "[]");
      for (const name of names) expect(unquoted, `${key}: ${name}`).not.toMatch(new RegExp(`(?<![@\\w])${name}(?!\\w)`));
    }
  });

  it("orders every SELECT TOP", () => {
    for (const [key, statement] of texts) {
      for (const scope of topOneScopes(statement.text)) expect(scope, `${key}: TOP (1) ${scope}`).toMatch(/ORDER BY/);
      for (const match of codeOnly(statement.text).matchAll(/SELECT TOP \(@\w+\)[^;]*/g)) expect(match[0], key).toMatch(/ORDER BY/);
    }
  });
});

describe("claim statement", () => {
  it("locks, skips and orders the next items", () => {
    const claim = only(recorded.store, "itemsClaim");

    expect(claim.text).toContain("SELECT TOP (@Limit) *");
    expect(claim.text).toContain("FROM [queue].[WorkQueue] WITH (UPDLOCK, READPAST, ROWLOCK)");
    expect(claim.text).toContain("ORDER BY [Priority] DESC, [RunAt], [Id]");
    expect(claim.text).toContain("[RunAt] <= @Now");
    expect(claim.text).toContain("DECLARE @Now datetime2(3) = SYSUTCDATETIME();");
    expect(claim.text).toContain("[FencingToken] = [FencingToken] + 1");
    expect(claim.text).toContain("[Attempts] = [Attempts] + 1");
    expect(claim.text).toContain("OUTPUT inserted.*");
    expect(claim.text).toMatch(/OUTPUT inserted\.\*\nWHERE \[Status\] = 'PENDING';/);
    expect(claim.text).toContain("[Type] IN (@Type0, @Type1)");
    expect(claim.parameters.map((parameter) => [parameter.name, parameter.value])).toEqual([
      ["Limit", 4],
      ["WorkerId", "worker-1"],
      ["LeaseMs", 60_000],
      ["Type0", "LOG_PURGE"],
      ["Type1", "TEST_JOB"],
    ]);
  });

  it("recovers expired leases without waiting on locked rows", () => {
    const recover = only(recorded.store, "itemsRecoverExpired");

    expect(recover.text).toContain("WITH (UPDLOCK, READPAST, ROWLOCK)");
    expect(recover.text).toContain("[LeaseExpiresAt] <= @Now");
    expect(recover.text).toMatch(/WHERE \[Status\] = 'IN_PROGRESS' AND \[LeaseExpiresAt\] <= @Now;/);
  });
});

describe("writes", () => {
  const fencedNames = ["itemHeartbeat", "itemProgress", "itemComplete", "itemFail", "itemCancelClaimed", "itemRelease"];

  it("fences every write after the claim", () => {
    for (const name of fencedNames) {
      const statement = only(recorded.store, name);
      expect(statement.text, name).toContain("WHERE [Id] = @Id AND [Status] = 'IN_PROGRESS' AND [FencingToken] = @FencingToken;");
      expect(statement.parameters.find((parameter) => parameter.name === "FencingToken")?.type, name).toEqual({ kind: "bigint" });
      expect(statement.text, name).toContain("CASE WHEN EXISTS (SELECT 1 FROM @Changed) THEN 1 ELSE 0 END AS [Applied]");
    }
  });

  it("records each change's event in its transaction", () => {
    const events: Record<string, string[]> = {
      itemInsert: ["'QueueItemAdded'"],
      itemsClaim: ["'QueueItemStarted'"],
      itemProgress: ["'QueueItemProgress'"],
      itemComplete: ["'QueueItemCompleted'"],
      itemFail: ["'QueueItemRetried'", "'QueueItemFailed'", "'backoff'"],
      itemCancelClaimed: ["'QueueItemCancelled'"],
      itemCancelPending: ["'QueueItemCancelled'"],
      itemRelease: ["'QueueItemRetried'", "@Reason"],
      itemRetry: ["'QueueItemRetried'", "'manual'", "@PreviousErrorMessage"],
      itemsRecoverExpired: ["'QueueItemRetried'", "'QueueItemFailed'", "'QueueItemCancelled'", "'lease-expired'"],
    };
    for (const [name, fragments] of Object.entries(events)) {
      const text = only(recorded.store, name).text;
      const begin = text.indexOf("BEGIN TRANSACTION;");
      const insert = text.indexOf("INSERT INTO [queue].[WorkQueueEvents]");
      const commit = text.lastIndexOf("COMMIT TRANSACTION;");
      expect(begin, name).toBeGreaterThan(-1);
      expect(insert, name).toBeGreaterThan(begin);
      expect(commit, name).toBeGreaterThan(insert);
      expect(text, name).toContain("SET XACT_ABORT ON;");
      expect(text, name).toContain("FOR JSON PATH, WITHOUT_ARRAY_WRAPPER, INCLUDE_NULL_VALUES");
      for (const fragment of fragments) expect(text.slice(insert, commit), `${name}: ${fragment}`).toContain(fragment);
    }
    for (const name of ["itemHeartbeat", "itemCancelRequest"]) expect(only(recorded.store, name).text, name).not.toContain("WorkQueueEvents");
  });

  it("guards uniqueness and the queue size in the enqueue", () => {
    const insert = only(recorded.store, "itemInsert").text;

    expect(insert).toContain("ERROR_NUMBER() IN (2601, 2627)");
    expect(insert).toContain("EXEC @LockResult = sys.sp_getapplock @Resource = @LockResource, @LockMode = 'Exclusive', @LockOwner = 'Transaction'");
    expect(insert.indexOf("sp_getapplock")).toBeLessThan(insert.indexOf("COUNT_BIG(*)"));
    expect(insert.indexOf("COUNT_BIG(*)")).toBeLessThan(insert.indexOf("INSERT INTO [queue].[WorkQueue] "));
    expect(only(recorded.store, "itemRetry").text).toContain("sys.sp_getapplock");
  });

  it("deletes finished items in batches that skip locked rows", () => {
    const cleanup = only(recorded.store, "itemsDeleteFinished");
    const events = only(recorded.store, "eventsDeleteBefore");

    expect(cleanup.text).toContain("DELETE TOP (@BatchSize) FROM [queue].[WorkQueue] WITH (READPAST, ROWLOCK)");
    expect(cleanup.parameters.find((parameter) => parameter.name === "BatchSize")?.value).toBe(500);
    expect(events.text).toContain("DELETE TOP (@BatchSize) FROM [queue].[WorkQueueEvents] WITH (READPAST, ROWLOCK)");
    expect(events.parameters.find((parameter) => parameter.name === "BatchSize")?.value).toBe(1000);
  });

  it("binds instants and JSON with their types", () => {
    const insert = only(recorded.store, "itemInsert");
    const types = Object.fromEntries(insert.parameters.map((parameter) => [parameter.name, parameter.type]));

    expect(types["RunAt"]).toEqual({ kind: "datetime2" });
    expect(types["Payload"]).toEqual({ kind: "nvarchar", length: null });
    expect(types["UniqueKey"]).toEqual({ kind: "nvarchar", length: 600 });
    expect(insert.parameters.find((parameter) => parameter.name === "RunAt")?.value).toEqual(new Date("2026-12-01T00:00:00.000Z"));
  });
});

describe("purge chunk statement", () => {
  it("deletes by key with row locks and one thread", () => {
    const chunk = only(recorded.target, "logDeleteChunk");

    expect(chunk.text).toContain("SET DEADLOCK_PRIORITY LOW;");
    expect(chunk.text).toMatch(/SET LOCK_TIMEOUT 2000;/);
    expect(chunk.text).toContain("DELETE TOP (@Limit) FROM [logs].[Log] WITH (ROWLOCK)");
    expect(chunk.text).toContain("OPTION (MAXDOP 1);");
    expect(chunk.text).toContain("ORDER BY l.[TimeStamp], l.[Id]");
    expect(chunk.text).toContain("[Id] <= @MaxId");
    expect(chunk.timeoutMs).toBe(5_000);
  });

  it("caps chunks at the target's maximum", () => {
    const chunks = recorded.target.named("logDeleteChunk");
    const limits = chunks.map((statement) => statement.parameters.find((parameter) => parameter.name === "Limit")?.value);

    expect(limits).toEqual([4_000, 4_000, 4_000]);
  });

  it("bounds the range by from, or by the cursor with ties on Id", () => {
    const [withoutFrom, withFrom, withCursor] = recorded.target.named("logDeleteChunk");

    expect(withoutFrom!.text).not.toContain("@From");
    expect(withFrom!.text).toContain("[TimeStamp] >= @From");
    expect(withCursor!.text).toContain("[TimeStamp] >= @StartTime AND ([TimeStamp] > @StartTime OR [Id] > @StartId)");
    expect(withCursor!.text).toContain("CONVERT(datetime2(7), @CursorTime, 126)");
    expect(withCursor!.parameters.find((parameter) => parameter.name === "CursorTime")?.value).toBe(CURSOR.timestamp);
    expect(withCursor!.parameters.find((parameter) => parameter.name === "StartId")?.value).toBe(CURSOR.id);
  });

  it("keeps the lock timeout within the statement timeout", () => {
    const chunk = only(recorded.targetWithoutDeployment, "logDeleteChunk");

    expect(chunk.text).toContain("SET LOCK_TIMEOUT 1000;");
    expect(chunk.timeoutMs).toBe(1_000);
    expect(chunk.text).not.toContain("[Deployment]");
    expect(chunk.parameters.find((parameter) => parameter.name === "Pod")?.type).toEqual({ kind: "varchar", length: 8000 });
  });

  it("commits the delete with the store's own progress write", () => {
    const chunk = recorded.target.named("logDeleteChunk")[2]!;
    const [progress] = recorded.target.named("itemProgress");
    const storeProgress = only(recorded.store, "itemProgress");
    const transaction = recorded.target.transactions.find((entry) => entry.id === chunk.transaction);

    expect(chunk.transaction).not.toBeNull();
    expect(progress!.transaction).toBe(chunk.transaction);
    expect(transaction?.outcome).toBe("committed");
    expect(progress!.text).toBe(storeProgress.text);
    expect(progress!.parameters.find((parameter) => parameter.name === "RecordsAffected")?.value).toBe(410);
    expect(progress!.parameters.find((parameter) => parameter.name === "Checkpoint")?.value).toBe(JSON.stringify({ timestamp: "2026-11-29T08:00:00.1234567", id: 612 }));
  });

  it("runs a chunk without progress outside a transaction", () => {
    const [first] = recorded.target.named("logDeleteChunk");

    expect(first!.transaction).toBeNull();
  });
});

describe("lookups", () => {
  it("estimate from statistics, never a full count", () => {
    const statistics = only(recorded.target, "logPodStatistics");

    expect(statistics.text).toContain("sys.dm_db_stats_histogram(@ObjectId, @StatsId)");
    expect(statistics.text).toContain("SELECT TOP (@CountCap) 1");
    expect(codeOnly(statistics.text).match(/COUNT_BIG\(\*\)/g)).toHaveLength(1);
    expect(statistics.timeoutMs).toBe(30_000);
  });

  it("read the database clock and the primary key", () => {
    expect(only(recorded.target, "databaseNow").text).toContain("SYSUTCDATETIME()");
    expect(only(recorded.target, "logMaxId").text).toBe("SELECT MAX([Id]) AS [MaxId] FROM [logs].[Log];");
  });
});
