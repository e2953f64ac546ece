import { WorkQueueItemResponseSchema, WorkQueueStatusResponseSchema } from "@logmk/workqueue";
import { claimOne, newItem } from "@logmk/workqueue/testing";
import { afterEach, describe, expect, it } from "vitest";
import { PodItemsResponseSchema, PodResponseSchema } from "../src/index.js";
import { type AppFixture, PODS, createAppFixture, finished } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

const ItemListSchema = WorkQueueItemResponseSchema.array();

/** Queues `count` TEST_JOB items straight through the store, bypassing handler registration. */
async function addTestItems(count: number, overrides: Parameters<typeof newItem>[0] = {}): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) {
    const item = await fixture.store.enqueue({ item: newItem(overrides), maxOpenItems: null });
    ids.push(item.id);
  }
  return ids;
}

async function queuePurge(podName: string, deployment?: string): Promise<number> {
  const response = await fixture.send("/api/workqueue/purge", { podName, deployment });
  expect(response.status).toBe(202);
  return (await response.json()).id;
}

describe("GET /api/workqueue", () => {
  it("lists newest first with 50 per page", async () => {
    fixture = createAppFixture();
    const ids = await addTestItems(60);
    const response = await fixture.request("/api/workqueue");

    expect(response.status).toBe(200);
    const items = ItemListSchema.parse(await response.json());
    expect(items).toHaveLength(50);
    expect(items.map((item) => item.id)).toEqual(ids.slice(10).reverse());
    expect(response.headers.get("Link")).toBe(`</api/workqueue?limit=50&before=${ids[10]}>; rel="next"`);
  });

  it("follows the Link header to the last page", async () => {
    fixture = createAppFixture();
    const ids = await addTestItems(7, { podName: "pod-a" });
    await addTestItems(3, { podName: "pod-b" });

    const seen: number[] = [];
    let next: string | null = "/api/workqueue?podName=pod-a&limit=3";
    while (next !== null) {
      const response = await fixture.request(next);
      expect(response.status).toBe(200);
      seen.push(...ItemListSchema.parse(await response.json()).map((item) => item.id));
      next = /<([^>]+)>; rel="next"/.exec(response.headers.get("Link") ?? "")?.[1] ?? null;
    }
    expect(seen).toEqual([...ids].reverse());
  });

  it("filters by status, type, pod and deployment", async () => {
    fixture = createAppFixture();
    await addTestItems(2, { podName: "pod-a", deployment: "one" });
    const [otherDeployment] = await addTestItems(1, { podName: "pod-a", deployment: "two" });
    const purgeId = await queuePurge(PODS.worker.podName);
    const claimed = await claimOne(fixture.store);

    const byStatus = ItemListSchema.parse(await (await fixture.request("/api/workqueue?status=IN_PROGRESS")).json());
    const byType = ItemListSchema.parse(await (await fixture.request("/api/workqueue?type=LOG_PURGE")).json());
    const byDeployment = ItemListSchema.parse(await (await fixture.request("/api/workqueue?podName=pod-a&deployment=two")).json());

    expect(byStatus.map((item) => item.id)).toEqual([claimed.id]);
    expect(byType.map((item) => item.id)).toEqual([purgeId]);
    expect(byDeployment.map((item) => item.id)).toEqual([otherDeployment]);
  });

  it("accepts 500 per page and rejects 501", async () => {
    fixture = createAppFixture();
    const ok = await fixture.request("/api/workqueue?limit=500");
    const tooMany = await fixture.request("/api/workqueue?limit=501");
    const notNumber = await fixture.request("/api/workqueue?limit=ten");
    const badStatus = await fixture.request("/api/workqueue?status=DONE");

    expect(ok.status).toBe(200);
    expect(tooMany.status).toBe(400);
    expect((await tooMany.json()).issues).toEqual([{ path: "limit", message: "must be a whole number from 1 to 500" }]);
    expect(notNumber.status).toBe(400);
    expect(badStatus.status).toBe(400);
    expect((await badStatus.json()).issues).toEqual([{ path: "status", message: 'must be one of PENDING, IN_PROGRESS, COMPLETED, FAILED, CANCELLED in upper case, not "DONE"' }]);
  });
});

describe("GET /api/workqueue/active and /status", () => {
  it("lists IN_PROGRESS items only", async () => {
    fixture = createAppFixture();
    await addTestItems(3);
    const claimed = await claimOne(fixture.store);
    const items = ItemListSchema.parse(await (await fixture.request("/api/workqueue/active")).json());

    expect(items.map((item) => item.id)).toEqual([claimed.id]);
    expect(items[0]!.status).toBe("IN_PROGRESS");
  });

  it("returns the status overview", async () => {
    fixture = createAppFixture();
    const [, second, third] = await addTestItems(4);
    await claimOne(fixture.store);
    await fixture.queue.cancel(second!);
    await fixture.queue.cancel(third!);
    const response = await fixture.request("/api/workqueue/status");

    expect(response.status).toBe(200);
    const status = WorkQueueStatusResponseSchema.parse(await response.json());
    expect(status.pendingCount).toBe(1);
    expect(status.activeCount).toBe(1);
    expect(status.cancelledCount).toBe(2);
    expect(status.completedCount).toBe(0);
    expect(status.failedCount).toBe(0);
    expect(status.items.map((item) => item.status)).toEqual(["IN_PROGRESS", "PENDING"]);
    expect(status.oldestPendingAgeSeconds).toBeGreaterThanOrEqual(0);
  });
});

describe("GET /api/workqueue/pod/{podName}", () => {
  it("returns the pod's open items", async () => {
    fixture = createAppFixture();
    const purgeId = await queuePurge(PODS.markup.podName);
    const response = await fixture.request(`/api/workqueue/pod/${encodeURIComponent(PODS.markup.podName)}`);

    expect(response.status).toBe(200);
    const body = PodItemsResponseSchema.parse(await response.json());
    expect(body.hasPendingOrActive).toBe(true);
    expect(body.items.map((item) => item.id)).toEqual([purgeId]);
    expect(body.items[0]!.podName).toBe(PODS.markup.podName);
  });

  it("filters by deployment and ignores finished items", async () => {
    fixture = createAppFixture();
    const purgeId = await queuePurge("shared-pod", "api");
    const otherDeployment = await (await fixture.request("/api/workqueue/pod/shared-pod?deployment=worker")).json();
    await fixture.queue.cancel(purgeId);
    const afterCancel = await (await fixture.request("/api/workqueue/pod/shared-pod")).json();

    expect(otherDeployment).toEqual({ hasPendingOrActive: false, items: [] });
    expect(afterCancel).toEqual({ hasPendingOrActive: false, items: [] });
  });

  it("rejects a pod name that is too long", async () => {
    fixture = createAppFixture();
    const response = await fixture.request(`/api/workqueue/pod/${"p".repeat(300)}`);

    expect(response.status).toBe(400);
    expect((await response.json()).detail).toContain("at most 256 characters");
  });
});

describe("GET /api/workqueue/{id}", () => {
  it("answers 404 for an unknown id and 400 for a non-numeric one", async () => {
    fixture = createAppFixture();
    const unknown = await fixture.request("/api/workqueue/12345");
    const text = await fixture.request("/api/workqueue/abc");
    const zero = await fixture.request("/api/workqueue/0");
    const huge = await fixture.request("/api/workqueue/99999999999999999999");

    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe("NOT_FOUND");
    for (const response of [text, zero, huge]) {
      expect(response.status).toBe(400);
      expect((await response.json()).issues[0].path).toBe("id");
    }
  });
});

describe("DELETE /api/workqueue/{id}", () => {
  it("cancels a pending item with 200", async () => {
    fixture = createAppFixture();
    const id = await queuePurge(PODS.api.podName);
    const response = await fixture.request(`/api/workqueue/${id}`, { method: "DELETE" });

    expect(response.status).toBe(200);
    const item = WorkQueueItemResponseSchema.parse(await response.json());
    expect(item.status).toBe("CANCELLED");
    expect(item.stopReason).toBe("cancelled");
  });

  it("asks a running item to stop with 202", async () => {
    fixture = createAppFixture();
    const [id] = await addTestItems(1);
    await claimOne(fixture.store);
    const response = await fixture.request(`/api/workqueue/${id}`, { method: "DELETE" });

    expect(response.status).toBe(202);
    const item = WorkQueueItemResponseSchema.parse(await response.json());
    expect(item.status).toBe("IN_PROGRESS");
    expect(item.cancelRequestedAt).not.toBeNull();
  });

  it("answers 409 for a finished item and 404 for an unknown one", async () => {
    fixture = createAppFixture();
    const id = await queuePurge(PODS.api.podName);
    await fixture.queue.cancel(id);
    const finishedItem = await fixture.request(`/api/workqueue/${id}`, { method: "DELETE" });
    const unknown = await fixture.request("/api/workqueue/999", { method: "DELETE" });

    expect(finishedItem.status).toBe(409);
    const problem = await finishedItem.json();
    expect(problem.code).toBe("INVALID_STATE");
    expect(problem.item.status).toBe("CANCELLED");
    expect(unknown.status).toBe(404);
  });
});

describe("POST /api/workqueue/{id}/retry", () => {
  it("queues a cancelled purge again, and the processor finishes it", async () => {
    fixture = createAppFixture();
    const id = await queuePurge(PODS.worker.podName);
    await fixture.queue.cancel(id);
    const response = await fixture.request(`/api/workqueue/${id}/retry`, { method: "POST" });

    expect(response.status).toBe(202);
    const item = WorkQueueItemResponseSchema.parse(await response.json());
    expect(item.status).toBe("PENDING");
    expect(item.attempts).toBe(0);

    const done = finished(fixture, id);
    await fixture.startProcessor();
    expect((await done).name).toBe("QueueItemCompleted");
    expect(fixture.target.countRows({ deployment: PODS.worker.deployment, podName: PODS.worker.podName })).toBe(0);
  });

  it("rejects open and conflicting retries", async () => {
    fixture = createAppFixture();
    const first = await queuePurge(PODS.api.podName);
    const open = await fixture.request(`/api/workqueue/${first}/retry`, { method: "POST" });
    await fixture.queue.cancel(first);
    const second = await queuePurge(PODS.api.podName);
    const blocked = await fixture.request(`/api/workqueue/${first}/retry`, { method: "POST" });

    expect(open.status).toBe(409);
    expect((await open.json()).code).toBe("INVALID_STATE");
    expect(blocked.status).toBe(409);
    const problem = await blocked.json();
    expect(problem.code).toBe("CONFLICT");
    expect(problem.item.id).toBe(second);
  });

  it("answers 404 for an unknown id", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/api/workqueue/77/retry", { method: "POST" });

    expect(response.status).toBe(404);
  });
});

describe("GET /api/pods", () => {
  it("lists pods with counts, time span and open purge", async () => {
    fixture = createAppFixture();
    const purgeId = await queuePurge(PODS.worker.podName);
    const response = await fixture.request("/api/pods");

    expect(response.status).toBe(200);
    const pods = PodResponseSchema.array().parse(await response.json());
    expect(pods).toHaveLength(Object.keys(PODS).length);
    const worker = pods.find((pod) => pod.podName === PODS.worker.podName)!;
    expect(worker.approximateCount).toBe(PODS.worker.count);
    expect(Date.parse(worker.oldest!)).toBeLessThan(Date.parse(worker.newest!));
    expect(worker.openItem?.id).toBe(purgeId);
    const sharedInWorker = pods.find((pod) => pod.podName === "shared-pod" && pod.deployment === "worker")!;
    expect(sharedInWorker.openItem).toBeNull();
  });
});

describe("basePath", () => {
  it("mounts every route under the prefix", async () => {
    fixture = createAppFixture({ app: { basePath: "/workqueue" } });
    const purge = await fixture.send("/workqueue/api/workqueue/purge", { podName: PODS.api.podName });
    const health = await fixture.request("/workqueue/healthz");
    const unprefixed = await fixture.request("/api/workqueue");
    const openapi = await (await fixture.request("/workqueue/openapi.json")).json();

    expect(purge.status).toBe(202);
    expect(purge.headers.get("Location")).toMatch(/^\/workqueue\/api\/workqueue\/\d+$/);
    expect(health.status).toBe(200);
    expect(unprefixed.status).toBe(404);
    expect((await unprefixed.json()).code).toBe("ROUTE_NOT_FOUND");
    expect(openapi.servers).toEqual([{ url: "/workqueue" }]);
  });
});
