import type { QueueNames } from "../sql/queue-names.js";
import type { Migration } from "./migration.js";

/** The items table with its claim, uniqueness and retention indexes, and the event log. */
export const queueTables: Migration = {
  version: 1,
  name: "queue tables",
  statements: ({ items, events }: QueueNames) => [
    `CREATE TABLE ${items} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      type text NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'IN_PROGRESS', 'COMPLETED', 'FAILED', 'CANCELLED')),
      pod_name text NOT NULL,
      deployment text,
      payload jsonb NOT NULL,
      metadata jsonb,
      priority integer NOT NULL DEFAULT 0 CHECK (priority BETWEEN -100 AND 100),
      run_at timestamptz NOT NULL,
      schedule text NOT NULL CHECK (schedule IN ('now', 'off-peak')),
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      started_at timestamptz,
      completed_at timestamptz,
      error_message text,
      records_affected bigint NOT NULL DEFAULT 0,
      estimated_records bigint,
      progress double precision NOT NULL DEFAULT 0,
      attempts integer NOT NULL DEFAULT 0,
      max_attempts integer NOT NULL,
      unique_key text,
      locked_by text,
      fencing_token bigint NOT NULL DEFAULT 0,
      lease_expires_at timestamptz,
      cancel_requested_at timestamptz,
      created_by text,
      checkpoint jsonb,
      stop_reason text
    )`,
    `CREATE INDEX work_queue_status ON ${items} (status)`,
    `CREATE INDEX work_queue_pod ON ${items} (pod_name, deployment)`,
    // Serves the claim: the eligible rows in claim order, without the finished ones.
    `CREATE INDEX work_queue_claim_order ON ${items} (priority DESC, run_at, id) WHERE status = 'PENDING'`,
    // At most one open item per key, race-free: concurrent inserts wait for each other here.
    `CREATE UNIQUE INDEX work_queue_unique_key_open ON ${items} (unique_key) WHERE status IN ('PENDING', 'IN_PROGRESS') AND unique_key IS NOT NULL`,
    `CREATE INDEX work_queue_lease_expiry ON ${items} (lease_expires_at) WHERE status = 'IN_PROGRESS'`,
    `CREATE INDEX work_queue_finished_retention ON ${items} (completed_at) WHERE status IN ('COMPLETED', 'FAILED', 'CANCELLED')`,
    `CREATE TABLE ${events} (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      name text NOT NULL,
      item_id bigint NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      item jsonb NOT NULL,
      reason text,
      error_message text
    )`,
    `CREATE INDEX work_queue_events_retention ON ${events} (at)`,
  ],
};
