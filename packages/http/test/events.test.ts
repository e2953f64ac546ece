import { QUEUE_EVENT_NAMES, WorkQueueError, type WorkQueue } from "@logmk/workqueue";
import { newItem } from "@logmk/workqueue/testing";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { QueueEventSchema, REPLAY_TRUNCATED_EVENT } from "../src/index.js";
import { type AppFixture, type FixtureOptions, PODS, countListeners, createAppFixture, createRecordingLogger, deferred, failingJobHandler, finished } from "./fixture.js";
import { type SseMessage, SseReader, openSseStream, queueEvents } from "./sse-reader.js";

let fixture: AppFixture;
const readers: SseReader[] = [];

afterEach(async () => {
  for (const reader of readers.splice(0)) await reader.cancel().catch(() => {});
  await fixture?.close();
});

async function connect(path = "/api/workqueue/events", init?: RequestInit): Promise<SseReader> {
  const reader = await openSseStream(fixture.request, path, init);
  readers.push(reader);
  return reader;
}

/** Adds `count` items straight through the store and waits until the queue has delivered their events. */
async function addItems(count: number): Promise<number> {
  const lastId = (await fixture.store.lastEventId()) + count;
  const delivered = fixture.nextEvent((event) => event.id === lastId);
  for (let index = 0; index < count; index++) await fixture.store.enqueue({ item: newItem(), maxOpenItems: null });
  await delivered;
  return lastId;
}

const idsOf = (messages: SseMessage[]) => queueEvents(messages).map((message) => Number(message.id));
const untilId = (id: number) => (message: SseMessage) => message.id === String(id);

describe("GET /api/workqueue/events", () => {
  it("streams every event name in order", async () => {
    fixture = createAppFixture({ handlers: [failingJobHandler()] });
    await fixture.queue.startEvents();
    const reader = await connect();

    const purge = await (await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName })).json();
    const cancelled = await (await fixture.send("/api/workqueue/purge", { podName: PODS.apiOther.podName })).json();
    expect((await fixture.request(`/api/workqueue/${cancelled.id}`, { method: "DELETE" })).status).toBe(200);
    expect((await fixture.request(`/api/workqueue/${cancelled.id}/retry`, { method: "POST" })).status).toBe(202);
    const failing = await fixture.queue.enqueue({ type: "FAILING_JOB", podName: "exporter-1" });

    const endings = [finished(fixture, purge.id), finished(fixture, cancelled.id), finished(fixture, failing.id)];
    await fixture.startProcessor();
    const last = Math.max(...(await Promise.all(endings)).map((event) => event.id));
    const messages = queueEvents(await reader.until(untilId(last)));

    const ids = messages.map((message) => Number(message.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);
    for (const message of messages) {
      const event = QueueEventSchema.parse(JSON.parse(message.data!));
      expect(event.name).toBe(message.event);
      expect(event.id).toBe(Number(message.id));
    }
    expect(new Set(messages.map((message) => message.event))).toEqual(new Set(QUEUE_EVENT_NAMES));

    const namesOf = (itemId: number) => messages.filter((message) => JSON.parse(message.data!).item.id === itemId).map((message) => message.event);
    expect(namesOf(cancelled.id).slice(0, 4)).toEqual(["QueueItemAdded", "QueueItemCancelled", "QueueItemRetried", "QueueItemStarted"]);
    expect(namesOf(purge.id)[0]).toBe("QueueItemAdded");
    expect(namesOf(purge.id)).toContain("QueueItemProgress");
    expect(namesOf(purge.id).at(-1)).toBe("QueueItemCompleted");
    expect(namesOf(failing.id)).toEqual(["QueueItemAdded", "QueueItemStarted", "QueueItemFailed"]);
  });

  it("sends only live events to a new client", async () => {
    fixture = createAppFixture();
    await fixture.queue.startEvents();
    const before = await addItems(3);
    const reader = await connect();
    const next = await addItems(1);

    expect(next).toBe(before + 1);
    expect(idsOf(await reader.until(untilId(next)))).toEqual([next]);
  });

  it("replays what a client missed after Last-Event-ID", async () => {
    fixture = createAppFixture();
    await fixture.queue.startEvents();
    await addItems(5);
    const fromHeader = await connect("/api/workqueue/events", { headers: { "Last-Event-ID": "2" } });
    const fromQuery = await connect("/api/workqueue/events?lastEventId=4");
    const headerWins = await connect("/api/workqueue/events?lastEventId=1", { headers: { "Last-Event-ID": "3" } });
    const live = await addItems(1);

    expect(idsOf(await fromHeader.until(untilId(live)))).toEqual([3, 4, 5, 6]);
    expect(idsOf(await fromQuery.until(untilId(live)))).toEqual([5, 6]);
    expect(idsOf(await headerWins.until(untilId(live)))).toEqual([4, 5, 6]);
  });

  it("joins the replay and live events without gaps or duplicates", async () => {
    let armed = false;
    const subscribed = deferred();
    const releasePosition = deferred();
    const replayStarted = deferred();
    const releaseReplay = deferred();
    const gate = (queue: WorkQueue): WorkQueue => {
      const gated: WorkQueue = Object.create(queue);
      gated.startEvents = async () => {
        if (armed) {
          subscribed.resolve();
          await releasePosition.promise;
        }
        return queue.startEvents();
      };
      gated.readEvents = async (afterId, limit) => {
        replayStarted.resolve();
        await releaseReplay.promise;
        return queue.readEvents(afterId, limit);
      };
      return gated;
    };
    fixture = createAppFixture({ wrapQueue: gate });
    await fixture.queue.startEvents();
    await addItems(5);
    armed = true;

    const responding = fixture.request("/api/workqueue/events", { headers: { "Last-Event-ID": "2" } });
    await subscribed.promise;
    // Delivered live after the subscription but before the position is read: the replay covers them too.
    await addItems(2);
    releasePosition.resolve();
    await replayStarted.promise;
    // Delivered live while the replay read is held: beyond the replay's end.
    await addItems(2);
    releaseReplay.resolve();
    const response = await responding;
    const reader = new SseReader(response.body);
    readers.push(reader);

    const messages = await reader.until(untilId(9));
    expect(idsOf(messages)).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it("sends ReplayTruncated when more was missed than is replayed", async () => {
    fixture = createAppFixture({ app: { events: { maxReplayEvents: 2 } } });
    await fixture.queue.startEvents();
    await addItems(5);
    const reader = await connect("/api/workqueue/events", { headers: { "Last-Event-ID": "0" } });
    const live = await addItems(1);
    const messages = await reader.until(untilId(live));

    expect(messages[0]).toEqual({ event: REPLAY_TRUNCATED_EVENT, id: "5", data: JSON.stringify({ reason: "too-many-events", lastEventId: 0, resumedAfterId: 5, maxReplayEvents: 2 }) });
    expect(idsOf(messages)).toEqual([6]);
  });

  it("replays across an id that a rolled-back transaction left unused", async () => {
    // SQL stores can skip an id; hiding event 3 from the log imitates that.
    const skipThree = (queue: WorkQueue): WorkQueue => {
      const skipping: WorkQueue = Object.create(queue);
      skipping.readEvents = async (afterId, limit) => (await queue.readEvents(afterId, limit)).filter((event) => event.id !== 3);
      return skipping;
    };
    fixture = createAppFixture({ wrapQueue: skipThree });
    await fixture.queue.startEvents();
    await addItems(5);
    const reader = await connect("/api/workqueue/events", { headers: { "Last-Event-ID": "2" } });
    const live = await addItems(1);

    expect(idsOf(await reader.until(untilId(live)))).toEqual([4, 5, 6]);
  });

  it("sends ReplayTruncated when the missed events were deleted", async () => {
    fixture = createAppFixture();
    await fixture.queue.startEvents();
    await addItems(5);
    expect(await fixture.store.deleteEventsBefore({ before: new Date(Date.now() + 60_000) })).toBe(5);
    await addItems(1);
    const expired = await connect("/api/workqueue/events", { headers: { "Last-Event-ID": "2" } });
    // Event 6 is the oldest kept; a client that saw 5 missed nothing.
    const current = await connect("/api/workqueue/events", { headers: { "Last-Event-ID": "5" } });
    const live = await addItems(1);

    const messages = await expired.until(untilId(live));
    expect(messages[0]).toEqual({ event: REPLAY_TRUNCATED_EVENT, id: "6", data: JSON.stringify({ reason: "events-expired", lastEventId: 2, resumedAfterId: 6, maxReplayEvents: 1000 }) });
    expect(idsOf(messages)).toEqual([7]);
    expect(idsOf(await current.until(untilId(live)))).toEqual([6, 7]);
  });

  it("coalesces progress for a slow reader", async () => {
    fixture = createAppFixture({ app: { events: { heartbeatMs: 60_000 } } });
    const reader = await connect();

    const [first, second] = await Promise.all([fixture.store.enqueue({ item: newItem(), maxOpenItems: null }), fixture.store.enqueue({ item: newItem(), maxOpenItems: null })]);
    const claimed = await fixture.store.claimNext({ workerId: "worker-a", types: ["TEST_JOB"], leaseMs: 60_000, limit: 2 });
    expect(claimed).toHaveLength(2);
    for (let step = 1; step <= 20; step++) {
      for (const item of claimed) await fixture.store.reportProgress({ id: item.id, fencingToken: item.fencingToken, recordsAffected: step, progress: step * 4 });
    }
    const completed = fixture.nextEvent((event) => event.name === "QueueItemCompleted");
    await fixture.store.completeItem({ id: first.id, fencingToken: claimed[0]!.fencingToken });
    const lastId = (await completed).id;

    // Nothing was read while the 45 events happened; they arrive in one read, progress coalesced.
    const messages = queueEvents(await reader.until(untilId(lastId)));
    expect(messages.map((message) => message.event)).toEqual([
      "QueueItemAdded",
      "QueueItemAdded",
      "QueueItemStarted",
      "QueueItemStarted",
      "QueueItemProgress",
      "QueueItemProgress",
      "QueueItemCompleted",
    ]);
    const progress = messages.filter((message) => message.event === "QueueItemProgress").map((message) => JSON.parse(message.data!).item);
    expect(progress.map((item) => item.id)).toEqual([first.id, second.id]);
    expect(progress.map((item) => item.recordsAffected)).toEqual([20, 20]);
    const ids = messages.map((message) => Number(message.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
  });

  it("sends heartbeat comments", async () => {
    fixture = createAppFixture({ app: { events: { heartbeatMs: 20 } } });
    const reader = await connect();

    const messages = await reader.until((message) => message.comment === "heartbeat");
    expect(messages.at(-1)).toEqual({ comment: "heartbeat" });
  });

  it("rejects a Last-Event-ID that is not a number", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/api/workqueue/events", { headers: { "Last-Event-ID": "1; DROP" } });

    expect(response.status).toBe(400);
    expect((await response.json()).issues).toEqual([{ path: "lastEventId", message: `must be a whole number from 0 to ${Number.MAX_SAFE_INTEGER}` }]);
  });
});

describe("event stream cleanup", () => {
  let listeners: ReturnType<typeof countListeners>;
  const intervals = new Set<unknown>();

  // Only the event streams use setInterval (for the heartbeat), so every interval started must be cleared again.
  beforeEach(() => {
    const start = globalThis.setInterval;
    const clear = globalThis.clearInterval;
    vi.spyOn(globalThis, "setInterval").mockImplementation(((callback: () => void, ms: number) => {
      const handle = start(callback, ms);
      intervals.add(handle);
      return handle;
    }) as typeof setInterval);
    vi.spyOn(globalThis, "clearInterval").mockImplementation((handle) => {
      intervals.delete(handle);
      clear(handle);
    });
  });

  afterEach(() => {
    const leaked = intervals.size;
    vi.restoreAllMocks();
    for (const handle of intervals) clearInterval(handle as ReturnType<typeof setInterval>);
    intervals.clear();
    expect(leaked).toBe(0);
  });

  const counted = (options: FixtureOptions = {}): FixtureOptions => ({
    ...options,
    wrapQueue: (queue) => {
      listeners = countListeners(queue);
      return listeners.queue;
    },
  });

  it("removes the listener when the client cancels or aborts", async () => {
    fixture = createAppFixture(counted());
    const baseline = listeners.active();
    const cancelling = await connect();
    const controller = new AbortController();
    const aborting = await connect("/api/workqueue/events", { signal: controller.signal });
    expect(listeners.active()).toBe(baseline + 2);

    await cancelling.cancel();
    expect(listeners.active()).toBe(baseline + 1);
    controller.abort();
    expect(listeners.active()).toBe(baseline);
    expect(await aborting.next()).toBeUndefined();

    // Events after the disconnect reach no stream and break nothing.
    await addItems(2);
    expect(listeners.active()).toBe(baseline);
  });

  it("opens no stream for HEAD", async () => {
    fixture = createAppFixture(counted());
    const baseline = listeners.active();
    const response = await fixture.request("/api/workqueue/events", { method: "HEAD" });

    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
    expect(listeners.active()).toBe(baseline);
  });

  it("ends every stream when the host's signal aborts", async () => {
    const shutdown = new AbortController();
    fixture = createAppFixture(counted({ app: { signal: shutdown.signal } }));
    const baseline = listeners.active();
    const streams = [await connect(), await connect()];

    shutdown.abort();
    for (const stream of streams) expect(await stream.next()).toBeUndefined();
    expect(listeners.active()).toBe(baseline);
    const late = await fixture.request("/api/workqueue/events");
    expect(await new SseReader(late.body).next()).toBeUndefined();
    expect(listeners.active()).toBe(baseline);
  });

  it("closes a client that falls too far behind", async () => {
    const logger = createRecordingLogger();
    fixture = createAppFixture(counted({ app: { logger, events: { maxBufferedEvents: 3 } } }));
    const baseline = listeners.active();
    const reader = await connect();

    await addItems(5);
    expect(await reader.next()).toBeUndefined();
    expect(listeners.active()).toBe(baseline);
    expect(logger.records.some((record) => record.level === "warn" && record.message.includes("fell too far behind"))).toBe(true);
  });

  it("closes a client whose replay alone is too long", async () => {
    fixture = createAppFixture(counted({ app: { events: { maxBufferedEvents: 3 } } }));
    const baseline = listeners.active();
    await fixture.queue.startEvents();
    await addItems(5);
    const response = await fixture.request("/api/workqueue/events", { headers: { "Last-Event-ID": "0" } });

    expect(response.status).toBe(200);
    expect(await new SseReader(response.body).next()).toBeUndefined();
    expect(listeners.active()).toBe(baseline);
  });

  it("removes the listener when opening the stream fails", async () => {
    fixture = createAppFixture(
      counted({
        wrapStore: (store) => ({
          ...store,
          lastEventId: async () => {
            throw new WorkQueueError("STORE_FAILED", "connection refused");
          },
        }),
      }),
    );
    const baseline = listeners.active();
    const response = await fixture.request("/api/workqueue/events");

    expect(response.status).toBe(503);
    expect((await response.json()).code).toBe("STORE_FAILED");
    expect(listeners.active()).toBe(baseline);
  });
});
