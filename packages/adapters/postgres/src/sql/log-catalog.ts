/**
 * Reads the columns `$2` of table `$1` (a quoted name) from the catalog, with their type names and
 * column numbers. No rows when the table does not exist.
 */
export function logColumnsSql(): string {
  return `SELECT a.attname AS name, a.atttypid::regtype::text AS type, a.attnum AS number
    FROM pg_attribute a
    WHERE a.attrelid = to_regclass($1::text) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ANY($2::text[])`;
}

/**
 * Reads the key columns of every index on table `$1`, as comma-separated column numbers. Text,
 * because `indkey::int2[]` is an array with lower bound 0 (`[0:2]={2,3,4}`), which postgres.js
 * 3.4 parses into a nested array.
 */
export function logIndexKeysSql(): string {
  return `SELECT array_to_string(i.indkey::int2[], ',') AS keys FROM pg_index i WHERE i.indrelid = to_regclass($1::text)`;
}

/** Reads the highest log id (one descent of the primary key index), or null for an empty table. */
export function logMaxIdSql(table: { table: string; id: string }): string {
  return `SELECT max(${table.id}) AS max_id FROM ${table.table}`;
}
