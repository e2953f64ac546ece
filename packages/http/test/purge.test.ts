import { WorkQueueItemResponseSchema } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { ProblemSchema, PurgePreviewResponseSchema } from "../src/index.js";
import { type AppFixture, PODS, createAppFixture } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

describe("POST /api/workqueue/purge", () => {
  it("queues a purge with 202 and a Location", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, displayedEstimate: 990, metadata: { screen: "pods" } });

    expect(response.status).toBe(202);
    const item = WorkQueueItemResponseSchema.parse(await response.json());
    expect(response.headers.get("Location")).toBe(`/api/workqueue/${item.id}`);
    expect(item.type).toBe("LOG_PURGE");
    expect(item.status).toBe("PENDING");
    expect(item.podName).toBe(PODS.api.podName);
    expect(item.deployment).toBe(PODS.api.deployment);
    expect(item.estimatedRecords).toBe(PODS.api.count);
    expect(item.payload["displayedEstimate"]).toBe(990);
    expect(item.metadata).toEqual({ screen: "pods" });

    const stored = await fixture.request(`/api/workqueue/${item.id}`);
    expect(stored.status).toBe(200);
    expect((await stored.json()).id).toBe(item.id);
  });

  it("turns a timeRange preset into from", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, deployment: "api", timeRange: "day", type: "LOG_PURGE" });

    expect(response.status).toBe(202);
    const item = WorkQueueItemResponseSchema.parse(await response.json());
    expect(item.timeRange).toBe("day");
    const from = Date.parse(String(item.payload["from"]));
    const to = Date.parse(String(item.payload["to"]));
    expect(to - from).toBe(24 * 60 * 60_000);
  });

  it("answers 409 with the open item for a second purge of a pod", async () => {
    fixture = createAppFixture();
    const first = await (await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName })).json();
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, timeRange: "hour" });

    expect(response.status).toBe(409);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    const problem = ProblemSchema.parse(await response.json());
    expect(problem.code).toBe("CONFLICT");
    expect(problem.item?.id).toBe(first.id);
    expect(problem.detail).toContain(`item ${first.id}`);
  });

  it("rejects an ambiguous pod with the deployments listed", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: "shared-pod" });

    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.deployments).toEqual(["api", "worker"]);
    expect(problem.issues).toEqual([{ path: "deployment", message: "required: pod is in api, worker" }]);
  });

  it("queues the pod of the deployment given", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: "shared-pod", deployment: "worker" });

    expect(response.status).toBe(202);
    const item = await response.json();
    expect(item.deployment).toBe("worker");
    expect(item.estimatedRecords).toBe(PODS.sharedInWorker.count);
  });

  it("answers 404 for a pod without logs", async () => {
    fixture = createAppFixture();
    const unknownPod = await fixture.send("/api/workqueue/purge", { podName: "no-such-pod" });
    const wrongDeployment = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, deployment: "worker" });

    expect(unknownPod.status).toBe(404);
    expect((await unknownPod.json()).detail).toContain('"no-such-pod"');
    expect(wrongDeployment.status).toBe(404);
    expect((await wrongDeployment.json()).code).toBe("NOT_FOUND");
  });

  it("rejects a range ending in the future", async () => {
    fixture = createAppFixture();
    const to = new Date(Date.now() + 60 * 60_000).toISOString();
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, to });

    expect(response.status).toBe(400);
    expect((await response.json()).issues).toEqual([{ path: "to", message: "must not be in the future" }]);
  });

  it("rejects timeRange together with from", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, timeRange: "day", from: "2026-01-01T00:00:00Z" });

    expect(response.status).toBe(400);
    const problem = await response.json();
    expect(problem.issues).toContainEqual({ path: "timeRange", message: "give either timeRange or from/to, not both" });
  });

  it("rejects off-peak without a configured window", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName, schedule: "off-peak" });

    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain("off-peak");
  });

  it("answers 429 with Retry-After when the queue is full", async () => {
    fixture = createAppFixture({ maxOpenItems: 1, app: { retryAfterSeconds: 12 } });
    expect((await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName })).status).toBe(202);
    const response = await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName });

    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBe("12");
    const problem = await response.json();
    expect(problem.code).toBe("QUEUE_FULL");
    expect(problem.maxOpenItems).toBe(1);
  });
});

describe("POST /api/workqueue/purge/preview", () => {
  it("returns the estimate without queueing", async () => {
    fixture = createAppFixture();
    const from = new Date(Date.now() - 25 * 60 * 60_000).toISOString();
    const response = await fixture.send("/api/workqueue/purge/preview", { podName: PODS.api.podName, from });

    expect(response.status).toBe(200);
    const preview = PurgePreviewResponseSchema.parse(await response.json());
    expect(preview.deployment).toBe("api");
    expect(preview.from).toBe(from);
    expect(preview.estimatedRecords).toBeGreaterThan(0);
    expect(preview.estimatedRecords).toBeLessThan(PODS.api.count);
    expect(preview.maxId).toBeGreaterThan(0);

    const list = await (await fixture.request("/api/workqueue")).json();
    expect(list).toEqual([]);
  });

  it("validates the body like the purge route", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge/preview", { podName: "" });

    expect(response.status).toBe(400);
    expect((await response.json()).issues).toEqual([{ path: "podName", message: "podName must not be empty" }]);
  });
});
