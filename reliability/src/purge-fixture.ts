import { buildLogTable, dropSchema, logTimeOf, PURGED_POD, uniqueSchema, type LogTableShape, type Sql } from "@logmk/bench/support";
import { createLogPurgeService, createWorkQueue, LOG_PURGE_TYPE, LogPurgePayloadSchema } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { Expectations } from "./trial.js";

/** Count, id sum and a hash of the ordered ids of a set of rows: equal before and after means the same set of rows. */
export interface Fingerprint {
  count: number;
  idSum: string;
  /** md5 of the ids in order, separated by commas. */
  idHash: string;
}

/** A log table with a queued purge of part of one pod's rows, and what the purge must leave. */
export interface PurgeFixture {
  url: string;
  logSchema: string;
  queueSchema: string;
  itemId: number;
  from: Date;
  to: Date;
  maxId: number;
  /** Rows the purge must delete, counted at enqueue. */
  matchingAtEnqueue: number;
  /** Every other row that existed at enqueue, the pod's rows outside the range included. */
  othersAtEnqueue: Fingerprint;
}

/** Rows of the purge: the pod, its range and ids up to `maxId` ($1 to $5). */
const MATCHING = `"Deployment" = $1 AND "Pod" = $2 AND "TimeStamp" >= ($3::timestamptz AT TIME ZONE 'UTC') AND "TimeStamp" < ($4::timestamptz AT TIME ZONE 'UTC') AND "Id" <= $5`;

function matchingParams(fixture: Pick<PurgeFixture, "from" | "to" | "maxId">): unknown[] {
  return [PURGED_POD.deployment, PURGED_POD.podName, fixture.from.toISOString(), fixture.to.toISOString(), fixture.maxId];
}

async function fingerprintOthers(sql: Sql, fixture: Pick<PurgeFixture, "logSchema" | "from" | "to" | "maxId">): Promise<Fingerprint> {
  const [row] = await sql.unsafe(
    `SELECT count(*)::integer AS count, COALESCE(sum("Id"), 0)::text AS id_sum, md5(COALESCE(string_agg("Id"::text, ',' ORDER BY "Id"), '')) AS id_hash
     FROM "${fixture.logSchema}"."Log" WHERE "Id" <= $5 AND NOT (${MATCHING})`,
    matchingParams(fixture) as never[],
  );
  return { count: Number(row!.count), idSum: String(row!.id_sum), idHash: String(row!.id_hash) };
}

export async function countMatching(sql: Sql, fixture: Pick<PurgeFixture, "logSchema" | "from" | "to" | "maxId">): Promise<number> {
  const [row] = await sql.unsafe(`SELECT count(*)::integer AS count FROM "${fixture.logSchema}"."Log" WHERE ${MATCHING}`, matchingParams(fixture) as never[]);
  return Number(row!.count);
}

/**
 * Builds a log table of `shape` and queues, through the purge service, a purge of the middle 80 %
 * of the pod's time span, so that rows of the pod before and after the range must stay.
 */
export async function preparePurge(sql: Sql, url: string, shape: LogTableShape): Promise<PurgeFixture> {
  const logSchema = uniqueSchema("trial_log");
  const queueSchema = `${logSchema}_queue`;
  await buildLogTable(sql, logSchema, shape);
  const from = logTimeOf(Math.round(shape.rows * 0.1));
  const to = logTimeOf(Math.round(shape.rows * 0.9));

  const store = createPostgresStore({ connection: url, schema: queueSchema });
  const target = createPostgresLogTarget({ connection: url, schema: logSchema, queueStore: store });
  try {
    await store.migrate();
    const queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }] });
    const item = await createLogPurgeService({ queue, target }).enqueue({ ...PURGED_POD, from: from.toISOString(), to: to.toISOString() });
    const maxId = Number(item.payload.maxId);
    const scope = { logSchema, from, to, maxId };
    return { url, logSchema, queueSchema, itemId: item.id, from, to, maxId, matchingAtEnqueue: await countMatching(sql, scope), othersAtEnqueue: await fingerprintOthers(sql, scope) };
  } finally {
    await target.close();
    await store.close();
  }
}

/** Reads the purge item's status, records affected and attempts. */
export async function readPurgeItem(sql: Sql, fixture: PurgeFixture): Promise<{ status: string; recordsAffected: number; attempts: number; errorMessage: string | null }> {
  const [row] = await sql.unsafe(`SELECT status, records_affected::bigint AS records, attempts, error_message FROM "${fixture.queueSchema}".work_queue WHERE id = $1`, [fixture.itemId]);
  return { status: String(row!.status), recordsAffected: Number(row!.records), attempts: Number(row!.attempts), errorMessage: (row!.error_message as string | null) ?? null };
}

/**
 * Checks a finished purge: completed, exactly the matching rows counted, none of them left, every
 * other row of enqueue time intact, and no item left open.
 */
export async function checkPurge(sql: Sql, fixture: PurgeFixture, expect: Expectations): Promise<void> {
  const item = await readPurgeItem(sql, fixture);
  expect.equal(item.status, "COMPLETED", `purge item status (error: ${item.errorMessage})`);
  expect.equal(item.recordsAffected, fixture.matchingAtEnqueue, "recordsAffected");
  expect.equal(await countMatching(sql, fixture), 0, "matching rows left");
  const others = await fingerprintOthers(sql, fixture);
  expect.equal(others.count, fixture.othersAtEnqueue.count, "rows outside the request");
  expect.equal(others.idSum, fixture.othersAtEnqueue.idSum, "id sum of rows outside the request");
  expect.equal(others.idHash, fixture.othersAtEnqueue.idHash, "hash of the ids of rows outside the request");
  const [open] = await sql.unsafe(`SELECT count(*)::integer AS count FROM "${fixture.queueSchema}".work_queue WHERE status IN ('PENDING', 'IN_PROGRESS')`);
  expect.equal(Number(open!.count), 0, "items left PENDING or IN_PROGRESS");
}

export async function dropPurgeFixture(sql: Sql, fixture: PurgeFixture): Promise<void> {
  await dropSchema(sql, fixture.logSchema);
  await dropSchema(sql, fixture.queueSchema);
}
