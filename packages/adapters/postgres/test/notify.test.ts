import { createEventFeed, type QueueEvent, type StoreNotice } from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { createPostgresStore, type PostgresStore } from "@logmk/workqueue-postgres";
import { describe, expect, it } from "vitest";
import { deferred, within } from "./support/deferred.js";
import { serverSuite } from "./support/server-suite.js";

const suite = await serverSuite();
const { lookup } = suite;

/** Two stores on one schema, each with its own pool and LISTEN connection, as two processes have. */
async function twoProcesses(prefix: string): Promise<[PostgresStore, PostgresStore]> {
  const schema = suite.schema(prefix);
  const stores = [0, 1].map(() => {
    const store = createPostgresStore({ connection: lookup.server!.url, schema, maxConnections: 2 });
    suite.defer(() => store.close());
    return store;
  });
  await stores[0]!.migrate();
  return stores as [PostgresStore, PostgresStore];
}

/** Subscribes and resolves once both notice kinds arrived. */
async function collectNotices(store: PostgresStore): Promise<{ notices: StoreNotice[]; both: Promise<void> }> {
  const notices: StoreNotice[] = [];
  const both = deferred();
  const unsubscribe = await store.subscribe!((notice) => {
    notices.push(notice);
    if (notices.some((entry) => entry.kind === "work-available") && notices.some((entry) => entry.kind === "events")) both.resolve();
  });
  suite.defer(unsubscribe);
  return { notices, both: both.promise };
}

describe.skipIf(!lookup.server)(suite.title("NOTIFY across processes"), () => {
  it("wakes a subscriber of another store on enqueue", async () => {
    const [writer, reader] = await twoProcesses("notify");
    const { notices, both } = await collectNotices(reader);

    await writer.enqueue({ item: newItem(), maxOpenItems: null });
    await within(both, 5_000, "both notices");

    expect(notices.map((notice) => notice.kind).sort()).toEqual(["events", "work-available"]);
  });

  it("sends one notice per transaction, not per row", async () => {
    const [writer, reader] = await twoProcesses("notify_once");
    for (let index = 0; index < 5; index++) await writer.enqueue({ item: newItem({ podName: `pod-${index}` }), maxOpenItems: null });
    const { notices } = await collectNotices(reader);
    const claimedAll = deferred();
    const unsubscribe = await reader.subscribe!(() => claimedAll.resolve());
    suite.defer(unsubscribe);

    const claimed = await writer.claimNext({ workerId: "w", types: ["TEST_JOB"], leaseMs: 60_000, limit: 5 });
    await within(claimedAll.promise, 5_000, "the claim's notice");
    // A second transaction whose notice arrives after the first proves no further notices were on their way.
    const marker = await collectNotices(reader);
    await writer.enqueue({ item: newItem({ podName: "marker" }), maxOpenItems: null });
    await within(marker.both, 5_000, "the marker's notices");

    expect(claimed).toHaveLength(5);
    const kinds = notices.map((notice) => notice.kind);
    expect(kinds).toHaveLength(3);
    expect(kinds[0]).toBe("events");
    expect(kinds.slice(1).sort()).toEqual(["events", "work-available"]);
  });

  it("delivers events of one process to event feed listeners of another", async () => {
    const [writer, reader] = await twoProcesses("feed");
    // A long poll interval leaves NOTIFY as the only way the event can arrive in time.
    const feed = createEventFeed({ store: reader, pollIntervalMs: 600_000 });
    suite.defer(() => feed.stop());
    const received = deferred<QueueEvent>();
    feed.emitter.on("QueueItemAdded", (event) => received.resolve(event));
    await feed.start();

    const item = await writer.enqueue({ item: newItem({ podName: "from-writer" }), maxOpenItems: null });
    const event = await within(received.promise, 5_000, "the QueueItemAdded event");

    expect(event.item.id).toBe(item.id);
    expect(event.item.podName).toBe("from-writer");
  });

  it("keeps two schemas on one server apart", async () => {
    const [writer] = await twoProcesses("apart_a");
    const [otherWriter, otherReader] = await twoProcesses("apart_b");
    const { notices, both } = await collectNotices(otherReader);

    await writer.enqueue({ item: newItem(), maxOpenItems: null });
    // Notices reach a listener in commit order, so any notice of the first schema would come first.
    await otherWriter.enqueue({ item: newItem(), maxOpenItems: null });
    await within(both, 5_000, "the other schema's notices");

    expect(notices.map((notice) => notice.kind).sort()).toEqual(["events", "work-available"]);
  });
});
