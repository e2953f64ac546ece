import sql from "mssql";
import { errorMessageOf, type Logger } from "@logmk/workqueue";
import type { SqlExecutor, SqlParameterType, SqlResult, SqlRow, SqlStatement } from "./executor.js";

/** mssql 12 accepts per-request and per-transaction timeouts; its type definitions do not declare them yet. */
interface TimeoutOverrides {
  requestTimeout?: number;
}
type RequestParent = { request(overrides?: TimeoutOverrides): sql.Request };

function driverType(type: SqlParameterType): sql.ISqlType | (() => sql.ISqlType) {
  switch (type.kind) {
    case "bigint":
      return sql.BigInt;
    case "int":
      return sql.Int;
    case "bit":
      return sql.Bit;
    case "float":
      return sql.Float;
    case "datetime2":
      // Scale 7 keeps a bound instant exact whatever the column's scale; JavaScript dates carry milliseconds.
      return sql.DateTime2(7);
    case "nvarchar":
      return sql.NVarChar(type.length ?? sql.MAX);
    case "varchar":
      return sql.VarChar(type.length ?? sql.MAX);
  }
}

async function run(parent: RequestParent, statement: SqlStatement): Promise<SqlResult> {
  const request = parent.request(statement.timeoutMs === undefined ? undefined : { requestTimeout: statement.timeoutMs });
  for (const parameter of statement.parameters) request.input(parameter.name, driverType(parameter.type), parameter.value);

  const result = await request.query(statement.text);
  const recordsets = (result.recordsets ?? []) as unknown as SqlRow[][];
  return { recordsets };
}

export interface PoolExecutorOptions {
  logger: Logger;
}

/**
 * Creates the executor over an mssql `ConnectionPool`. The pool connects on first use; a failed
 * connect is retried by the next call.
 */
export function createPoolExecutor(pool: sql.ConnectionPool, options: PoolExecutorOptions): SqlExecutor {
  let connecting: Promise<unknown> | undefined;

  async function connected(): Promise<RequestParent> {
    if (!pool.connected) {
      connecting ??= pool.connect().finally(() => {
        connecting = undefined;
      });
      await connecting;
    }
    return pool as unknown as RequestParent;
  }

  function inTransaction(transaction: sql.Transaction): SqlExecutor {
    const executor: SqlExecutor = {
      query: (statement) => run(transaction as unknown as RequestParent, statement),
      transaction: (work) => work(executor),
    };
    return executor;
  }

  return {
    async query(statement) {
      return run(await connected(), statement);
    },

    async transaction(work) {
      await connected();
      const transaction = new sql.Transaction(pool);
      await transaction.begin();

      let value;
      try {
        value = await work(inTransaction(transaction));
      } catch (error) {
        // The server has already rolled back after a deadlock or with XACT_ABORT; mssql then reports
        // the transaction as aborted, which is expected and not worth more than a debug line.
        await transaction.rollback().catch((rollbackError: unknown) => {
          options.logger.debug({ err: rollbackError }, `Rollback after a failed transaction reported: ${errorMessageOf(rollbackError)}`);
        });
        throw error;
      }

      await transaction.commit();
      return value;
    },
  };
}
