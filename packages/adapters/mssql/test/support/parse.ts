import NodeSqlParser from "node-sql-parser";
import { splitStatements } from "./tsql.js";

const parser = new NodeSqlParser.Parser();

/**
 * T-SQL that node-sql-parser 5 (`transactsql` mode) does not understand, with the reason. A
 * rewrite removes the construct so that the rest of the statement is still parsed; a statement
 * with no rewrite is reported as not parsed.
 */
export const UNSUPPORTED_SYNTAX: ReadonlyArray<{ reason: string; pattern: RegExp; rewrite?: (statement: string) => string }> = [
  { reason: "SELECT TOP with a bound row count, such as TOP (@Limit)", pattern: /\bSELECT TOP \(@\w+\)/, rewrite: (sql) => sql.replace(/\bSELECT TOP \(@\w+\)/g, "SELECT TOP 100") },
  { reason: "assignment with SET @variable = expression", pattern: /^SET @\w+ = /, rewrite: (sql) => `${sql.replace(/^SET @\w+ = /, "SELECT ")} AS [Value]` },
  { reason: "the COUNT_BIG function", pattern: /\bCOUNT_BIG\(/, rewrite: (sql) => sql.replace(/\bCOUNT_BIG\(/g, "COUNT(") },
  { reason: "the @@ROWCOUNT function", pattern: /@@ROWCOUNT\b/, rewrite: (sql) => sql.replace(/@@ROWCOUNT\b/g, "0") },
  { reason: "table hints such as WITH (UPDLOCK, READPAST, ROWLOCK)", pattern: /\sWITH \((UPDLOCK|READPAST|ROWLOCK)/, rewrite: (sql) => sql.replace(/\s+WITH \((?:UPDLOCK|READPAST|ROWLOCK)(?:, (?:UPDLOCK|READPAST|ROWLOCK))*\)/g, "") },
  { reason: "the OUTPUT clause", pattern: /\nOUTPUT inserted\./, rewrite: (sql) => sql.replace(/\nOUTPUT inserted\.[^\n]*/g, "") },
  { reason: "query hints such as OPTION (MAXDOP 1)", pattern: /\bOPTION \(MAXDOP 1\)/, rewrite: (sql) => sql.replace(/\s*OPTION \(MAXDOP 1\)/g, "") },
  { reason: "a bracket-quoted common table expression name", pattern: /^WITH \[\w+\] AS/, rewrite: (sql) => sql.replace(/^WITH \[(\w+)\] AS/, "WITH $1 AS").replace(/\nUPDATE \[(\w+)\]/, "\nUPDATE $1") },
  { reason: "named column constraints (CONSTRAINT [name] ...) and CLUSTERED", pattern: /\bCONSTRAINT \[\w+\]/, rewrite: (sql) => sql.replace(/ CLUSTERED\b/g, "").replace(/ CONSTRAINT \[\w+\]/g, "") },
  { reason: "EXEC of a system procedure, with or without a return value", pattern: /^EXEC (@\w+ = )?sys\.sp_/ },
  { reason: "THROW and RETURN", pattern: /^(THROW|RETURN)\b/ },
];

export interface StatementParse {
  statement: string;
  /** `parsed` as written, `rewritten` after removing the constructs in `reasons`, or `not parsed`. */
  outcome: "parsed" | "rewritten" | "not parsed" | "failed";
  reasons: string[];
  error?: string;
}

function parses(sql: string): string | null {
  try {
    parser.astify(sql, { database: "transactsql" });
    return null;
  } catch (error) {
    return error instanceof Error ? error.message.slice(0, 300) : String(error);
  }
}

/** Parses every statement of a batch, rewriting the constructs the parser lacks, and reports the outcome of each. */
export function parseBatch(batch: string): StatementParse[] {
  return splitStatements(batch).map((statement): StatementParse => {
    if (parses(statement) === null) return { statement, outcome: "parsed", reasons: [] };

    const applicable = UNSUPPORTED_SYNTAX.filter((entry) => entry.pattern.test(statement));
    const reasons = applicable.map((entry) => entry.reason);
    if (applicable.some((entry) => entry.rewrite === undefined)) return { statement, outcome: "not parsed", reasons };

    const rewritten = applicable.reduce((sql, entry) => entry.rewrite!(sql), statement);
    const error = parses(rewritten);
    if (error === null && reasons.length > 0) return { statement, outcome: "rewritten", reasons };
    return { statement: rewritten, outcome: "failed", reasons, error: error ?? "parsed only after rewrites that no listed reason explains" };
  });
}
