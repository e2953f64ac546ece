/**
 * Identifies the database a connection reaches by its name and the server's start time, which
 * differs between servers and between PGlite instances. The start time is in epoch seconds, so
 * the session's TimeZone does not change it. Also returns whether `$1`, a quoted table name, is
 * visible from the connection.
 */
export function databaseIdentitySql(): string {
  return `SELECT current_database() || '@' || extract(epoch FROM pg_postmaster_start_time())::text AS identity,
    to_regclass($1::text) IS NOT NULL AS has_table`;
}

/** Checks that the database responds. */
export function databasePingSql(): string {
  return `SELECT 1`;
}

/** Reads the database's clock. */
export function databaseNowSql(): string {
  return `SELECT now() AS now`;
}
