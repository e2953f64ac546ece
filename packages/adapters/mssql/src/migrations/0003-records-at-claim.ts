import type { QueueTables } from "../store/tables.js";

/**
 * The count of affected rows when the current attempt was claimed, so that the time left of a
 * resumed purge is measured on this attempt's rows only.
 */
export const migration0003 = {
  id: 3,
  name: "add WorkQueue.RecordsAtClaim",
  sql: (tables: QueueTables) => `
ALTER TABLE ${tables.items} ADD [RecordsAtClaim] bigint NOT NULL CONSTRAINT [DF_WorkQueue_RecordsAtClaim] DEFAULT 0;
`,
} as const;
