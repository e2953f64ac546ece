/**
 * Identifies the database a connection reaches: its name and the server's start time as epoch
 * seconds (independent of the session's TimeZone), which differs between servers and between
 * PGlite instances; and whether `$1`, a quoted table name, is visible from it.
 */
export function databaseIdentitySql(): string {
  return `SELECT current_database() || '@' || extract(epoch FROM pg_postmaster_start_time())::text AS identity,
    to_regclass($1::text) IS NOT NULL AS has_table`;
}
