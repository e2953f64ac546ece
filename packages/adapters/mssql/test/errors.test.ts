import { classifyMssqlError, isUniqueViolation } from "@logmk/workqueue-mssql";
import sql from "mssql";
import { describe, expect, it } from "vitest";

/** Builds a server error as tedious reports it, wrapped by mssql as it is for a failed request. */
function serverError(number: number, message: string): sql.RequestError {
  const tediousError = Object.assign(new Error(message), { code: "EREQUEST", info: { number, state: 1, class: 13, message, lineNumber: 1 } });
  return new sql.RequestError(tediousError as unknown as string, "EREQUEST");
}

describe("classifyMssqlError", () => {
  it("classifies the transient errors", () => {
    const cases: Array<[unknown, string]> = [
      [serverError(1205, "Transaction (Process ID 61) was deadlocked on lock resources with another process and has been chosen as the deadlock victim."), "deadlock"],
      [serverError(1222, "Lock request time out period exceeded."), "lock-timeout"],
      [new sql.RequestError("Timeout: Request failed to complete in 5000ms", "ETIMEOUT"), "statement-timeout"],
      [new sql.RequestError("Canceled.", "ECANCEL"), "statement-timeout"],
      [new sql.ConnectionError("Connection lost - read ECONNRESET", "ESOCKET"), "connection"],
      [new sql.ConnectionError("Connection is closed.", "ECONNCLOSED"), "connection"],
      [Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), "connection"],
      [new sql.ConnectionError("Failed to connect to 127.0.0.1:1433 in 15000ms", "ETIMEOUT"), "connection"],
    ];
    for (const [error, kind] of cases) expect(classifyMssqlError(error), String((error as Error).message)).toBe(kind);
  });

  it("finds the cause inside a wrapped error", () => {
    const wrapped = new sql.TransactionError(serverError(1205, "deadlock victim") as unknown as string, "EABORT");
    const caused = new Error("chunk failed", { cause: serverError(1222, "Lock request time out period exceeded.") });

    expect(classifyMssqlError(wrapped)).toBe("deadlock");
    expect(classifyMssqlError(caused)).toBe("lock-timeout");
  });

  it("leaves other errors to fail the attempt", () => {
    for (const error of [serverError(208, "Invalid object name 'dbo.Log'."), serverError(2627, "Violation of PRIMARY KEY constraint"), new sql.ConnectionError("Login failed for user 'sa'.", "ELOGIN"), new Error("boom"), "text", null]) {
      expect(classifyMssqlError(error)).toBeNull();
    }
  });
});

describe("isUniqueViolation", () => {
  it("recognises duplicate keys only", () => {
    expect(isUniqueViolation(serverError(2601, "Cannot insert duplicate key row"))).toBe(true);
    expect(isUniqueViolation(serverError(2627, "Violation of UNIQUE KEY constraint"))).toBe(true);
    expect(isUniqueViolation(serverError(547, "The INSERT statement conflicted with the CHECK constraint"))).toBe(false);
  });
});
