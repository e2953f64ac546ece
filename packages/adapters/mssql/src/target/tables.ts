import { qualifiedName, quoteIdentifier } from "../identifiers.js";

/** The log table's names as configured, validated and quoted once. */
export interface LogTable {
  /** `[schema].[table]`. */
  table: string;
  /** `schema.table` unquoted, for OBJECT_ID and log lines. */
  plainName: string;
  id: string;
  /** Null when the table has no deployment column. */
  deployment: string | null;
  pod: string;
  timestamp: string;
  /** Column names unquoted, for COLUMNPROPERTY. */
  podColumn: string;
  deploymentColumn: string | null;
  /** SQL type of the text columns, so bound values compare without converting the column. */
  textType: "nvarchar" | "varchar";
}

export interface LogTableNames {
  schema: string;
  name: string;
  id: string;
  deployment: string | null;
  pod: string;
  timestamp: string;
  textType: "nvarchar" | "varchar";
}

export function logTable(names: LogTableNames): LogTable {
  return {
    table: qualifiedName(names.schema, names.name),
    plainName: `${names.schema}.${names.name}`,
    id: quoteIdentifier(names.id),
    deployment: names.deployment === null ? null : quoteIdentifier(names.deployment),
    pod: quoteIdentifier(names.pod),
    timestamp: quoteIdentifier(names.timestamp),
    podColumn: names.pod,
    deploymentColumn: names.deployment,
    textType: names.textType,
  };
}

/** The declared type of a variable that holds a pod or deployment name. */
export function textVariableType(table: LogTable): string {
  return table.textType === "nvarchar" ? "nvarchar(4000)" : "varchar(8000)";
}
