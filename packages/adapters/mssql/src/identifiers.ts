/**
 * A regular SQL Server identifier as this adapter accepts it: a letter or underscore, then
 * letters, digits or underscores, at most 128 characters (the `sysname` length).
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

/** Returns whether `name` is an identifier this adapter accepts for a schema, table or column. */
export function isValidIdentifier(name: string): boolean {
  return IDENTIFIER.test(name);
}

/**
 * Quotes a validated identifier with brackets. A closing bracket is doubled as T-SQL requires,
 * although validation already rejects it, so the quoting stays correct on its own.
 */
export function quoteIdentifier(name: string): string {
  if (!isValidIdentifier(name)) {
    throw new TypeError(`Invalid SQL Server identifier ${JSON.stringify(name)}: use letters, digits and underscores, starting with a letter or underscore, at most 128 characters.`);
  }
  return `[${name.replaceAll("]", "]]")}]`;
}

/** Quotes `schema.name` as `[schema].[name]`. */
export function qualifiedName(schema: string, name: string): string {
  return `${quoteIdentifier(schema)}.${quoteIdentifier(name)}`;
}

/** Zod refinement message shared by the option schemas. */
export const IDENTIFIER_RULE = "must be a SQL Server identifier: letters, digits and underscores, starting with a letter or underscore, at most 128 characters";
