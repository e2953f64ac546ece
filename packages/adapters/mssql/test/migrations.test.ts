import { MIGRATIONS, createMssqlStore } from "@logmk/workqueue-mssql";
import { describe, expect, it } from "vitest";
import { createRecordingExecutor } from "./support/recording-executor.js";
import { respondLikeServer } from "./support/responses.js";

describe("migrate", () => {
  it("applies every migration in one locked transaction", async () => {
    const executor = createRecordingExecutor(respondLikeServer());
    const store = createMssqlStore({ executor, schema: "workqueue" });

    const report = await store.migrate();

    expect(report.applied).toEqual(MIGRATIONS.map((migration) => migration.id));
    expect(executor.statements.map((statement) => statement.name)).toEqual(["migrationLockAcquire", "migrationsApplied", ...MIGRATIONS.flatMap(() => ["migrationApply", "migrationRecord"])]);
    expect(new Set(executor.statements.map((statement) => statement.transaction))).toEqual(new Set([1]));
    expect(executor.transactions).toEqual([{ id: 1, outcome: "committed" }]);
    expect(executor.statements[0]!.text).toContain("@LockOwner = 'Transaction'");
    expect(executor.statements[0]!.parameters.find((parameter) => parameter.name === "Schema")?.value).toBe("workqueue");
  });

  it("skips migrations already recorded", async () => {
    const executor = createRecordingExecutor(respondLikeServer({ migrationsApplied: [MIGRATIONS.map((migration) => ({ Id: migration.id }))] }));

    const report = await createMssqlStore({ executor }).migrate();

    expect(report.applied).toEqual([]);
    expect(executor.named("migrationApply")).toEqual([]);
  });

  it("creates the tables and indexes the store relies on", () => {
    const ddl = MIGRATIONS.map((migration) => migration.sql({ schema: "dbo", quotedSchema: "[dbo]", items: "[dbo].[WorkQueue]", events: "[dbo].[WorkQueueEvents]", migrations: "[dbo].[WorkQueueMigrations]", enqueueLock: "", migrationLock: "" })).join("\n");

    expect(ddl).toContain("[Id] bigint IDENTITY(1, 1) NOT NULL CONSTRAINT [PK_WorkQueue] PRIMARY KEY CLUSTERED");
    expect(ddl).toContain("CREATE INDEX [IX_WorkQueue_Claim] ON [dbo].[WorkQueue] ([Priority] DESC, [RunAt], [Id]) INCLUDE ([Type]) WHERE [Status] = 'PENDING';");
    expect(ddl).toContain("CREATE UNIQUE INDEX [UX_WorkQueue_OpenUniqueKey] ON [dbo].[WorkQueue] ([UniqueKey]) WHERE [UniqueKey] IS NOT NULL AND [Status] IN ('PENDING', 'IN_PROGRESS');");
    expect(ddl).toContain("CREATE INDEX [IX_WorkQueue_Status]");
    expect(ddl).toContain("CREATE INDEX [IX_WorkQueue_PodName]");
    expect(ddl).toContain("CHECK (ISJSON([Payload]) = 1)");
    expect(ddl).toContain("CHECK (ISJSON([Item]) = 1)");
    expect(ddl).toContain("ALTER TABLE [dbo].[WorkQueue] ADD [RecordsAtClaim] bigint NOT NULL");
    expect(ddl).not.toMatch(/\bdatetime\b(?!2)/);
  });
});
