import type { WorkQueueStore } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { HealthResponseSchema, createWorkQueueApp } from "../src/index.js";
import { type AppFixture, PODS, createAppFixture, createRecordingLogger, failingJobHandler, finished } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

function pingWith(ping: () => Promise<void>) {
  return (store: WorkQueueStore): WorkQueueStore => ({ ...store, ping });
}

/** Returns the value of one sample line, such as `workqueue_claims_total{type="LOG_PURGE"}`. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /healthz", () => {
  it("is ok without a processor", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/healthz");

    expect(response.status).toBe(200);
    expect(HealthResponseSchema.parse(await response.json())).toEqual({ status: "ok", store: "ok", processor: "absent" });
  });

  it("reports a running and a stopped processor", async () => {
    fixture = createAppFixture();
    const processor = await fixture.startProcessor();
    const app = createWorkQueueApp({ queue: fixture.queue, logTarget: fixture.target, metrics: false, processor });

    const running = await app.request("/healthz");
    await processor.stop();
    const stopped = await app.request("/healthz");

    expect(running.status).toBe(200);
    expect((await running.json()).processor).toBe("running");
    expect(stopped.status).toBe(503);
    expect(await stopped.json()).toEqual({ status: "unavailable", store: "ok", processor: "stopped" });
  });

  it("answers 503 when the store ping fails or hangs", async () => {
    const logger = createRecordingLogger();
    fixture = createAppFixture({ wrapStore: pingWith(async () => Promise.reject(new Error("connection refused"))), app: { logger } });
    const failing = await fixture.request("/healthz");
    await fixture.close();
    const neverSettles = new Promise<void>(() => {});
    fixture = createAppFixture({ wrapStore: pingWith(() => neverSettles), app: { healthTimeoutMs: 20 } });
    const timedOut = await fixture.request("/healthz");

    expect(failing.status).toBe(503);
    expect(await failing.json()).toEqual({ status: "unavailable", store: "unreachable", processor: "absent" });
    expect(logger.records.find((record) => record.level === "warn")?.fields["requestId"]).toBe(failing.headers.get("X-Request-Id"));
    expect(timedOut.status).toBe(503);
    expect((await timedOut.json()).store).toBe("unreachable");
  });
});

describe("GET /metrics", () => {
  it("counts the queue's events, purge chunks and items by status", async () => {
    fixture = createAppFixture({ handlers: [failingJobHandler()] });
    await fixture.queue.startEvents();

    const purge = await (await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName })).json();
    const retried = await (await fixture.send("/api/workqueue/purge", { podName: PODS.apiOther.podName })).json();
    await fixture.request(`/api/workqueue/${retried.id}`, { method: "DELETE" });
    await fixture.request(`/api/workqueue/${retried.id}/retry`, { method: "POST" });
    const cancelled = await (await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName })).json();
    await fixture.request(`/api/workqueue/${cancelled.id}`, { method: "DELETE" });
    const failed = await fixture.queue.enqueue({ type: "FAILING_JOB", podName: "exporter-1" });

    const endings = [finished(fixture, purge.id), finished(fixture, retried.id), finished(fixture, failed.id)];
    await fixture.startProcessor();
    await Promise.all(endings);
    const response = await fixture.request("/metrics");

    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const text = await response.text();
    expect(sample(text, 'workqueue_items{status="COMPLETED"}')).toBe(2);
    expect(sample(text, 'workqueue_items{status="FAILED"}')).toBe(1);
    expect(sample(text, 'workqueue_items{status="CANCELLED"}')).toBe(1);
    expect(sample(text, 'workqueue_items{status="PENDING"}')).toBe(0);
    expect(sample(text, "workqueue_oldest_pending_age_seconds")).toBe(0);
    expect(sample(text, 'workqueue_claims_total{type="LOG_PURGE"}')).toBe(2);
    expect(sample(text, 'workqueue_claims_total{type="FAILING_JOB"}')).toBe(1);
    expect(sample(text, 'workqueue_completions_total{type="LOG_PURGE"}')).toBe(2);
    expect(sample(text, 'workqueue_failures_total{type="FAILING_JOB"}')).toBe(1);
    expect(sample(text, 'workqueue_retries_total{type="LOG_PURGE",reason="manual"}')).toBe(1);
    expect(sample(text, 'workqueue_cancellations_total{type="LOG_PURGE"}')).toBe(2);
    expect(sample(text, 'workqueue_start_latency_seconds_count{type="LOG_PURGE"}')).toBe(2);
    expect(sample(text, 'workqueue_start_latency_seconds_bucket{type="LOG_PURGE",le="+Inf"}')).toBe(2);
    expect(sample(text, "workqueue_purge_rows_deleted_total")).toBe(PODS.worker.count + PODS.apiOther.count);
    expect(sample(text, "workqueue_purge_chunk_duration_seconds_count")).toBe(fixture.target.chunkCount());
  });

  it("is served by default and left out with metrics false", async () => {
    fixture = createAppFixture({ app: { metrics: undefined } });
    const byDefault = await fixture.request("/metrics");
    await fixture.close();
    fixture = createAppFixture({ app: { metrics: false } });
    const disabled = await fixture.request("/metrics");

    expect(byDefault.status).toBe(200);
    expect(await byDefault.text()).toContain("# TYPE workqueue_claims_total counter");
    expect(disabled.status).toBe(404);
  });
});
