import { describe, expect, it } from "vitest";
import { createManualClock, createMemoryStore, createProcessor, createWorkQueue, type OffPeakWindowOptions } from "@logmk/workqueue";
import { createRecordingLogger, createTestHandler, settle, TestPayloadSchema } from "./support.js";

const window: OffPeakWindowOptions = { start: "01:00", end: "05:00", timeZone: "Europe/Berlin" };

describe("off-peak scheduling", () => {
  it("runs in the window across a DST change and continues in the next window", async () => {
    // Saturday noon before clocks go forward on 2026-03-29.
    const clock = createManualClock("2026-03-28T12:00:00Z");
    const store = createMemoryStore({ clock });
    const logger = createRecordingLogger();
    const queue = createWorkQueue({ store, handlers: [{ type: "TEST_JOB", payloadSchema: TestPayloadSchema }], clock, logger, offPeakWindow: window });
    const starts: string[] = [];
    let chunks = 0;
    const processor = createProcessor({
      store,
      clock,
      logger,
      offPeakWindow: window,
      itemTimeoutMs: 24 * 3_600_000,
      pollIntervalMs: 60_000,
      handlers: [
        createTestHandler(async ({ signal, reportProgress, item }) => {
          starts.push(clock.now().toISOString());
          // Work in ten-minute chunks; the second window finishes the job.
          const target = item.recordsAffected + (starts.length === 1 ? 1_000 : 7);
          for (let done = item.recordsAffected; done < target; ) {
            if (signal.aborted) throw signal.reason;
            await new Promise<void>((resolve) => clock.setTimer(resolve, 10 * 60_000));
            done = Math.min(target, done + 1);
            chunks++;
            await reportProgress({ recordsAffected: done, progress: 1 });
          }
        }),
      ],
    });

    const item = await queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "night" }, schedule: "off-peak" });
    expect(item.runAt.toISOString()).toBe("2026-03-29T00:00:00.000Z");
    await processor.start();

    await clock.advance(11 * 3_600_000);
    expect(starts).toEqual([]);
    await clock.advance(60 * 60_000);
    await settle(clock, () => starts.length === 1);
    expect(starts[0]! >= "2026-03-29T00:00:00.000Z" && starts[0]! < "2026-03-29T00:01:01.000Z").toBe(true);

    // The short night: the window closes at 05:00 CEST, 03:00 UTC, after 18 chunks.
    await clock.advance(3 * 3_600_000);
    await settle(clock, async () => (await store.getItem({ id: item.id }))?.status === "PENDING");
    const released = await store.getItem({ id: item.id });
    expect(released).toMatchObject({ attempts: 0, stopReason: "window-closed" });
    expect(released?.runAt.toISOString()).toBe("2026-03-29T23:00:00.000Z");
    expect(released!.recordsAffected).toBe(18);

    await clock.advance(21 * 3_600_000);
    await settle(clock, () => starts.length === 2);
    await clock.advance(2 * 3_600_000);
    await settle(clock, async () => (await store.getItem({ id: item.id }))?.status === "COMPLETED");
    await processor.stop();

    expect(starts[1]! >= "2026-03-29T23:00:00.000Z" && starts[1]! < "2026-03-29T23:01:01.000Z").toBe(true);
    expect(await store.getItem({ id: item.id })).toMatchObject({ recordsAffected: 25, attempts: 1 });
  });

  it("rejects an off-peak request when no window is configured", async () => {
    const store = createMemoryStore();
    const queue = createWorkQueue({ store, handlers: [{ type: "TEST_JOB", payloadSchema: TestPayloadSchema }] });

    await expect(queue.enqueue({ type: "TEST_JOB", podName: "p", payload: { label: "x" }, schedule: "off-peak" })).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
      message: expect.stringContaining("configure offPeakWindow"),
    });
  });

  it("retries a cancelled off-peak item at the next window", async () => {
    // Saturday noon in Berlin: the window opens at 01:00 CET, midnight UTC.
    const clock = createManualClock("2026-03-28T12:00:00Z");
    const store = createMemoryStore({ clock });
    const queue = createWorkQueue({ store, handlers: [{ type: "TEST_JOB", payloadSchema: TestPayloadSchema }], clock, offPeakWindow: window });
    const offPeak = await queue.enqueue({ type: "TEST_JOB", podName: "night", payload: { label: "night" }, schedule: "off-peak" });
    const immediate = await queue.enqueue({ type: "TEST_JOB", podName: "day", payload: { label: "day" } });
    await queue.cancel(offPeak.id);
    await queue.cancel(immediate.id);

    const retriedOffPeak = await queue.retry(offPeak.id);
    const retriedNow = await queue.retry(immediate.id);

    expect(retriedOffPeak.runAt.toISOString()).toBe("2026-03-29T00:00:00.000Z");
    expect(retriedNow.runAt.toISOString()).toBe("2026-03-28T12:00:00.000Z");
  });
});
