import type { StoreNotice } from "@logmk/workqueue";
import { createMssqlStore } from "@logmk/workqueue-mssql";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createRecordingExecutor } from "./support/recording-executor.js";
import { respondLikeServer } from "./support/responses.js";

describe("subscribe", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("polls once per interval for all listeners", async () => {
    const executor = createRecordingExecutor(respondLikeServer());
    const store = createMssqlStore({ executor, pollIntervalMs: 1_000 });
    const unsubscribers = await Promise.all([store.subscribe!(() => {}), store.subscribe!(() => {}), store.subscribe!(() => {})]);

    await vi.advanceTimersByTimeAsync(5_000);

    expect(executor.named("eventsLastId")).toHaveLength(1);
    expect(executor.named("eventsChangeMarker")).toHaveLength(5);
    for (const unsubscribe of unsubscribers) await unsubscribe();
    await vi.advanceTimersByTimeAsync(5_000);
    expect(executor.named("eventsChangeMarker")).toHaveLength(5);
  });

  it("sends notices when the marker moves", async () => {
    const markers = [
      { LastId: null, LastWorkId: null },
      { LastId: "12", LastWorkId: null },
      { LastId: "14", LastWorkId: "13" },
    ];
    const executor = createRecordingExecutor(respondLikeServer({}));
    const respond = respondLikeServer();
    const markerExecutor = {
      ...executor,
      query: (statement: Parameters<typeof executor.query>[0]) =>
        statement.name === "eventsChangeMarker" ? Promise.resolve({ recordsets: [[markers.shift() ?? { LastId: null, LastWorkId: null }]] }) : Promise.resolve({ recordsets: respond(statement) ?? [[]] }),
    };
    const store = createMssqlStore({ executor: markerExecutor, pollIntervalMs: 1_000 });
    const notices: StoreNotice["kind"][] = [];
    const unsubscribe = await store.subscribe!((notice) => notices.push(notice.kind));

    await vi.advanceTimersByTimeAsync(1_000);
    expect(notices).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(notices).toEqual(["events"]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(notices).toEqual(["events", "work-available", "events"]);

    await unsubscribe();
  });

  it("keeps polling after a failed query and a throwing listener", async () => {
    let failures = 1;
    const respond = respondLikeServer({ eventsChangeMarker: [[{ LastId: "20", LastWorkId: "20" }]] });
    const warnings: string[] = [];
    const errors: string[] = [];
    const logger = { debug() {}, info() {}, warn: (_fields: object, message: string) => warnings.push(message), error: (_fields: object, message: string) => errors.push(message) };
    const executor = {
      query: async (statement: { name: string }) => {
        if (statement.name === "eventsChangeMarker" && failures-- > 0) throw new Error("Connection lost");
        return { recordsets: respond(statement as never) ?? [[]] };
      },
      transaction: async <T>(work: (executor: never) => Promise<T>) => work(undefined as never),
    };
    const store = createMssqlStore({ executor, pollIntervalMs: 500, logger });
    const received: string[] = [];
    const unsubscribe = await store.subscribe!((notice) => {
      received.push(notice.kind);
      throw new Error("listener bug");
    });

    await vi.advanceTimersByTimeAsync(1_000);

    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("Connection lost");
    expect(received).toEqual(["work-available", "events"]);
    expect(errors).toHaveLength(2);
    await unsubscribe();
  });
});
