/**
 * First key of the adapter's transaction-level advisory locks; the second key is a hash of the
 * schema name, so that schemas lock independently. The values only have to differ from other
 * applications' advisory locks on the same server.
 */
export const LOCK_CLASS = {
  /** Serialises migrations of one schema. */
  migrate: 0x4c4d5101,
  /** Serialises enqueues and retries of one schema while a queue-size limit applies. */
  enqueue: 0x4c4d5102,
} as const;

/** Takes a transaction-level advisory lock: `$1` the lock class, `$2` the schema name. */
export function advisoryLockSql(): string {
  return `SELECT pg_advisory_xact_lock($1::integer, hashtext($2::text))`;
}
