/** Rows of one statement, and how many rows it returned or changed. */
export interface QueryResult<Row> {
  rows: Row[];
  /** Rows changed by INSERT, UPDATE or DELETE, or rows returned by a query. */
  rowCount: number;
}

/** Runs one parameterised statement; `$1`, `$2` ... in `text` refer to `params`. */
export interface SqlQueryable {
  query<Row = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/**
 * The seam between the adapter's SQL and a driver: postgres.js for a server, PGlite for the
 * embedded database. Statements are plain text with `$n` parameters, so both drivers run the
 * same SQL.
 */
export interface SqlExecutor extends SqlQueryable {
  /** True for PGlite: one in-process connection, so statements never run concurrently. */
  readonly isPGlite: boolean;
  /**
   * Runs `work` on one connection inside BEGIN ... COMMIT. A throw rolls the transaction back and
   * is rethrown. Statements inside must go through `tx`: on PGlite the database is locked to the
   * transaction until it ends.
   */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /**
   * LISTENs on `channel` (the exact name, case kept) and calls `onNotify` with each payload.
   * Returns the function that stops listening.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>>;
  /** Closes the connections this executor opened itself; a client passed in stays open. */
  close(): Promise<void>;
}
