import type { QueueNames } from "../sql/queue-names.js";
import type { Migration } from "./migration.js";

/**
 * Statement-level triggers that NOTIFY the schema's channel: `events` when events were recorded,
 * `work-available` when an item became claimable. Postgres folds identical notifications of one
 * transaction into one, so a transaction sends each payload at most once, at commit, whatever
 * the number of rows. Payloads are names only; listeners read the rows.
 */
export const notifyTriggers: Migration = {
  version: 2,
  name: "notify triggers",
  statements: ({ schemaSql, items, events }: QueueNames) => [
    `CREATE FUNCTION ${schemaSql}.work_queue_notify_events() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM recorded) THEN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.work_queue', 'events');
      END IF;
      RETURN NULL;
    END
    $$`,
    `CREATE FUNCTION ${schemaSql}.work_queue_notify_work() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM changed WHERE status = 'PENDING' AND run_at <= now()) THEN
        PERFORM pg_notify(TG_TABLE_SCHEMA || '.work_queue', 'work-available');
      END IF;
      RETURN NULL;
    END
    $$`,
    `CREATE TRIGGER work_queue_events_notify AFTER INSERT ON ${events}
      REFERENCING NEW TABLE AS recorded FOR EACH STATEMENT EXECUTE FUNCTION ${schemaSql}.work_queue_notify_events()`,
    // Postgres allows transition tables only on single-event triggers, hence one for INSERT and one for UPDATE.
    `CREATE TRIGGER work_queue_insert_notify AFTER INSERT ON ${items}
      REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${schemaSql}.work_queue_notify_work()`,
    `CREATE TRIGGER work_queue_update_notify AFTER UPDATE ON ${items}
      REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION ${schemaSql}.work_queue_notify_work()`,
  ],
};
