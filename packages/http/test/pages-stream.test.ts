import { PermanentJobError, defineHandler } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type AppFixture, PODS, createAppFixture, finished } from "./fixture.js";
import { type SseMessage, type SseReader, openSseStream } from "./sse-reader.js";

let fixture: AppFixture;
let readers: SseReader[] = [];

afterEach(async () => {
  for (const reader of readers) await reader.cancel().catch(() => {});
  readers = [];
  await fixture?.close();
});

async function openStream(path: string, headers: Record<string, string> = {}): Promise<SseReader> {
  const reader = await openSseStream(fixture.request, path, { headers });
  readers.push(reader);
  return reader;
}

const withData = (text: string) => (message: SseMessage) => message.data?.includes(text) === true;

const ERROR_TEXT = "<b>disk</b> full\r\nwhile writing";

const failingJob = defineHandler({
  type: "BROKEN_EXPORT",
  payloadSchema: z.object({}).strict(),
  run: async () => {
    throw new PermanentJobError(ERROR_TEXT);
  },
});

describe("live page streams", () => {
  it("render queue events as HTML fragments for the queue page", async () => {
    fixture = createAppFixture();
    const reader = await openStream("/queue/events");
    const item = await (await fixture.send("/api/workqueue/purge", { podName: PODS.markup.podName })).json();

    const [added] = (await reader.until((message) => message.id !== undefined)).slice(-1);
    expect(added!.event).toBeUndefined();
    expect(Number(added!.id)).toBeGreaterThan(0);
    const data = added!.data!;
    expect(data).toContain(`<hx-upsert hx-target="#items[data-accepts~=PENDING]" key="data-id" sort="desc"><li class="item item-pending" id="item-${item.id}"`);
    expect(data).toContain(`<hx-partial hx-target="#items[data-accepts=''] > #item-${item.id}" hx-swap="outerHTML"><li class="item item-pending" id="item-${item.id}"`);
    expect(data).toContain(`<hx-partial hx-target="#items:not([data-accepts='']):not([data-accepts~=PENDING]) > #item-${item.id}" hx-swap="delete"></hx-partial>`);
    expect(data).toContain('<hx-partial hx-target="#toasts" hx-swap="beforeend"><div class="toast toast-info" role="status">');
    expect(data).toContain('<span class="count" id="count-PENDING" hx-swap-oob="true">1</span>');
    expect(data).toContain('<span class="count" id="count-ALL" hx-swap-oob="true">1</span>');
    expect(data).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    expect(data).not.toContain("<script>");

    const done = finished(fixture, item.id);
    await fixture.startProcessor();
    await done;
    const rest = await reader.until(withData("completed:"));
    const progress = rest.find(withData(`hx-target="#item-${item.id}-progress"`));
    expect(progress?.data).toContain("<progress max=\"100\"");
    expect(progress?.data).not.toContain("count-ALL");
    expect(rest.at(-1)!.data).toContain('<span class="badge badge-completed">Completed</span>');
    expect(rest.at(-1)!.data).toContain('<span class="count" id="count-COMPLETED" hx-swap-oob="true">1</span>');
  });

  it("render pod cells and badges for the purge page", async () => {
    fixture = createAppFixture();
    const reader = await openStream("/purge/events");
    const item = await (await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName })).json();

    const added = (await reader.until(withData("was queued"))).at(-1)!.data!;
    expect(added).toMatch(/<div class="pod-state" id="pod-[\w-]+-state" hx-swap-oob="true"><span class="badge badge-pending" id="pod-[\w-]+-badge">Pending<\/span>/);
    expect(added).toContain(`href="/queue?before=${item.id + 1}#item-${item.id}">View in queue</a>`);
    expect(added).not.toContain("count-");

    const done = finished(fixture, item.id);
    await fixture.startProcessor();
    await done;
    const rest = await reader.until(withData("completed:"));
    expect(rest.some(withData('<span class="badge badge-in_progress" id="pod-'))).toBe(true);
    expect(rest.at(-1)!.data).toContain("badge-completed");
    expect(rest.at(-1)!.data).not.toContain("View in queue");
  });

  it("keep every line of a multi-line error in the message", async () => {
    fixture = createAppFixture({ handlers: [failingJob] });
    const reader = await openStream("/queue/events");
    const item = await fixture.queue.enqueue({ type: "BROKEN_EXPORT", podName: "exporter-0", payload: {} });
    const done = finished(fixture, item.id);
    await fixture.startProcessor();
    await done;

    const failed = (await reader.until(withData("failed:"))).at(-1)!.data!;
    expect(failed).toContain("&lt;b&gt;disk&lt;/b&gt; full\nwhile writing");
    expect(failed).toContain('role="alert"');
    expect(failed).not.toContain("<b>");
  });

  it("replay the events after Last-Event-ID", async () => {
    fixture = createAppFixture();
    const first = await openStream("/queue/events");
    await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName });
    const seen = (await first.until((message) => message.id !== undefined)).at(-1)!;
    await first.cancel();

    await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName });
    const second = await openStream("/queue/events?lastEventId=0", { "Last-Event-ID": seen.id! });
    const replayed = (await second.until((message) => message.id !== undefined)).at(-1)!;

    expect(Number(replayed.id)).toBeGreaterThan(Number(seen.id));
    expect(replayed.data).toContain(PODS.worker.podName);
  });

  it("ask for a reload when too many events were missed", async () => {
    fixture = createAppFixture({ app: { events: { maxReplayEvents: 1 } } });
    const first = await openStream("/purge/events");
    await fixture.send("/api/workqueue/purge", { podName: PODS.api.podName });
    const seen = (await first.until((message) => message.id !== undefined)).at(-1)!;
    await first.cancel();

    await fixture.send("/api/workqueue/purge", { podName: PODS.worker.podName });
    await fixture.send("/api/workqueue/purge", { podName: PODS.apiOther.podName });
    const second = await openStream("/purge/events", { "Last-Event-ID": seen.id! });
    const truncated = (await second.until((message) => message.id !== undefined)).at(-1)!;

    expect(Number(truncated.id)).toBeGreaterThan(Number(seen.id) + 1);
    expect(truncated.data).toContain('Some updates were missed while the connection was down. <a href="/purge">Reload the page</a>');
  });

  it("reject a malformed Last-Event-ID", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/queue/events?lastEventId=abc");
    const head = await fixture.request("/purge/events", { method: "HEAD" });

    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(head.status).toBe(200);
    expect(head.headers.get("Content-Type")).toBe("text/event-stream; charset=utf-8");
  });
});
