import { qualifiedName, quoteIdentifier } from "../identifiers.js";

/** Quoted names of the queue's tables in one schema, validated once when the store is created. */
export interface QueueTables {
  schema: string;
  quotedSchema: string;
  items: string;
  events: string;
  migrations: string;
  /** `sp_getapplock` resource that serializes size-limited enqueues and retries in this schema. */
  enqueueLock: string;
  /** `sp_getapplock` resource that serializes migrations of this schema. */
  migrationLock: string;
}

export function queueTables(schema: string): QueueTables {
  return {
    schema,
    quotedSchema: quoteIdentifier(schema),
    items: qualifiedName(schema, "WorkQueue"),
    events: qualifiedName(schema, "WorkQueueEvents"),
    migrations: qualifiedName(schema, "WorkQueueMigrations"),
    enqueueLock: `logmk-workqueue:${schema}:enqueue`,
    migrationLock: `logmk-workqueue:${schema}:migrate`,
  };
}
