import { quoteIdentifier } from "../identifiers.js";

/** Quoted names of the log table and its columns, built once from validated names. */
export interface LogTable {
  /** `"schema"."table"`. */
  table: string;
  /** `schema.table`, for messages and the target's name. */
  label: string;
  id: string;
  /** Null when the table has no deployment column. */
  deployment: string | null;
  pod: string;
  timestamp: string;
  /** The column names as configured, unquoted. */
  columnNames: LogColumnNames;
}

/** Column names of the log table, unquoted; `deployment` is null when the table has none. */
export interface LogColumnNames {
  id: string;
  deployment: string | null;
  pod: string;
  timestamp: string;
}

export function logTable(schema: string, table: string, columns: LogColumnNames): LogTable {
  return {
    table: `${quoteIdentifier(schema)}.${quoteIdentifier(table)}`,
    label: `${schema}.${table}`,
    id: quoteIdentifier(columns.id),
    deployment: columns.deployment === null ? null : quoteIdentifier(columns.deployment),
    pod: quoteIdentifier(columns.pod),
    timestamp: quoteIdentifier(columns.timestamp),
    columnNames: columns,
  };
}

/** Type of the timestamp column, read once from the catalog. */
export type TimestampKind = "timestamp" | "timestamptz";

/**
 * SQL conversions between instants, the cursor's UTC wall-clock text and the timestamp column.
 * A `timestamp without time zone` column holds UTC wall time, so bound instants are converted to
 * UTC wall time in SQL; nothing depends on the session's TimeZone.
 */
export interface TimeSql {
  kind: TimestampKind;
  /** An ISO 8601 instant parameter as a value of the column's type. */
  instant(param: string): string;
  /** A cursor parameter (UTC wall clock, `YYYY-MM-DDTHH:MM:SS.ffffff`) as a value of the column's type. */
  wall(param: string): string;
  /** The column as UTC wall-clock text with microseconds: exact, unlike a JavaScript Date. */
  wallText(column: string): string;
  /** The column as timestamptz, which drivers return as a correct Date. */
  asInstant(column: string): string;
}

const WALL_FORMAT = `'YYYY-MM-DD"T"HH24:MI:SS.US'`;

export function timeSql(kind: TimestampKind): TimeSql {
  if (kind === "timestamp") {
    return {
      kind,
      instant: (param) => `(${param}::timestamptz AT TIME ZONE 'UTC')`,
      wall: (param) => `${param}::timestamp`,
      wallText: (column) => `to_char(${column}, ${WALL_FORMAT})`,
      asInstant: (column) => `(${column} AT TIME ZONE 'UTC')`,
    };
  }
  return {
    kind,
    instant: (param) => `${param}::timestamptz`,
    wall: (param) => `(${param}::timestamp AT TIME ZONE 'UTC')`,
    wallText: (column) => `to_char(${column} AT TIME ZONE 'UTC', ${WALL_FORMAT})`,
    asInstant: (column) => column,
  };
}

/** Collects bound parameters while an SQL text is built, handing out `$n` placeholders in order. */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
