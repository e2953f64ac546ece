import { afterEach, describe, expect, it } from "vitest";
import { type AppFixture, PODS, TOTAL_ROWS, createAppFixture, finished } from "./fixture.js";
import { HOSTILE_PATHS, hostileBodies } from "./hostile-cases.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

const HOUR = 60 * 60_000;

describe("hostile input", () => {
  it.each(hostileBodies(PODS.api.podName))("purge rejects $name", async ({ body, status }) => {
    fixture = createAppFixture();
    const purge = await fixture.send("/api/workqueue/purge", body);
    const preview = await fixture.send("/api/workqueue/purge/preview", body);

    expect(purge.status).toBe(status);
    expect(preview.status).toBe(status);
    expect(purge.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await fixture.queue.list()).toEqual([]);
  });

  it.each(HOSTILE_PATHS)("$method $path is rejected", async ({ path, method, status }) => {
    fixture = createAppFixture();
    const response = await fixture.request(path, { method });

    expect(response.status).toBe(status);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("leaves Object.prototype alone", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", `{"podName": "${PODS.api.podName}", "__proto__": {"polluted": true}}`);

    expect(response.status).toBe(400);
    expect((await response.json()).issues).toEqual([{ path: "__proto__", message: 'unknown field "__proto__"; remove it' }]);
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
  });

  it("escapes markup only by being JSON", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: "<script>alert(1)</script>" });

    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect((await response.json()).detail).toContain("<script>alert(1)</script>");
  });

  it("deletes only the requested pod and range after hostile requests", async () => {
    fixture = createAppFixture();
    for (const { body } of hostileBodies(PODS.api.podName)) await fixture.send("/api/workqueue/purge", body);
    for (const { path, method } of HOSTILE_PATHS.filter((entry) => !entry.path.includes("/events"))) await fixture.request(path, { method });
    expect(await fixture.queue.list()).toEqual([]);

    const now = Date.now();
    const range = { from: new Date(now - 30 * HOUR), to: new Date(now - 10 * HOUR) };
    const api = { deployment: PODS.api.deployment, podName: PODS.api.podName };
    const inRange = fixture.target.countRows({ ...api, ...range });
    expect(inRange).toBeGreaterThan(0);
    expect(inRange).toBeLessThan(PODS.api.count);

    const ranged = await fixture.send("/api/workqueue/purge", { ...api, from: range.from.toISOString(), to: range.to.toISOString() });
    const markup = await fixture.send("/api/workqueue/purge", { podName: PODS.markup.podName });
    expect(ranged.status).toBe(202);
    expect(markup.status).toBe(202);
    const rangedId = (await ranged.json()).id;
    const markupId = (await markup.json()).id;

    const rangedDone = finished(fixture, rangedId);
    const markupDone = finished(fixture, markupId);
    await fixture.startProcessor();
    expect((await rangedDone).item.recordsAffected).toBe(inRange);
    expect((await markupDone).item.recordsAffected).toBe(PODS.markup.count);

    expect(fixture.target.countRows(api)).toBe(PODS.api.count - inRange);
    expect(fixture.target.countRows({ ...api, ...range })).toBe(0);
    expect(fixture.target.countRows({ deployment: PODS.markup.deployment, podName: PODS.markup.podName })).toBe(0);
    for (const pod of [PODS.apiOther, PODS.worker, PODS.sharedInApi, PODS.sharedInWorker]) {
      expect(fixture.target.countRows({ deployment: pod.deployment, podName: pod.podName })).toBe(pod.count);
    }
    expect(fixture.target.countRows()).toBe(TOTAL_ROWS - inRange - PODS.markup.count);
  });
});
