import { z } from "zod";

/**
 * Unquoted-identifier shape: a letter or underscore, then letters, digits or underscores. Names
 * that match can be double-quoted without escaping, so they never carry SQL of their own.
 */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Postgres truncates longer identifiers (NAMEDATALEN - 1). */
const MAX_IDENTIFIER_LENGTH = 63;

/** Validates a schema, table or column name once, at construction, so that SQL can quote it. */
export function identifierSchema(field: string, maxLength: number = MAX_IDENTIFIER_LENGTH) {
  return z
    .string({ error: `${field} must be a string` })
    .regex(IDENTIFIER, { error: `${field} must start with a letter or underscore and contain only letters, digits and underscores` })
    .max(maxLength, { error: `${field} must be at most ${maxLength} characters` });
}

/** Double-quotes a name that {@link identifierSchema} accepted; quoting keeps its case. */
export function quoteIdentifier(name: string): string {
  return `"${name}"`;
}
