import type { SqlExecutor, SqlResult, SqlRow, SqlStatement } from "@logmk/workqueue-mssql";

/** A statement as the adapter sent it, with the transaction it ran in (null outside one). */
export interface RecordedStatement extends SqlStatement {
  transaction: number | null;
}

export interface RecordedTransaction {
  id: number;
  outcome: "committed" | "rolled back" | "open";
}

/** Returns the result sets for a statement, or undefined for one empty result set. */
export type Responder = (statement: SqlStatement) => SqlRow[][] | undefined;

export interface RecordingExecutor extends SqlExecutor {
  statements: RecordedStatement[];
  transactions: RecordedTransaction[];
  /** Statements with the given name, in the order they were sent. */
  named(name: string): RecordedStatement[];
}

/**
 * Creates an executor that records what the adapter sends instead of running it, so the unit tests can
 * check every statement and parameter without a server. It runs no SQL.
 */
export function createRecordingExecutor(respond: Responder = () => undefined): RecordingExecutor {
  const statements: RecordedStatement[] = [];
  const transactions: RecordedTransaction[] = [];

  function executorIn(transaction: RecordedTransaction | null): SqlExecutor {
    const executor: SqlExecutor = {
      async query(statement): Promise<SqlResult> {
        statements.push({ ...statement, parameters: [...statement.parameters], transaction: transaction?.id ?? null });
        return { recordsets: respond(statement) ?? [[]] };
      },
      async transaction(work) {
        if (transaction !== null) return work(executor);
        const opened: RecordedTransaction = { id: transactions.length + 1, outcome: "open" };
        transactions.push(opened);
        try {
          const value = await work(executorIn(opened));
          opened.outcome = "committed";
          return value;
        } catch (error) {
          opened.outcome = "rolled back";
          throw error;
        }
      },
    };
    return executor;
  }

  return {
    ...executorIn(null),
    statements,
    transactions,
    named: (name) => statements.filter((statement) => statement.name === name),
  };
}
