import { type SqlStatement, param } from "../executor.js";
import type { QueueTables } from "../store/tables.js";
import type { Migration } from "./index.js";

/**
 * Takes the schema's migration lock for the rest of the transaction and creates the schema when it
 * is missing. A second instance migrating at the same time waits here, then finds nothing to do.
 */
export function migrationLockAcquire(tables: QueueTables, lockTimeoutMs: number): SqlStatement {
  return {
    name: "migrationLockAcquire",
    text: `SET NOCOUNT ON;
DECLARE @LockResult int;
EXEC @LockResult = sys.sp_getapplock @Resource = @LockResource, @LockMode = 'Exclusive', @LockOwner = 'Transaction', @LockTimeout = @LockTimeoutMs;
IF @LockResult < 0
  THROW 51000, N'Timed out waiting for another process to finish migrating the work queue tables.', 1;
IF SCHEMA_ID(@Schema) IS NULL
BEGIN
  -- CREATE SCHEMA must start its own batch; QUOTENAME quotes the bound schema name.
  DECLARE @CreateSchema nvarchar(400) = N'CREATE SCHEMA ' + QUOTENAME(@Schema);
  EXEC sys.sp_executesql @CreateSchema;
END;`,
    parameters: [param.nvarchar("LockResource", tables.migrationLock, 255), param.int("LockTimeoutMs", lockTimeoutMs), param.nvarchar("Schema", tables.schema, 128)],
  };
}

/** Creates the migrations table when missing and lists the migrations already applied. */
export function migrationsApplied(tables: QueueTables): SqlStatement {
  return {
    name: "migrationsApplied",
    text: `SET NOCOUNT ON;
IF OBJECT_ID(@MigrationsTable, N'U') IS NULL
  CREATE TABLE ${tables.migrations} (
    [Id] int NOT NULL CONSTRAINT [PK_WorkQueueMigrations] PRIMARY KEY,
    [Name] nvarchar(200) NOT NULL,
    [AppliedAt] datetime2(3) NOT NULL
  );
SELECT [Id] FROM ${tables.migrations} ORDER BY [Id];`,
    parameters: [param.nvarchar("MigrationsTable", `${tables.schema}.WorkQueueMigrations`, 300)],
  };
}

/** The migration's own DDL. */
export function migrationApply(tables: QueueTables, migration: Migration): SqlStatement {
  return { name: "migrationApply", text: migration.sql(tables), parameters: [] };
}

export function migrationRecord(tables: QueueTables, migration: Migration): SqlStatement {
  return {
    name: "migrationRecord",
    text: `INSERT INTO ${tables.migrations} ([Id], [Name], [AppliedAt]) VALUES (@Id, @Name, SYSUTCDATETIME());`,
    parameters: [param.int("Id", migration.id), param.nvarchar("Name", migration.name, 200)],
  };
}
