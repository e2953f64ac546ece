import { afterEach, describe, expect, it } from "vitest";
import { type AppFixture, PODS, TOTAL_ROWS, createAppFixture, finished } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

const HOUR = 60 * 60_000;

/** Purge bodies that must be rejected, with the 4xx status each must get. */
const HOSTILE_BODIES: Array<{ name: string; body: unknown; status: number }> = [
  { name: "HTML pod name", body: { podName: "<img src=x onerror=alert(1)>" }, status: 404 },
  { name: "SQL in the pod name", body: { podName: "x' OR '1'='1" }, status: 404 },
  { name: "SQL after a real pod name", body: { podName: `${PODS.api.podName}' OR 1=1 --` }, status: 404 },
  { name: "SQL in the deployment", body: { podName: PODS.api.podName, deployment: "api' OR '1'='1" }, status: 404 },
  { name: "LIKE wildcard pod name", body: { podName: "api-%" }, status: 404 },
  { name: "unicode pod name", body: { podName: "pöd-日本-😀-\u202egnp" }, status: 404 },
  { name: "10 kB pod name", body: { podName: "a".repeat(10_000) }, status: 400 },
  { name: "newline in the pod name", body: { podName: `${PODS.api.podName}\nadmin` }, status: 400 },
  { name: "NUL in the pod name", body: { podName: `${PODS.api.podName}\u0000` }, status: 400 },
  { name: "empty pod name", body: { podName: "" }, status: 400 },
  { name: "pod name as an object", body: { podName: { $ne: null } }, status: 400 },
  { name: "pod name as an array", body: { podName: [PODS.api.podName, PODS.worker.podName] }, status: 400 },
  { name: "missing pod name", body: { deployment: "api" }, status: 400 },
  { name: "SQL in from", body: { podName: PODS.api.podName, from: "2026-01-01'; DROP TABLE \"Log\"; --" }, status: 400 },
  { name: "words as from", body: { podName: PODS.api.podName, from: "yesterday" }, status: 400 },
  { name: "instant without a time zone", body: { podName: PODS.api.podName, from: "2026-01-01T00:00:00" }, status: 400 },
  { name: "number as to", body: { podName: PODS.api.podName, to: 1_700_000_000_000 }, status: 400 },
  { name: "from after to", body: { podName: PODS.api.podName, from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, status: 400 },
  { name: "unknown timeRange", body: { podName: PODS.api.podName, timeRange: "century" }, status: 400 },
  { name: "other type", body: { podName: PODS.api.podName, type: "DROP_TABLE" }, status: 400 },
  { name: "unknown schedule", body: { podName: PODS.api.podName, schedule: "later" }, status: 400 },
  { name: "huge priority", body: { podName: PODS.api.podName, priority: 1e9 }, status: 400 },
  { name: "fractional priority", body: { podName: PODS.api.podName, priority: 1.5 }, status: 400 },
  { name: "metadata as an array", body: { podName: PODS.api.podName, metadata: ["a"] }, status: 400 },
  { name: "negative displayedEstimate", body: { podName: PODS.api.podName, displayedEstimate: -1 }, status: 400 },
  { name: "zero maxAttempts", body: { podName: PODS.api.podName, maxAttempts: 0 }, status: 400 },
  { name: "unknown field", body: { podName: PODS.api.podName, where: "1=1" }, status: 400 },
];

/** Paths that must be rejected with a 4xx status. */
const HOSTILE_PATHS: Array<{ path: string; method: string; status: number }> = [
  { path: "/api/workqueue/1%20OR%201=1", method: "GET", status: 400 },
  { path: "/api/workqueue/1;DROP", method: "DELETE", status: 400 },
  { path: "/api/workqueue/-1", method: "DELETE", status: 400 },
  { path: "/api/workqueue/1e3/retry", method: "POST", status: 400 },
  { path: "/api/workqueue/..%2F..%2Fetc%2Fpasswd", method: "GET", status: 400 },
  { path: "/api/workqueue/pod/a%00b", method: "GET", status: 400 },
  { path: `/api/workqueue/pod/${"a".repeat(10_000)}`, method: "GET", status: 400 },
  { path: "/api/workqueue?before=1%20OR%201=1", method: "GET", status: 400 },
  { path: "/api/workqueue?status=PENDING'--", method: "GET", status: 400 },
  { path: "/api/workqueue/events?lastEventId=abc", method: "GET", status: 400 },
];

describe("hostile input", () => {
  it.each(HOSTILE_BODIES)("purge rejects $name", async ({ body, status }) => {
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
    for (const { body } of HOSTILE_BODIES) await fixture.send("/api/workqueue/purge", body);
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
