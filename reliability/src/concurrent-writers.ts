import { createLogPurgeHandler, createProcessor } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { openSql, PURGED_POD, type LogTableShape, type Sql } from "@logmk/bench/support";
import { checkPurge, dropPurgeFixture, preparePurge, readPurgeItem, type PurgeFixture } from "./purge-fixture.js";
import { Expectations, randomInt, waitFor, type TrialResult } from "./trial.js";

export interface ConcurrentWritersOptions extends LogTableShape {
  url: string;
  iterations: number;
  writers: number;
  /** Rows per insert statement. */
  rowsPerInsert: number;
  chunkSize: number;
}

/** SQLSTATEs of conflicts that a retry of the whole insert clears: deadlock and serialization failure. */
const RETRYABLE = new Set(["40P01", "40001"]);

interface WriterTally {
  inserted: number;
  retries: number;
}

/**
 * Inserts rows of the purged pod, timestamped inside the purge's range, from its own connection
 * until `stop` is set, retrying deadlocks. Each row's Line names the writer and a sequence number.
 */
async function runWriter(sql: Sql, fixture: PurgeFixture, writer: number, rowsPerInsert: number, stop: { now: boolean }): Promise<WriterTally> {
  const tally: WriterTally = { inserted: 0, retries: 0 };
  const span = fixture.to.getTime() - fixture.from.getTime();
  for (let sequence = 0; !stop.now; sequence++) {
    const rows = Array.from({ length: rowsPerInsert }, (_, index) => ({
      at: new Date(fixture.from.getTime() + randomInt(0, span - 1)).toISOString(),
      line: `writer ${writer} row ${sequence}.${index}`,
    }));
    for (;;) {
      try {
        await sql.begin(async (tx) => {
          for (const row of rows) {
            await tx.unsafe(`INSERT INTO "${fixture.logSchema}"."Log" ("Deployment", "Pod", "TimeStamp", "Line") VALUES ($1, $2, $3::timestamptz AT TIME ZONE 'UTC', $4)`, [PURGED_POD.deployment, PURGED_POD.podName, row.at, row.line]);
          }
        });
        tally.inserted += rows.length;
        break;
      } catch (error) {
        if (!RETRYABLE.has((error as { code?: string }).code ?? "")) throw error;
        tally.retries++;
      }
    }
  }
  return tally;
}

/**
 * Purges a pod while `writers` connections insert rows of that same pod inside the purge's range.
 * The new rows have ids above the purge's maxId, so every one of them must survive, and the
 * purge must still delete exactly the rows that matched at enqueue.
 */
export async function runConcurrentWritersTrial(options: ConcurrentWritersOptions): Promise<TrialResult> {
  const started = performance.now();
  const sql = openSql(options.url, options.writers + 1);
  const failures: string[] = [];
  const notes: string[] = [];
  try {
    for (let iteration = 1; iteration <= options.iterations; iteration++) {
      const expect = new Expectations(`concurrent writers ${iteration}`);
      const fixture = await preparePurge(sql, options.url, options);
      const store = createPostgresStore({ connection: options.url, schema: fixture.queueSchema, migrate: false });
      const target = createPostgresLogTarget({ connection: options.url, schema: fixture.logSchema, queueStore: store });
      const processor = createProcessor({ store, handlers: [createLogPurgeHandler({ target, chunkSize: options.chunkSize, targetChunkMs: null })], workerId: `writers-${iteration}` });
      const stop = { now: false };
      try {
        const writers = Array.from({ length: options.writers }, (_, writer) => runWriter(sql, fixture, writer, options.rowsPerInsert, stop));
        await processor.start();
        const finished = new Set(["COMPLETED", "FAILED", "CANCELLED"]);
        await waitFor(async () => finished.has((await readPurgeItem(sql, fixture)).status), 60_000, `purge ${fixture.itemId} to finish`, 50);
        stop.now = true;
        const tallies = await Promise.all(writers);
        await processor.stop();

        await checkPurge(sql, fixture, expect);
        const inserted = tallies.reduce((sum, tally) => sum + tally.inserted, 0);
        const [row] = await sql.unsafe(`SELECT count(*)::integer AS count, count(*) FILTER (WHERE "Id" <= $1)::integer AS below_max FROM "${fixture.logSchema}"."Log" WHERE "Line" LIKE 'writer %'`, [fixture.maxId]);
        expect.equal(Number(row!.count), inserted, "writer rows in the table (each committed insert)");
        expect.equal(Number(row!.below_max), 0, "writer rows with an id at or below maxId");
        notes.push(`iteration ${iteration}: ${inserted} rows inserted by ${options.writers} writers during the purge, ${tallies.reduce((sum, tally) => sum + tally.retries, 0)} deadlocks retried`);
      } catch (error) {
        expect.that(false, (error as Error).message);
      } finally {
        stop.now = true;
        await processor.stop();
        await target.close();
        await store.close();
        await dropPurgeFixture(sql, fixture);
      }
      failures.push(...expect.failures);
    }
  } finally {
    await sql.end();
  }
  return { name: "concurrent writers", iterations: options.iterations, failures, notes, durationMs: performance.now() - started };
}
