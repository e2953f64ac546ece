import { quoteIdentifier } from "../identifiers.js";

/** Quoted names of the queue's tables in one schema, built once from a validated schema name. */
export interface QueueNames {
  /** The schema name as given, such as `workqueue`. */
  schema: string;
  /** The schema, quoted for SQL. */
  schemaSql: string;
  items: string;
  events: string;
  migrations: string;
  /** NOTIFY channel of this schema, so that two schemas on one server do not wake each other. */
  channel: string;
  /** Name of the partial unique index on `unique_key`, to recognise its violations. */
  uniqueKeyIndex: string;
}

/** Suffix of the NOTIFY channel; the migration's trigger functions build the same name from TG_TABLE_SCHEMA. */
export const CHANNEL_SUFFIX = ".work_queue";

export function queueNames(schema: string): QueueNames {
  const schemaSql = quoteIdentifier(schema);
  return {
    schema,
    schemaSql,
    items: `${schemaSql}.work_queue`,
    events: `${schemaSql}.work_queue_events`,
    migrations: `${schemaSql}.work_queue_migrations`,
    channel: `${schema}${CHANNEL_SUFFIX}`,
    uniqueKeyIndex: "work_queue_unique_key_open",
  };
}
