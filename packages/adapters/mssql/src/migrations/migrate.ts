import type { Logger } from "@logmk/workqueue";
import { lastRecordset, type SqlExecutor } from "../executor.js";
import type { QueueTables } from "../store/tables.js";
import { MIGRATIONS, type Migration } from "./index.js";
import { migrationApply, migrationLockAcquire, migrationRecord, migrationsApplied } from "./sql.js";

export interface MigrationReport {
  /** Ids of the migrations this call applied; empty when the schema was up to date. */
  applied: number[];
}

/**
 * Brings the queue tables of one schema up to date in one transaction, under an application lock,
 * so that instances starting together neither run a migration twice nor see half of one.
 */
export async function runMigrations(executor: SqlExecutor, tables: QueueTables, options: { logger: Logger; lockTimeoutMs: number; migrations?: readonly Migration[] }): Promise<MigrationReport> {
  const migrations = options.migrations ?? MIGRATIONS;

  return executor.transaction(async (transaction) => {
    await transaction.query(migrationLockAcquire(tables, options.lockTimeoutMs));

    const done = new Set(lastRecordset(await transaction.query(migrationsApplied(tables))).map((row) => Number(row["Id"])));
    const pending = migrations.filter((migration) => !done.has(migration.id));

    for (const migration of pending) {
      options.logger.info({ schema: tables.schema, migrationId: migration.id, migration: migration.name }, `Applying work queue migration ${migration.id}: ${migration.name}`);
      await transaction.query(migrationApply(tables, migration));
      await transaction.query(migrationRecord(tables, migration));
    }
    return { applied: pending.map((migration) => migration.id) };
  });
}
