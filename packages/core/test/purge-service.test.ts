import { describe, expect, it } from "vitest";
import { isWorkQueueError } from "@logmk/workqueue";
import { createPurgeHarness, DAY } from "./purge-support.js";

function harnessWithPods() {
  const harness = createPurgeHarness();
  const now = harness.clock.now();
  const from = new Date(now.getTime() - 40 * DAY);
  harness.target.generate({ deployment: "api", podName: "api-1", count: 4_000, from, to: now });
  harness.target.generate({ deployment: "api", podName: "shared", count: 100, from, to: now });
  harness.target.generate({ deployment: "web", podName: "shared", count: 100, from, to: now });
  return { ...harness, now };
}

describe("log purge service", () => {
  it("fills in the only deployment, the database time and the max id", async () => {
    const { service, now } = harnessWithPods();

    const item = await service.enqueue({ podName: "api-1", displayedEstimate: 3_999, metadata: { source: "purge screen" } });

    expect(item).toMatchObject({ type: "LOG_PURGE", deployment: "api", podName: "api-1", uniqueKey: "LOG_PURGE:api/api-1", estimatedRecords: 4_000, metadata: { source: "purge screen" } });
    expect(item.payload).toEqual({ from: null, to: now.toISOString(), maxId: 4_200, timeRange: null, displayedEstimate: 3_999 });
  });

  it("turns a preset into a range ending now", async () => {
    const { service, now } = harnessWithPods();

    const preview = await service.preview({ podName: "api-1", timeRange: "week" });

    expect(preview).toMatchObject({ deployment: "api", timeRange: "week", to: now.toISOString(), from: new Date(now.getTime() - 7 * DAY).toISOString() });
    expect(preview.estimatedRecords).toBe(700);
  });

  it("asks for a deployment when the pod name repeats", async () => {
    const { service } = harnessWithPods();

    const error = await service.enqueue({ podName: "shared" }).catch((caught: unknown) => caught);

    expect(isWorkQueueError(error, "VALIDATION_FAILED")).toBe(true);
    expect((error as Error).message).toContain("several deployments (api, web)");
    const chosen = await service.enqueue({ podName: "shared", deployment: "web" });
    expect(chosen.uniqueKey).toBe("LOG_PURGE:web/shared");
  });

  it("answers not found for an unknown pod or deployment", async () => {
    const { service } = harnessWithPods();

    await expect(service.enqueue({ podName: "ghost" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining('pod "ghost"') });
    await expect(service.enqueue({ podName: "api-1", deployment: "web" })).rejects.toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining("It has logs in: api") });
  });

  it("rejects bad ranges with the value at fault", async () => {
    const { service, now } = harnessWithPods();
    const future = new Date(now.getTime() + 60_000).toISOString();

    await expect(service.enqueue({ podName: "api-1", to: future })).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining(`to (${future}) is in the future`) });
    await expect(service.enqueue({ podName: "api-1", from: now.toISOString(), to: new Date(now.getTime() - DAY).toISOString() })).rejects.toMatchObject({ message: expect.stringContaining("must be before to") });
    await expect(service.enqueue({ podName: "api-1", timeRange: "day", from: new Date(now.getTime() - DAY).toISOString() })).rejects.toMatchObject({ message: expect.stringContaining("either timeRange or from/to") });
    await expect(service.enqueue({ podName: "api-1", from: "yesterday" })).rejects.toMatchObject({ message: expect.stringContaining("from: must be an ISO 8601 instant") });
    await expect(service.enqueue({ podName: "api-1", type: "OTHER" } as never)).rejects.toMatchObject({ message: expect.stringContaining("type must be LOG_PURGE") });
    await expect(service.enqueue({ podName: "api-1", extra: 1 } as never)).rejects.toMatchObject({ code: "VALIDATION_FAILED", message: expect.stringContaining("extra") });
  });

  it("accepts a to a moment ahead of the database clock as now", async () => {
    const { service, now } = harnessWithPods();

    const item = await service.enqueue({ podName: "api-1", to: new Date(now.getTime() + 2_000).toISOString() });

    expect(item.payload.to).toBe(now.toISOString());
  });

  it("rejects pod names with control characters or over 256 characters", async () => {
    const { service } = harnessWithPods();

    await expect(service.enqueue({ podName: "api\n1" })).rejects.toMatchObject({ message: expect.stringContaining("podName: podName must not contain control characters") });
    await expect(service.enqueue({ podName: "x".repeat(257) })).rejects.toMatchObject({ message: expect.stringContaining("at most 256 characters") });
    await expect(service.enqueue({ podName: "" })).rejects.toMatchObject({ message: expect.stringContaining("must not be empty") });
  });

  it("allows one open purge per pod", async () => {
    const { service } = harnessWithPods();
    const first = await service.enqueue({ podName: "api-1", timeRange: "month" });

    const error = await service.enqueue({ podName: "api-1", timeRange: "day" }).catch((caught: unknown) => caught);

    expect(isWorkQueueError(error, "CONFLICT")).toBe(true);
    expect((error as { item: { id: number } }).item.id).toBe(first.id);
  });
});
