import {
  createLogPurgeHandler,
  createLogPurgeService,
  createProcessor,
  createWorkQueue,
  type LogPurgeTarget,
  type Processor,
  type QueueEvent,
} from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { createPostgresLogTarget, createPostgresStore, type PostgresStore } from "@logmk/workqueue-postgres";
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { deferred, within } from "./support/deferred.js";
import { createLogTable, insertLogRows } from "./support/log-table.js";
import { serverSuite } from "./support/server-suite.js";

const suite = await serverSuite();
const { lookup, schema } = suite;
const admin = suite.admin!;

/** Opens a store with its own pool, as another process would have. */
function openStore(queueSchema: string, maxConnections = 5): PostgresStore {
  const store = createPostgresStore({ connection: lookup.server!.url, schema: queueSchema, maxConnections });
  suite.defer(() => store.close());
  return store;
}

describe.skipIf(!lookup.server)(suite.title("concurrency on a real server"), () => {
  it("claims each of 2,000 items once with 8 claimers", { timeout: 120_000 }, async () => {
    const queueSchema = schema("claim");
    const stores = [openStore(queueSchema), openStore(queueSchema)];
    await stores[0]!.migrate();
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, index) => stores[0]!.enqueue({ item: newItem({ podName: `pod-${batch * 100 + index}` }), maxOpenItems: null })));
    }

    const claimedBy = new Map<number, number>();
    const duplicates: number[] = [];
    const claimer = async (claimerIndex: number) => {
      const store = stores[claimerIndex % 2]!;
      for (;;) {
        const batch = await store.claimNext({ workerId: `claimer-${claimerIndex}`, types: ["TEST_JOB"], leaseMs: 60_000, limit: 5 });
        if (batch.length === 0) return;
        for (const item of batch) {
          if (claimedBy.has(item.id)) duplicates.push(item.id);
          claimedBy.set(item.id, claimerIndex);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, (_, index) => claimer(index)));

    expect(duplicates).toEqual([]);
    expect(claimedBy.size).toBe(2_000);
    expect(new Set(claimedBy.values()).size).toBeGreaterThan(1);
    const [counts] = await admin.exec(`SELECT count(*) FILTER (WHERE status = 'IN_PROGRESS' AND attempts = 1) AS claimed, count(*) AS total FROM "${queueSchema}".work_queue`);
    expect(Number(counts!.claimed)).toBe(2_000);
    const [started] = await admin.exec(`SELECT count(*) AS events, count(DISTINCT item_id) AS items FROM "${queueSchema}".work_queue_events WHERE name = 'QueueItemStarted'`);
    expect([Number(started!.events), Number(started!.items)]).toEqual([2_000, 2_000]);
  });

  it("starts one pending purge once with two racing processors", { timeout: 60_000 }, async () => {
    const queueSchema = schema("race_queue");
    const logSchema = schema("race_log");
    await createLogTable(admin, logSchema);
    await insertLogRows(admin, logSchema, [{ deployment: "api", pod: "api-1", count: 5_000, start: new Date("2026-10-01T00:00:00Z"), stepMs: 1_000 }]);

    const processes = ["a", "b"].map((name) => {
      const store = openStore(queueSchema);
      const target: LogPurgeTarget = createPostgresLogTarget({ connection: lookup.server!.url, schema: logSchema, queueStore: store });
      suite.defer(async () => target.close?.());
      const handler = createLogPurgeHandler({ target, chunkSize: 1_000, targetChunkMs: null });
      const processor: Processor = createProcessor({ store, handlers: [handler], workerId: `process-${name}`, leaseMs: 30_000, pollIntervalMs: 60_000 });
      suite.defer(() => processor.stop());
      return { store, target, handler, processor };
    });
    const [a, b] = processes as [(typeof processes)[0], (typeof processes)[0]];
    await a.store.migrate();
    const queue = createWorkQueue({ store: a.store, handlers: [a.handler] });
    suite.defer(() => queue.close());
    const service = createLogPurgeService({ queue, target: a.target });
    const completed = deferred<QueueEvent>();
    queue.on("QueueItemCompleted", (event) => completed.resolve(event));
    await queue.startEvents();
    const item = await service.enqueue({ podName: "api-1", deployment: "api" });

    await Promise.all([a.processor.start(), b.processor.start()]);
    const done = await within(completed.promise, 30_000, "completion of the purge");

    expect(done.item.id).toBe(item.id);
    expect(done.item.recordsAffected).toBe(5_000);
    expect(done.item.attempts).toBe(1);
    const started = await admin.exec(`SELECT item->>'locked_by' AS worker FROM "${queueSchema}".work_queue_events WHERE name = 'QueueItemStarted' AND item_id = $1`, [item.id]);
    expect(started).toHaveLength(1);
    expect(["process-a", "process-b"]).toContain(started[0]!.worker);
  });

  it("never runs an item that a racing cancel ended", { timeout: 60_000 }, async () => {
    const queueSchema = schema("cancel");
    const claimingStore = openStore(queueSchema);
    const cancellingStore = openStore(queueSchema);
    await claimingStore.migrate();

    let cancelled = 0;
    for (let round = 0; round < 150; round++) {
      const queued = await cancellingStore.enqueue({ item: newItem({ podName: `race-${round}` }), maxOpenItems: null });
      const [claimed, cancel] = await Promise.all([
        claimingStore.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 1 }),
        cancellingStore.cancelPending({ id: queued.id }),
      ]);
      const final = await claimingStore.getItem({ id: queued.id });

      if (cancel.applied) {
        cancelled++;
        expect(claimed).toEqual([]);
        expect(final?.status).toBe("CANCELLED");
      } else {
        expect(claimed.map((item) => item.id)).toEqual([queued.id]);
        expect(final?.status).toBe("IN_PROGRESS");
        await claimingStore.completeItem({ id: queued.id, fencingToken: claimed[0]!.fencingToken });
      }
    }

    const bothHappened = await admin.exec(
      `SELECT item_id FROM "${queueSchema}".work_queue_events GROUP BY item_id
       HAVING bool_or(name = 'QueueItemCancelled') AND bool_or(name = 'QueueItemStarted')`,
    );
    expect(bothHappened).toEqual([]);
    expect(cancelled).toBeGreaterThan(0);
  });

  it("deletes finished items once with two cleaners at once", { timeout: 60_000 }, async () => {
    const queueSchema = schema("cleanup");
    const stores = [openStore(queueSchema), openStore(queueSchema)];
    await stores[0]!.migrate();
    for (let batch = 0; batch < 6; batch++) {
      const items = await Promise.all(Array.from({ length: 100 }, (_, index) => stores[0]!.enqueue({ item: newItem({ podName: `old-${batch}-${index}` }), maxOpenItems: null })));
      await Promise.all(items.map((item) => stores[0]!.cancelPending({ id: item.id })));
    }
    const open = await stores[0]!.enqueue({ item: newItem({ podName: "still-open" }), maxOpenItems: null });
    const [cutoff] = await admin.exec("SELECT now() + interval '1 second' AS at");

    const deleted = await Promise.all(stores.map((store) => store.deleteFinishedBefore({ before: cutoff!.at as Date, batchSize: 50 })));

    expect(deleted[0]! + deleted[1]!).toBe(600);
    const [left] = await admin.exec(`SELECT count(*) AS count FROM "${queueSchema}".work_queue`);
    expect(Number(left!.count)).toBe(1);
    expect((await stores[1]!.getItem({ id: open.id }))?.status).toBe("PENDING");
  });

  it("classifies a real lock timeout as transient", async () => {
    const logSchema = schema("lock_log");
    await createLogTable(admin, logSchema);
    await insertLogRows(admin, logSchema, [{ deployment: "api", pod: "api-1", count: 100, start: new Date("2026-10-01T00:00:00Z"), stepMs: 1_000 }]);
    const target = createPostgresLogTarget({ connection: lookup.server!.url, schema: logSchema, lockTimeoutMs: 200 });
    suite.defer(async () => target.close?.());
    const range = { deployment: "api", podName: "api-1", from: null, to: new Date("2026-10-02T00:00:00Z"), maxId: await target.maxLogId() };

    // Another transaction holds a row of the range locked until the chunk has given up.
    const holder = postgres(lookup.server!.url, { max: 1, onnotice: () => {} });
    suite.defer(() => holder.end({ timeout: 1 }));
    const locked = deferred();
    const release = deferred();
    const holding = holder.begin(async (tx) => {
      await tx.unsafe(`SELECT 1 FROM "${logSchema}"."Log" WHERE "Id" = 5 FOR UPDATE`);
      locked.resolve();
      await release.promise;
    });
    await locked.promise;

    const error = await target.deleteChunk({ range, cursor: null, limit: 50, statementTimeoutMs: 5_000 }).catch((caught: unknown) => caught);
    release.resolve();
    await holding;

    expect((error as { code?: string }).code).toBe("55P03");
    expect(target.classifyError(error)).toBe("lock-timeout");
    const retried = await target.deleteChunk({ range, cursor: null, limit: 50, statementTimeoutMs: 5_000 });
    expect(retried.deleted).toBe(50);
  });
});
