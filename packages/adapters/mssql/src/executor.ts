/**
 * The seam between the SQL modules and the driver. The store and the purge target build
 * {@link SqlStatement} values and run them through a {@link SqlExecutor}; the pool executor sends
 * them to SQL Server, and tests can record them instead.
 */

/** SQL Server types of bound parameters. Text lengths are in characters. */
export type SqlParameterType =
  | { kind: "bigint" }
  | { kind: "int" }
  | { kind: "bit" }
  | { kind: "float" }
  | { kind: "datetime2" }
  /** `length` null means `nvarchar(max)`. */
  | { kind: "nvarchar"; length: number | null }
  | { kind: "varchar"; length: number | null };

export type SqlValue = string | number | boolean | Date | null;

/** A named parameter, referenced as `@name` in the statement text. */
export interface SqlParameter {
  name: string;
  type: SqlParameterType;
  value: SqlValue;
}

/** One batch of T-SQL with its bound parameters. */
export interface SqlStatement {
  /** Noun-first name for logs and tests, such as `itemsClaim`. */
  name: string;
  text: string;
  parameters: SqlParameter[];
  /** Request timeout in milliseconds; absent uses the connection's default. */
  timeoutMs?: number;
}

export type SqlRow = Record<string, unknown>;

export interface SqlResult {
  /** Every result set the batch returned, in order. */
  recordsets: SqlRow[][];
}

export interface SqlExecutor {
  /** Runs one batch and returns its result sets. */
  query(statement: SqlStatement): Promise<SqlResult>;
  /**
   * Runs `work` on one connection inside a transaction: committed when `work` resolves, rolled
   * back when it throws. Called on an executor that is already in a transaction, it joins it.
   */
  transaction<T>(work: (executor: SqlExecutor) => Promise<T>): Promise<T>;
}

/** Builders of typed parameters, so that every value reaches SQL Server bound, never as text. */
export const param = {
  bigint: (name: string, value: number | null): SqlParameter => ({ name, type: { kind: "bigint" }, value }),
  int: (name: string, value: number | null): SqlParameter => ({ name, type: { kind: "int" }, value }),
  bit: (name: string, value: boolean | null): SqlParameter => ({ name, type: { kind: "bit" }, value }),
  float: (name: string, value: number | null): SqlParameter => ({ name, type: { kind: "float" }, value }),
  datetime2: (name: string, value: Date | null): SqlParameter => ({ name, type: { kind: "datetime2" }, value }),
  nvarchar: (name: string, value: string | null, length: number | null = 4000): SqlParameter => ({ name, type: { kind: "nvarchar", length }, value }),
  varchar: (name: string, value: string | null, length: number | null = 8000): SqlParameter => ({ name, type: { kind: "varchar", length }, value }),
} as const;

/** Returns the last result set of a batch, which the statements of this adapter end with. */
export function lastRecordset(result: SqlResult): SqlRow[] {
  return result.recordsets.at(-1) ?? [];
}
