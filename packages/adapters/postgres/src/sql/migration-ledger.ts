import type { QueueNames } from "./queue-names.js";

/** Keeps the notices of `CREATE ... IF NOT EXISTS` about existing objects out of the logs, for this transaction only. */
export function migrationQuietSql(): string {
  return `SELECT set_config('client_min_messages', 'warning', true)`;
}

/** Creates the queue's schema when missing. */
export function migrationSchemaSql(names: QueueNames): string {
  return `CREATE SCHEMA IF NOT EXISTS ${names.schemaSql}`;
}

/** Creates the table that records applied migrations when missing. */
export function migrationLedgerSql(names: QueueNames): string {
  return `CREATE TABLE IF NOT EXISTS ${names.migrations} (
    version integer PRIMARY KEY,
    name text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`;
}

/** Reads the versions already applied. */
export function migrationVersionsSql(names: QueueNames): string {
  return `SELECT version FROM ${names.migrations}`;
}

/** Records migration `$1` named `$2` as applied. */
export function migrationRecordSql(names: QueueNames): string {
  return `INSERT INTO ${names.migrations} (version, name) VALUES ($1::integer, $2::text)`;
}
