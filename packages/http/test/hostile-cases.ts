/** Hostile requests shared by the route tests on the memory store and on PGlite. */

/**
 * Returns purge bodies that must be rejected, with the 4xx status each must get. `podName` is a
 * pod that exists in the log table, so that the cases also reach past the pod lookup.
 */
export function hostileBodies(podName: string): Array<{ name: string; body: unknown; status: number }> {
  return [
    { name: "HTML pod name", body: { podName: "<img src=x onerror=alert(1)>" }, status: 404 },
    { name: "SQL in the pod name", body: { podName: "x' OR '1'='1" }, status: 404 },
    { name: "SQL after a real pod name", body: { podName: `${podName}' OR 1=1 --` }, status: 404 },
    { name: "SQL in the deployment", body: { podName, deployment: "api' OR '1'='1" }, status: 404 },
    { name: "LIKE wildcard pod name", body: { podName: "api-%" }, status: 404 },
    { name: "unicode pod name", body: { podName: "pöd-日本-😀-\u202egnp" }, status: 404 },
    { name: "10 kB pod name", body: { podName: "a".repeat(10_000) }, status: 400 },
    { name: "newline in the pod name", body: { podName: `${podName}\nadmin` }, status: 400 },
    { name: "NUL in the pod name", body: { podName: `${podName}\u0000` }, status: 400 },
    { name: "empty pod name", body: { podName: "" }, status: 400 },
    { name: "pod name as an object", body: { podName: { $ne: null } }, status: 400 },
    { name: "pod name as an array", body: { podName: [podName, `${podName}-other`] }, status: 400 },
    { name: "missing pod name", body: { deployment: "api" }, status: 400 },
    { name: "SQL in from", body: { podName: podName, from: "2026-01-01'; DROP TABLE \"Log\"; --" }, status: 400 },
    { name: "words as from", body: { podName: podName, from: "yesterday" }, status: 400 },
    { name: "instant without a time zone", body: { podName: podName, from: "2026-01-01T00:00:00" }, status: 400 },
    { name: "number as to", body: { podName: podName, to: 1_700_000_000_000 }, status: 400 },
    { name: "from after to", body: { podName: podName, from: "2026-02-01T00:00:00Z", to: "2026-01-01T00:00:00Z" }, status: 400 },
    { name: "unknown timeRange", body: { podName: podName, timeRange: "century" }, status: 400 },
    { name: "other type", body: { podName: podName, type: "DROP_TABLE" }, status: 400 },
    { name: "unknown schedule", body: { podName: podName, schedule: "later" }, status: 400 },
    { name: "huge priority", body: { podName: podName, priority: 1e9 }, status: 400 },
    { name: "fractional priority", body: { podName: podName, priority: 1.5 }, status: 400 },
    { name: "metadata as an array", body: { podName: podName, metadata: ["a"] }, status: 400 },
    { name: "negative displayedEstimate", body: { podName: podName, displayedEstimate: -1 }, status: 400 },
    { name: "zero maxAttempts", body: { podName: podName, maxAttempts: 0 }, status: 400 },
    { name: "unknown field", body: { podName: podName, where: "1=1" }, status: 400 },
  ];
}

/** Paths that must be rejected with a 4xx status. */
export const HOSTILE_PATHS: Array<{ path: string; method: string; status: number }> = [
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
