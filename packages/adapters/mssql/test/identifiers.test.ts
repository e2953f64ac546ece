import { isValidIdentifier, quoteIdentifier } from "@logmk/workqueue-mssql";
import { describe, expect, it } from "vitest";

describe("identifiers", () => {
  it("accepts regular identifiers", () => {
    for (const name of ["dbo", "Log", "TimeStamp", "_private", "queue_2026", "a".repeat(128)]) expect(isValidIdentifier(name), name).toBe(true);
  });

  it("rejects anything that needs escaping", () => {
    for (const name of ["", "1log", "my table", "dbo.Log", "Log]", "[Log]", "Log;DROP", "Lög", "a".repeat(129), "x'--"]) expect(isValidIdentifier(name), name).toBe(false);
  });

  it("quotes with brackets", () => {
    expect(quoteIdentifier("TimeStamp")).toBe("[TimeStamp]");
  });

  it("refuses to quote an invalid name", () => {
    expect(() => quoteIdentifier("Log]; DROP TABLE x; --")).toThrow(/Invalid SQL Server identifier/);
  });
});
