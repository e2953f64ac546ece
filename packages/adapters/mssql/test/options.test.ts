import { isWorkQueueError } from "@logmk/workqueue";
import { createMssqlLogTarget, createMssqlStore } from "@logmk/workqueue-mssql";
import sql from "mssql";
import { describe, expect, it } from "vitest";
import { createRecordingExecutor } from "./support/recording-executor.js";

function failure(create: () => unknown): { code: string; message: string; paths: string[] } {
  try {
    create();
  } catch (error) {
    if (!isWorkQueueError(error)) throw error;
    return { code: error.code, message: error.message, paths: error.issues.map((issue) => issue.path) };
  }
  throw new Error("expected the options to be rejected");
}

describe("store options", () => {
  const executor = createRecordingExecutor();

  it("needs exactly one connection source", () => {
    const none = failure(() => createMssqlStore({}));
    const two = failure(() => createMssqlStore({ executor, connectionString: "Server=127.0.0.1;Database=x" }));

    expect(none.code).toBe("VALIDATION_FAILED");
    expect(none.message).toContain("give exactly one of pool, connectionString or executor (none was given)");
    expect(two.message).toContain("(connectionString and executor were given)");
  });

  it("rejects a schema that is not an identifier", () => {
    const result = failure(() => createMssqlStore({ executor, schema: "dbo]; DROP TABLE x; --" }));

    expect(result.paths).toEqual(["schema"]);
    expect(result.message).toContain("schema must be a SQL Server identifier");
  });

  it("rejects a misspelt option", () => {
    const store = failure(() => createMssqlStore({ executor, shcema: "dbo" } as Parameters<typeof createMssqlStore>[0]));
    const target = failure(() => createMssqlLogTarget({ executor, table: { nmae: "Log" } } as unknown as Parameters<typeof createMssqlLogTarget>[0]));

    expect(store.message).toContain('Unknown SQL Server store option: "shcema" (did you mean "schema"?)');
    expect(store.paths).toEqual(["shcema"]);
    expect(target.message).toContain('Unknown SQL Server log target table option: "nmae" (did you mean "name"?)');
  });

  it("names each invalid duration", () => {
    const result = failure(() => createMssqlStore({ executor, pollIntervalMs: 0, lockTimeoutMs: 1.5, cleanupBatchSize: 10_000 }));

    expect(result.paths).toEqual(["pollIntervalMs", "lockTimeoutMs", "cleanupBatchSize"]);
  });

  it("rejects a pool that reads instants as local time", () => {
    const pool = new sql.ConnectionPool({ server: "127.0.0.1", options: { useUTC: false } });

    const result = failure(() => createMssqlStore({ pool }));

    expect(result.message).toContain("options.useUTC set to false");
  });

  it("accepts a pool with the driver defaults", () => {
    const pool = new sql.ConnectionPool({ server: "127.0.0.1" });

    expect(createMssqlStore({ pool }).kind).toBe("mssql");
  });
});

describe("log target options", () => {
  const executor = createRecordingExecutor();

  it("keeps chunks below lock escalation", () => {
    const result = failure(() => createMssqlLogTarget({ executor, maxChunkSize: 5_000 }));

    expect(result.paths).toEqual(["maxChunkSize"]);
    expect(result.message).toContain("at most 4000");
  });

  it("defaults to LogMk's table and 4,000-row chunks", () => {
    const target = createMssqlLogTarget({ executor });

    expect(target.name).toBe("mssql:dbo.Log");
    expect(target.maxChunkSize).toBe(4_000);
  });

  it("names an invalid column", () => {
    const result = failure(() => createMssqlLogTarget({ executor, table: { timestamp: "Time Stamp" } }));

    expect(result.paths).toEqual(["table.timestamp"]);
  });

  it("rejects an unknown text type", () => {
    const result = failure(() => createMssqlLogTarget({ executor, textType: "text" as "varchar" }));

    expect(result.paths).toEqual(["textType"]);
  });
});
