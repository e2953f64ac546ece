import type { QueueNames } from "../sql/queue-names.js";
import type { Migration } from "./migration.js";

/**
 * The count of affected rows when the current attempt was claimed, so that the time left of a
 * resumed purge is measured on this attempt's rows only. Adding a column with a constant default
 * changes no existing row, so it is quick on a large table.
 */
export const recordsAtClaim: Migration = {
  version: 4,
  name: "records at claim",
  statements: ({ items }: QueueNames) => [`ALTER TABLE ${items} ADD COLUMN records_at_claim bigint NOT NULL DEFAULT 0`],
};
