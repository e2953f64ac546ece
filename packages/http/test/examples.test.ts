import { WorkQueueItemResponseSchema } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { type CustomJobService, POD_LOG_STATS_TYPE, createCustomJobService } from "../examples/custom-job.js";
import { DEMO_PODS } from "../examples/demo-service.js";
import { type LogMkService, createLogMkService } from "../examples/mount-in-hono.js";

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "Content-Type": "application/json", ...headers },
  body: JSON.stringify(body),
});

describe("mount-in-hono example", () => {
  let mounted: LogMkService | undefined;
  afterEach(async () => {
    await mounted?.close();
  });

  it("serves the service's routes and the queue under /workqueue", async () => {
    mounted = createLogMkService({ apiToken: "example-token" });
    const { service } = mounted;
    await mounted.processor.start();

    const own = await service.request("/api/logs/pods");
    const health = await service.request("/workqueue/healthz");
    const withoutToken = await service.request("/workqueue/api/workqueue/purge", json({ podName: DEMO_PODS[0].podName }));
    const queued = await service.request("/workqueue/api/workqueue/purge", json({ podName: DEMO_PODS[0].podName }, { Authorization: "Bearer example-token" }));

    expect(own.status).toBe(200);
    expect(await own.json()).toEqual(DEMO_PODS.map((pod) => pod.podName));
    // The app's middleware stays under its base path.
    expect(own.headers.get("X-Request-Id")).toBeNull();
    expect(health.headers.get("X-Request-Id")).not.toBeNull();
    expect(health.status).toBe(200);
    expect(withoutToken.status).toBe(401);
    expect(withoutToken.headers.get("Content-Type")).toBe("application/problem+json");
    expect(queued.status).toBe(202);
    const location = queued.headers.get("Location")!;
    expect(location).toMatch(/^\/workqueue\/api\/workqueue\/\d+$/);
    expect((await service.request(location)).status).toBe(200);
  });

  it("answers unknown queue paths with a problem", async () => {
    mounted = createLogMkService({ apiToken: "example-token" });
    const { service } = mounted;

    const unknown = await service.request("/workqueue/api/nope");
    const outside = await service.request("/somewhere-else");

    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("Content-Type")).toBe("application/problem+json");
    expect((await unknown.json()).type).toContain("route-not-found");
    expect(outside.status).toBe(404);
    expect(outside.headers.get("Content-Type")).not.toBe("application/problem+json");
  });
});

describe("custom-job example", () => {
  let custom: CustomJobService | undefined;
  afterEach(async () => {
    await custom?.close();
  });

  it("runs its own job type through the shared queue", async () => {
    custom = createCustomJobService();
    const { app, queue } = custom;
    const pod = DEMO_PODS[2];
    const notYet = await app.request(`/api/pod-stats/${pod.deployment}/${pod.podName}`);
    const queued = await app.request(`/api/pod-stats/${pod.deployment}/${pod.podName}`, { method: "POST" });
    const duplicate = await app.request(`/api/pod-stats/${pod.deployment}/${pod.podName}`, { method: "POST" });

    expect(notYet.status).toBe(404);
    expect((await notYet.json()).code).toBe("NOT_FOUND");
    expect(queued.status).toBe(202);
    const item = WorkQueueItemResponseSchema.parse(await queued.json());
    expect(item.type).toBe(POD_LOG_STATS_TYPE);
    expect(duplicate.status).toBe(409);

    const completed = new Promise((resolve) => {
      const stop = queue.on("QueueItemCompleted", (event) => {
        if (event.item.id !== item.id) return;
        stop();
        resolve(event);
      });
    });
    await custom.processor.start();
    await completed;

    const stats = await (await app.request(`/api/pod-stats/${pod.deployment}/${pod.podName}`)).json();
    expect(stats).toMatchObject({ deployment: pod.deployment, podName: pod.podName, rows: pod.count });
    const listed = await (await app.request(`/api/workqueue?type=${POD_LOG_STATS_TYPE}`)).json();
    expect(listed.map((entry: { id: number; status: string }) => [entry.id, entry.status])).toEqual([[item.id, "COMPLETED"]]);
    expect(listed[0].recordsAffected).toBe(pod.count);
  });
});
