import { PermanentJobError, defineHandler } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { createWorkQueueApp } from "../src/index.js";
import { CONTENT_SECURITY_POLICY } from "../src/pages/respond.js";
import { type AppFixture, PODS, createAppFixture, finished } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

const ORIGIN = "http://localhost";
const HTMX = { "HX-Request": "true" };
const MARKUP_ERROR = `<img src=x onerror=alert(1)> "quoted" & 'single'\nsecond line`;

/** Posts a form as htmx does: URL-encoded, from the page's own origin. */
function postForm(path: string, fields: Record<string, string>): Promise<Response> {
  return fixture.request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, ...HTMX },
    body: new URLSearchParams(fields).toString(),
  });
}

/** A job type whose items fail with markup in the error text. */
const markupFailure = defineHandler({
  type: "MARKUP_FAILURE",
  payloadSchema: z.object({}).strict(),
  run: async () => {
    throw new PermanentJobError(MARKUP_ERROR);
  },
});

/** Checks that markup contains no script or handler that did not come from the page itself. */
function expectNoInjectedMarkup(page: string): void {
  expect(page).not.toMatch(/<script(?![^>]*\ssrc="\/assets\/)/);
  expect(page).not.toMatch(/<img/);
  // Only a tag's own attributes count, not quoted values, because escaped text such as a pod name
  // in an hx-confirm question may read "onerror=" without being an attribute.
  expect(page).not.toMatch(/<[a-z][^>"]*(?:"[^"]*"[^>"]*)*\son[a-z]+=/i);
  expect(page).not.toMatch(/<[^>]*\sstyle=/);
}

describe("pages", () => {
  it("redirect / to the queue page", async () => {
    fixture = createAppFixture({ app: { basePath: "/wq" } });
    const response = await fixture.request("/wq");

    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe("/wq/queue");
  });

  it("send a strict Content-Security-Policy", async () => {
    fixture = createAppFixture();
    for (const path of ["/queue", "/purge", "/login", "/queue/list"]) {
      const response = await fixture.request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get("Content-Security-Policy"), path).toBe(CONTENT_SECURITY_POLICY);
      expect(response.headers.get("Content-Type"), path).toBe("text/html; charset=UTF-8");
      expectNoInjectedMarkup(await response.text());
    }
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toContain("unsafe-inline");
  });

  it("list items in keyset pages", async () => {
    fixture = createAppFixture({ app: { pages: { pageSize: 2 } } });
    const ids: number[] = [];
    for (const pod of [PODS.api, PODS.apiOther, PODS.worker]) {
      ids.push((await (await fixture.send("/api/workqueue/purge", { podName: pod.podName })).json()).id);
    }
    await fixture.queue.cancel(ids[0]!);

    const first = await (await fixture.request("/queue")).text();
    expect([...first.matchAll(/<li class="item [^"]*" id="item-(\d+)"/g)].map((match) => Number(match[1]))).toEqual([ids[2], ids[1]]);
    expect(first).toContain('<span class="count" id="count-ALL">3</span>');
    expect(first).toContain('<span class="count" id="count-PENDING">2</span>');
    expect(first).toContain('<span class="count" id="count-CANCELLED">1</span>');
    expect(first).toContain('data-accepts="PENDING IN_PROGRESS COMPLETED FAILED CANCELLED"');
    expect(first).toContain(`href="/queue?before=${ids[1]}" rel="next"`);
    expect(first).toMatch(/hx-sse:connect="\/queue\/events\?lastEventId=\d+"/);

    const older = await (await fixture.request(`/queue?before=${ids[1]}`)).text();
    expect([...older.matchAll(/id="item-(\d+)"/g)].map((match) => Number(match[1]))).toEqual([ids[0]]);
    expect(older).toContain('data-accepts=""');
    expect(older).toContain("Newest items");

    const cancelled = await (await fixture.request("/queue?status=CANCELLED")).text();
    expect(cancelled).toContain('data-accepts="CANCELLED"');
    expect(cancelled).toContain(`id="item-${ids[0]}"`);
    expect(cancelled).toContain("Retry");
  });

  it("reject an unknown status", async () => {
    fixture = createAppFixture();
    const page = await fixture.request("/queue?status=<b>DONE</b>", { headers: { Accept: "text/html" } });
    const fragment = await fixture.request("/queue/list?status=DONE", { headers: { Accept: "text/html", ...HTMX } });
    const unknownPage = await fixture.request("/nowhere", { headers: { Accept: "text/html" } });

    expect(page.status).toBe(400);
    const body = await page.text();
    expect(body).toContain("Invalid status &quot;&lt;b&gt;DONE&lt;/b&gt;&quot;");
    expectNoInjectedMarkup(body);
    expect(fragment.status).toBe(400);
    expect((await fragment.json()).code).toBe("VALIDATION_FAILED");
    expect(unknownPage.status).toBe(404);
    expect(await unknownPage.text()).toContain("Page not found");
  });

  it("show hostile names as text", async () => {
    fixture = createAppFixture({ handlers: [markupFailure] });
    const escapedPod = "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&#39;; DROP TABLE &quot;Log&quot;; --";
    const preview = await postForm("/purge/preview", { podName: PODS.markup.podName, deployment: PODS.markup.deployment, range: "all" });
    expect(await preview.text()).toContain(escapedPod);
    const purge = await fixture.send("/api/workqueue/purge", { podName: PODS.markup.podName });
    expect(purge.status).toBe(202);
    for (const path of ["/queue", "/purge", `/purge/form?deployment=api&podName=${encodeURIComponent(PODS.markup.podName)}`]) {
      const page = await (await fixture.request(path)).text();
      expect(page, path).toContain(escapedPod);
      expectNoInjectedMarkup(page);
    }

    const failing = await fixture.queue.enqueue({ type: "MARKUP_FAILURE", podName: "<img src=x onerror=alert(2)>", payload: {} });
    const done = finished(fixture, failing.id);
    await fixture.startProcessor();
    await done;
    const queue = await (await fixture.request("/queue?status=FAILED")).text();
    expect(queue).toContain("&lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot; &amp; &#39;single&#39;\nsecond line");
    expect(queue).toContain('<details class="error-details"><summary>Error details</summary>');
    expectNoInjectedMarkup(queue);
  });

  it("preview, then queue a purge", async () => {
    fixture = createAppFixture();
    const pod = { podName: PODS.api.podName, deployment: PODS.api.deployment };
    const form = await fixture.request(`/purge/form?deployment=${pod.deployment}&podName=${pod.podName}`, { headers: HTMX });
    expect(await form.text()).toContain('hx-post="/purge/preview"');

    const before = Date.now();
    const preview = await postForm("/purge/preview", { ...pod, range: "1d", schedule: "now" });
    const confirmation = await preview.text();
    expect(preview.status).toBe(200);
    expect(confirmation).toMatch(/About <strong>[\d,]+<\/strong> log lines will be deleted\./);
    const to = /name="to" value="([^"]+)"/.exec(confirmation)![1]!;
    expect(Math.abs(Date.parse(to) - (before - 24 * 60 * 60_000))).toBeLessThan(5_000);
    expect(confirmation).not.toContain('name="from"');
    const estimate = Number(/name="displayedEstimate" value="(\d+)"/.exec(confirmation)![1]);
    expect(estimate).toBeGreaterThan(0);
    expect(await fixture.queue.list()).toEqual([]);

    const queued = await postForm("/purge/queue", { ...pod, to, schedule: "now", displayedEstimate: String(estimate) });
    expect(queued.status).toBe(200);
    const [item] = await fixture.queue.list();
    expect(JSON.parse(queued.headers.get("HX-Trigger")!)["purge-queued"].itemId).toBe(item!.id);
    expect(item!.payload).toMatchObject({ from: null, to, displayedEstimate: estimate });
    expect(item!.metadata).toEqual({ source: "purge page" });
    const cell = await queued.text();
    expect(cell).toContain('hx-swap-oob="true"');
    expect(cell).toContain(`href="/queue?before=${item!.id + 1}#item-${item!.id}"`);
    expect(cell).toMatch(/<button [^>]*disabled/);

    const again = await postForm("/purge/queue", { ...pod, to, schedule: "now" });
    expect(again.status).toBe(409);
    expect((await again.json()).detail).toContain("open");
  });

  it("reject incomplete purge forms", async () => {
    fixture = createAppFixture();
    const pod = { podName: PODS.api.podName, deployment: PODS.api.deployment };
    const empty = await postForm("/purge/preview", { ...pod, range: "custom", from: "", to: "", schedule: "now" });
    const offPeak = await postForm("/purge/queue", { ...pod, to: new Date(Date.now() - 60_000).toISOString(), schedule: "off-peak" });
    const unknownRange = await postForm("/purge/preview", { ...pod, range: "forever" });

    expect(empty.status).toBe(400);
    expect((await empty.json()).detail).toBe("A custom range needs a start, an end or both; fill in From or To.");
    expect(offPeak.status).toBe(400);
    expect((await offPeak.json()).detail).toContain("off-peak");
    expect(unknownRange.status).toBe(400);
  });

  it("cancel and retry return the updated card", async () => {
    fixture = createAppFixture();
    const item = await (await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName })).json();

    const cancelled = await postForm(`/queue/items/${item.id}/cancel`, {});
    const cancelledCard = await cancelled.text();
    expect(cancelled.status).toBe(200);
    expect(cancelledCard).toContain(`id="item-${item.id}"`);
    expect(cancelledCard).toContain('<span class="badge badge-cancelled">Cancelled</span>');
    expect(cancelledCard).toContain(`hx-post="/queue/items/${item.id}/retry"`);
    const pod = `pod &quot;${PODS.worker.podName}&quot; in deployment &quot;${PODS.worker.deployment}&quot;`;
    expect(cancelledCard).toContain(`hx-confirm="Retry item ${item.id}? The purge of ${pod} continues deleting where it stopped."`);

    const retried = await (await postForm(`/queue/items/${item.id}/retry`, {})).text();
    expect(retried).toContain('<span class="badge badge-pending">Pending</span>');
    expect(retried).toContain(`hx-confirm="Stop item ${item.id}, the purge of ${pod}? Rows deleted so far stay deleted."`);

    const unknown = await postForm("/queue/items/999/cancel", {});
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("can be left out", async () => {
    fixture = createAppFixture({ app: { pages: false } });
    const response = await fixture.request("/queue", { headers: { Accept: "text/html" } });

    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  });

  it("reject invalid page options", () => {
    fixture = createAppFixture();
    const base = { queue: fixture.queue, logTarget: fixture.target };
    expect(() => createWorkQueueApp({ ...base, pages: { tokenCookie: "a b" } })).toThrow(/pages.tokenCookie must be a cookie name/);
    expect(() => createWorkQueueApp({ ...base, pages: { pageSize: 0 } })).toThrow(/pages.pageSize must be between 1 and 500/);
    expect(() => createWorkQueueApp({ ...base, pages: true as unknown as false })).toThrow(/pages must be false or an object/);
  });
});
