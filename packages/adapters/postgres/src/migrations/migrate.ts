import type { Logger } from "@logmk/workqueue";
import type { SqlExecutor } from "../executor/executor.js";
import { advisoryLockSql, LOCK_CLASS } from "../sql/queue-lock.js";
import { migrationLedgerSql, migrationQuietSql, migrationRecordSql, migrationSchemaSql, migrationVersionsSql } from "../sql/migration-ledger.js";
import type { QueueNames } from "../sql/queue-names.js";
import { queueTables } from "./0001-queue-tables.js";
import { notifyTriggers } from "./0002-notify-triggers.js";
import { claimCandidates } from "./0003-claim-candidates.js";
import { recordsAtClaim } from "./0004-records-at-claim.js";
import type { Migration } from "./migration.js";

/** Every migration, in version order. */
export const MIGRATIONS: readonly Migration[] = [queueTables, notifyTriggers, claimCandidates, recordsAtClaim];

/**
 * Creates the schema if missing and applies the migrations it lacks, recording each in the
 * migrations table. One transaction under an advisory lock, so instances that start together
 * migrate one after the other and the later ones find nothing left to do. Returns the versions applied.
 */
export async function migrateQueueSchema(executor: SqlExecutor, names: QueueNames, logger: Logger): Promise<number[]> {
  const applied = await executor.transaction(async (tx) => {
    await tx.query(migrationQuietSql());
    await tx.query(advisoryLockSql(), [LOCK_CLASS.migrate, names.schema]);
    await tx.query(migrationSchemaSql(names));
    await tx.query(migrationLedgerSql(names));

    const done = await tx.query<{ version: number }>(migrationVersionsSql(names));
    const doneVersions = new Set(done.rows.map((row) => Number(row.version)));
    const versions: number[] = [];

    for (const migration of MIGRATIONS) {
      if (doneVersions.has(migration.version)) continue;
      for (const statement of migration.statements(names)) await tx.query(statement);
      await tx.query(migrationRecordSql(names), [migration.version, migration.name]);
      versions.push(migration.version);
    }
    return versions;
  });

  if (applied.length > 0) logger.info({ schema: names.schema, versions: applied }, `Applied work-queue migrations ${applied.join(", ")} to schema ${names.schema}`);
  else logger.debug({ schema: names.schema }, `Work-queue schema ${names.schema} is up to date`);
  return applied;
}
