import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningServer } from "../../src/node/index.js";
import { TOKEN_COOKIE } from "../../src/node/index.js";
import { type LaunchedBrowser, launchChromium, locateChromium } from "./chromium.js";
import { type LogPod, closedOffPeakWindow, prepareLogTable, startServer } from "./reference-server.js";

const TOKEN = "browser-test-token-0123456789";

/** Pods of the prepared log table; the watched purge is large enough that its progress can be seen. */
const PODS = {
  watched: { deployment: "web", pod: "web-5f6d8c7b9-watched", rows: 24_000 },
  offPeak: { deployment: "web", pod: "web-5f6d8c7b9-offpeak", rows: 400 },
  failing: { deployment: "batch", pod: "batch-runner-0", rows: 3_000 },
  image: { deployment: "<b>markup</b>", pod: "<img src=x onerror=alert(1)>", rows: 60 },
  script: { deployment: "web", pod: '"><script>alert(2)</script>', rows: 60 },
  finishing: { deployment: "api", pod: "api-7c9d-finishing", rows: 3_000 },
  cancelled: { deployment: "api", pod: "api-7c9d-cancelled", rows: 24_000 },
  keyboard: { deployment: "api", pod: "api-7c9d-keyboard", rows: 60 },
} satisfies Record<string, LogPod>;

/** Settings of every start: small chunks so a purge takes seconds, and an off-peak window that is closed now. */
const BASE_ENV = { WORKQUEUE_API_TOKEN: TOKEN, WORKQUEUE_MAX_CHUNK_SIZE: "10", WORKQUEUE_OFF_PEAK: closedOffPeakWindow() };

const located = locateChromium();
const title = "path" in located ? `queue page and purge screen in ${located.version}` : `queue page and purge screen (skipped: ${located.missing})`;
if (!("path" in located)) console.warn(`Skipping the browser tests of the queue page and purge screen: ${located.missing}`);

describe.skipIf(!("path" in located))(title, { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: RunningServer | undefined;
  let browser: LaunchedBrowser;
  let page: Page;
  /** What would show that markup ran: dialogs opened and CSP violations reported. */
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  async function restart(env: Record<string, string>): Promise<void> {
    const port = server === undefined ? "0" : String(server.port);
    await server?.close();
    server = await startServer(dataDir, { ...BASE_ENV, PORT: port, ...env });
  }

  const url = (path: string) => `${server!.url}${path}`;
  const row = (pod: LogPod) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name: pod.pod, exact: true }) });
  const toast = (text: string | RegExp) => page.locator("#toasts .toast").filter({ hasText: text });

  /** Queues a purge of `pod` through the purge screen's dialog and returns the item id. */
  async function queuePurge(pod: LogPod, choose: { range?: string | RegExp; schedule?: string | RegExp } = {}): Promise<number> {
    await page.goto(url("/purge"));
    await row(pod).getByRole("button", { name: `Purge logs of pod ${pod.pod}` }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    if (choose.range) await dialog.getByLabel(choose.range).check();
    if (choose.schedule) await dialog.getByLabel(choose.schedule).check();
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog.getByText("log lines will be deleted").waitFor();
    const queued = page.waitForResponse((response) => response.url().endsWith("/purge/queue"));
    await dialog.getByRole("button", { name: "Queue the purge" }).click();

    const trigger = JSON.parse((await (await queued).headerValue("HX-Trigger"))!) as { "purge-queued": { itemId: number } };
    await expect.poll(() => dialog.isVisible()).toBe(false);
    return trigger["purge-queued"].itemId;
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "logmk-pages-"));
    await prepareLogTable(dataDir, Object.values(PODS));
    await restart({});
    browser = await launchChromium();
    page = browser.context.pages()[0] ?? (await browser.context.newPage());
    page.on("dialog", (dialog) => {
      dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      // Only the confirmations of cancel and retry are expected. They are accepted, and any other dialog fails the checks below.
      void dialog.accept();
    });
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error" && /Content Security Policy|Refused to/.test(message.text())) pageErrors.push(message.text());
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("asks a person without the token to enter it", async () => {
    await page.goto(url("/purge"));
    await row(PODS.offPeak).getByRole("button", { name: `Purge logs of pod ${PODS.offPeak.pod}` }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText("Previewing and queueing a purge need the API token.").waitFor();
    await dialog.getByRole("button", { name: "Preview" }).click();

    const alert = dialog.getByRole("alert");
    await expect.poll(() => alert.textContent()).toContain("This action needs the API token.");
    expect(await alert.textContent()).toBe("This action needs the API token. Close this dialog and enter the token in the form at the top of the page.");
    expect(await page.locator("#toasts .toast").count()).toBe(0);
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect.poll(() => dialog.isVisible()).toBe(false);
  });

  it("shows other errors as dismissible toasts", async () => {
    await page.goto(url("/queue"));
    await page.route("**/queue/list**", (route) =>
      route.fulfill({ status: 503, contentType: "application/problem+json", body: JSON.stringify({ detail: "The store is not available." }) }),
    );
    try {
      await page.getByRole("button", { name: "Refresh" }).click();
      const error = toast("The store is not available.");
      await error.waitFor();
      expect(await error.getAttribute("role")).toBe("alert");
      await error.getByRole("button", { name: "Dismiss" }).click();
      await expect.poll(() => error.count()).toBe(0);
    } finally {
      await page.unroute("**/queue/list**");
    }
  });

  it("asks for the token once and keeps it in an HttpOnly cookie", async () => {
    await page.goto(url("/purge"));
    const tokenField = page.getByLabel("API token, needed to purge, cancel and retry");
    await tokenField.fill("not-the-token");
    await page.getByRole("button", { name: "Save token" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("That token is not valid");

    await page.getByLabel("API token", { exact: true }).fill(TOKEN);
    await page.getByRole("button", { name: "Save token" }).click();
    await page.getByText("API token saved in this browser.").waitFor();
    expect(new URL(page.url()).pathname).toBe("/purge");

    const cookie = (await browser.context.cookies()).find((entry) => entry.name === TOKEN_COOKIE);
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe("Strict");
    expect(cookie?.path).toBe("/");
  });

  it("shows purge dialog errors inside it", async () => {
    await page.goto(url("/purge"));
    await row(PODS.offPeak).getByRole("button", { name: `Purge logs of pod ${PODS.offPeak.pod}` }).click();
    const dialog = page.getByRole("dialog");
    const alert = dialog.getByRole("alert");
    await dialog.getByLabel("Custom range").check();
    expect(await dialog.getByText("Previewing and queueing a purge need the API token.").count()).toBe(0);
    await dialog.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => alert.textContent()).toBe("A custom range needs a start, an end or both; fill in From or To.");

    await dialog.getByLabel(/^From/).fill("2025-03-02T10:00:00");
    await dialog.getByLabel(/^To/).fill("2025-03-01T10:00:00");
    await dialog.getByRole("button", { name: "Preview" }).click();
    await expect.poll(() => alert.textContent()).not.toContain("A custom range needs");
    expect(await alert.textContent()).toContain("must be before");
    expect(await page.locator("#toasts .toast-error").count()).toBe(0);

    await dialog.getByLabel("All logs").check();
    await dialog.getByRole("button", { name: "Preview" }).click();
    await dialog.getByText("log lines will be deleted").waitFor();
    expect(await dialog.getByRole("alert").count()).toBe(0);
    await dialog.getByRole("button", { name: "Close" }).click();
  });

  it("does not queue on a second Enter", async () => {
    const queueRequests: string[] = [];
    const listener = (request: { url(): string }) => {
      if (request.url().endsWith("/purge/queue")) queueRequests.push(request.url());
    };
    page.on("request", listener);
    try {
      await page.goto(url("/purge"));
      await row(PODS.offPeak).getByRole("button", { name: `Purge logs of pod ${PODS.offPeak.pod}` }).click();
      const dialog = page.getByRole("dialog");
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Preview");

      await page.keyboard.press("Enter");
      await dialog.getByText("log lines will be deleted").waitFor();
      await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe("Back");
      await page.keyboard.press("Enter");
      await dialog.getByRole("button", { name: "Preview" }).waitFor();

      expect(queueRequests).toEqual([]);
      expect(await row(PODS.offPeak).getByRole("button", { name: `Purge logs of pod ${PODS.offPeak.pod}` }).isDisabled()).toBe(false);
      await dialog.getByRole("button", { name: "Close" }).click();
    } finally {
      page.off("request", listener);
    }
  });

  it("shows hostile pod names as text and runs nothing", async () => {
    await page.goto(url("/purge"));
    for (const pod of [PODS.image, PODS.script]) {
      await expect.poll(() => page.getByRole("rowheader", { name: pod.pod, exact: true }).count()).toBe(1);
    }
    expect(await page.getByRole("cell", { name: PODS.image.deployment, exact: true }).count()).toBe(1);
    expect(await page.locator('img[src="x"], main script, td b').count()).toBe(0);

    await queuePurge(PODS.image);
    await page.goto(url("/queue"));
    await page.locator(".item-title", { hasText: PODS.image.pod }).first().waitFor();
    expect(await page.locator('img[src="x"], main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it("queues a purge and follows its progress to 100 % without a reload", async () => {
    const itemId = await queuePurge(PODS.watched);
    const open = row(PODS.watched);
    expect(await open.getByRole("button", { name: "Purge…" }).isDisabled()).toBe(true);
    expect(await open.locator(".badge").textContent()).toMatch(/^(Pending|Running \d+ %)$/);
    await toast(`Item #${itemId}`).filter({ hasText: "was queued" }).first().waitFor();
    await toast(`Item #${itemId}`).filter({ hasText: "started" }).first().waitFor();
    await open.locator(".badge", { hasText: /^Running \d+ %$/ }).waitFor();

    await open.getByRole("link", { name: "View in queue" }).click();
    await page.waitForURL(/\/queue\?before=\d+#item-\d+$/);
    const card = page.locator(`#item-${itemId}`);
    // Records every value the progress bar shows, and marks the document so that a reload would show.
    await page.evaluate((id) => {
      const seen: number[] = [];
      Object.assign(window, { progressSeen: seen, notReloaded: true });
      setInterval(() => {
        const bar = document.querySelector(`#item-${id} progress`);
        if (bar instanceof HTMLProgressElement && seen.at(-1) !== bar.value) seen.push(bar.value);
      }, 20);
    }, itemId);

    // Both facts show only while the item runs: a finished card shows "Took" and no estimate.
    const facts = card.locator(".facts");
    await facts.filter({ hasText: "Estimated completion" }).locator("time").waitFor();
    expect(await facts.textContent()).toMatch(/Elapsed \d{2}:\d{2}:\d{2}/);
    expect(await card.locator(".badge").textContent()).toBe("Running");

    await card.locator(".percent", { hasText: "100 %" }).waitFor({ timeout: 90_000 });
    expect(await card.locator(".badge").textContent()).toBe("Completed");
    expect(await card.textContent()).toContain(`${PODS.watched.rows.toLocaleString("en-US")} rows deleted`);
    const seen = (await page.evaluate("window.progressSeen")) as number[];
    expect(seen.some((value) => value > 0 && value < 100)).toBe(true);
    expect(seen.at(-1)).toBe(100);
    expect(await page.evaluate("window.notReloaded")).toBe(true);

    await toast(`Item #${itemId}`).filter({ hasText: "completed" }).first().waitFor();
    expect(await page.locator("#live-status").textContent()).toBe("Live updates on.");
  });

  it("shows times in the browser's time zone with the UTC instant on hover", async () => {
    const stamp = page.locator(".item time").first();
    const utc = (await stamp.getAttribute("title"))!;
    expect(utc).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    const displayed = (await stamp.textContent())!;
    const expected = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium", timeZone: "Europe/Berlin" }).format(new Date(utc.replace(" UTC", "Z").replace(" ", "T")));
    expect(displayed).toBe(expected);
  });

  it("fits a narrow screen", async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      for (const path of ["/purge", "/queue"]) {
        await page.goto(url(path));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        expect(overflow, path).toBeLessThanOrEqual(0);
      }
    } finally {
      await page.setViewportSize({ width: 1200, height: 900 });
    }
  });

  it("queues an off-peak purge and cancels it", async () => {
    const itemId = await queuePurge(PODS.offPeak, { schedule: /Off-peak,/ });
    expect(await row(PODS.offPeak).locator(".badge").textContent()).toBe("Pending, off-peak");

    await row(PODS.offPeak).getByRole("link", { name: "View in queue" }).click();
    const card = page.locator(`#item-${itemId}`);
    await card.getByText("Waits for the off-peak window").waitFor();
    await card.getByRole("button", { name: "Cancel" }).click();
    await card.locator(".badge", { hasText: "Cancelled" }).waitFor();
    expect(dialogs.at(-1)).toBe(`confirm: Stop item ${itemId}, the purge of pod "${PODS.offPeak.pod}" in deployment "${PODS.offPeak.deployment}"? Rows deleted so far stay deleted.`);
    await toast(`Item #${itemId}`).filter({ hasText: "was cancelled" }).first().waitFor();

    await page.getByRole("button", { name: "Refresh" }).click();
    await expect.poll(() => page.locator(`#item-${itemId} .badge`).textContent()).toBe("Cancelled");
    expect(await page.locator("#count-CANCELLED").textContent()).toBe("1");
  });

  it("removes a retried item from the Cancelled tab", async () => {
    await page.goto(url("/queue?status=CANCELLED"));
    const card = page.locator("#items > .item").first();
    const itemId = Number(await card.getAttribute("data-id"));
    await card.getByRole("button", { name: "Retry" }).click();

    await expect.poll(() => page.locator(`#item-${itemId}`).count(), { timeout: 10_000 }).toBe(0);
    await expect.poll(() => page.locator("#count-CANCELLED").textContent(), { timeout: 10_000 }).toBe("0");
    expect(await page.locator("#items > .empty").isVisible()).toBe(true);

    await page.goto(url("/queue"));
    expect(await page.locator(`#item-${itemId} .badge`).textContent()).toBe("Pending");
  });

  it("inserts new items at the top of the list", async () => {
    await page.goto(url("/queue"));
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const response = await fetch(url("/api/workqueue/purge"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ podName: PODS.script.pod }),
    });
    const { id } = (await response.json()) as { id: number };

    await page.locator(`#items > #item-${id}`).waitFor();
    expect(await page.locator("#items > .item").first().getAttribute("id")).toBe(`item-${id}`);
    await page.locator(`#item-${id} .badge`, { hasText: "Completed" }).waitFor();
    expect(await page.locator(`#item-${id} .item-title .name`).first().textContent()).toBe(PODS.script.pod);
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    expect(dialogs.filter((message) => !/^confirm: (Stop|Retry) item/.test(message))).toEqual([]);
  });

  it("enables Purge… again when a purge finishes", async () => {
    const itemId = await queuePurge(PODS.finishing);
    await page.evaluate(() => Object.assign(window, { notReloaded: true }));
    const state = row(PODS.finishing);
    const button = state.locator("button", { hasText: "Purge…" });
    expect(await button.isDisabled()).toBe(true);

    await toast(`Item #${itemId}`).filter({ hasText: "completed" }).first().waitFor({ timeout: 60_000 });
    await state.locator(".badge", { hasText: "Completed" }).waitFor();
    expect(await button.isEnabled()).toBe(true);
    expect(await button.getAttribute("aria-label")).toBe(`Purge logs of pod ${PODS.finishing.pod}`);
    expect(await state.getByRole("link", { name: "View in queue" }).count()).toBe(0);
    expect(await page.evaluate("window.notReloaded")).toBe(true);
  });

  it("runs the purge dialog by keyboard", async () => {
    await page.goto(url("/purge"));
    const opener = row(PODS.keyboard).getByRole("button", { name: `Purge logs of pod ${PODS.keyboard.pod}` });
    const dialog = page.getByRole("dialog");
    const focused = () => page.evaluate(() => {
      const element = document.activeElement;
      return element instanceof HTMLInputElement ? `${element.name}=${element.value}` : (element?.getAttribute("aria-label") ?? element?.textContent ?? "");
    });

    await opener.focus();
    await page.keyboard.press("Enter");
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await expect.poll(focused).toBe("Preview");

    // Shift+Tab walks back from Preview through the schedule and date fields to the checked range choice.
    for (let presses = 0; presses < 20 && !(await focused()).startsWith("range="); presses++) await page.keyboard.press("Shift+Tab");
    expect(await focused()).toBe("range=all");
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe("range=1d");
    await page.keyboard.press("ArrowDown");
    expect(await focused()).toBe("range=7d");
    expect(await dialog.getByLabel("Older than 7 days").isChecked()).toBe(true);
    expect(await dialog.getByLabel("All logs").isChecked()).toBe(false);

    // Enter in a radio button submits its form, so the preview covers the range chosen with the arrow keys.
    await page.keyboard.press("Enter");
    await dialog.getByText("log lines will be deleted").waitFor();
    expect(await dialog.locator(".summary dd").first().textContent()).toMatch(/^all logs before /);
    const end = Date.parse((await dialog.locator(".summary dd time").first().getAttribute("datetime"))!);
    expect(Math.abs(Date.now() - 7 * 24 * 3_600_000 - end)).toBeLessThan(10 * 60_000);

    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    expect(await focused()).toBe(`Purge logs of pod ${PODS.keyboard.pod}`);
  });

  it("cancels a running purge", async () => {
    const itemId = await queuePurge(PODS.cancelled);
    await row(PODS.cancelled).getByRole("link", { name: "View in queue" }).click();
    await page.waitForURL(/\/queue\?before=\d+#item-\d+$/);
    const card = page.locator(`#item-${itemId}`);
    await card.locator(".percent", { hasText: /^[1-9]\d? %$/ }).waitFor();
    expect(await card.locator(".badge").textContent()).toBe("Running");

    // The purge may stop within milliseconds of the request, so a mutation observer records the note the moment it is shown.
    await page.evaluate((id) => {
      const notes: string[] = [];
      Object.assign(window, { notesSeen: notes, notReloaded: true });
      new MutationObserver(() => {
        const note = document.querySelector(`#item-${id} .note`)?.textContent;
        if (note && notes.at(-1) !== note) notes.push(note);
      }).observe(document.body, { childList: true, subtree: true, characterData: true });
    }, itemId);

    await card.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => dialogs.at(-1)).toBe(`confirm: Stop item ${itemId}, the purge of pod "${PODS.cancelled.pod}" in deployment "${PODS.cancelled.deployment}"? Rows deleted so far stay deleted.`);
    await card.locator(".badge", { hasText: "Cancelled" }).waitFor({ timeout: 60_000 });
    expect(await page.evaluate("window.notesSeen")).toContain("Cancel requested: the purge stops after the chunk in flight.");

    const deleted = (await card.locator(".facts").textContent())!.match(/^([\d,]+) of about ([\d,]+) rows deleted/);
    expect(deleted).not.toBeNull();
    const deletedRows = Number(deleted![1]!.replaceAll(",", ""));
    expect(deletedRows).toBeGreaterThan(0);
    expect(deletedRows).toBeLessThan(PODS.cancelled.rows);
    await toast(`Item #${itemId}`).filter({ hasText: `was cancelled after ${deleted![1]} deleted rows` }).first().waitFor();
    expect(await page.evaluate("window.notReloaded")).toBe(true);
  });

  it("shows at most three toasts, errors last to go", async () => {
    await page.goto(url("/queue"));
    await page.evaluate(() => {
      const region = document.getElementById("toasts")!;
      const toasts = [
        { kind: "error", text: "error one" },
        { kind: "info", text: "info one" },
        { kind: "info", text: "info two" },
        { kind: "info", text: "info three" },
        { kind: "success", text: "success one" },
      ];
      for (const { kind, text } of toasts) {
        const toast = document.createElement("div");
        toast.className = `toast toast-${kind}`;
        toast.textContent = text;
        region.append(toast);
      }
    });

    await expect.poll(() => page.locator("#toasts .toast").count()).toBe(3);
    expect(await page.locator("#toasts .toast").allTextContents()).toEqual(["error one", "info three", "success one"]);
  });

  it("keeps toasts dismissible in the dialog", async () => {
    await page.goto(url("/purge"));
    await row(PODS.keyboard).getByRole("button", { name: `Purge logs of pod ${PODS.keyboard.pod}` }).click();
    const dialog = page.getByRole("dialog");
    await expect.poll(() => dialog.isVisible()).toBe(true);

    const response = await fetch(url("/api/workqueue/purge"), {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ podName: PODS.keyboard.pod, deployment: PODS.keyboard.deployment }),
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: number };
    const queued = toast(`Item #${id}`).filter({ hasText: "was queued" }).first();
    await queued.waitFor();

    // A modal dialog makes the page behind it inert, so a pointer reaches the button only when the toast is inside the dialog.
    const dismiss = queued.getByRole("button", { name: "Dismiss" });
    const hit = await dismiss.evaluate((button) => {
      const box = button.getBoundingClientRect();
      return document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2) === button;
    });
    expect(hit).toBe(true);
    await dismiss.click();
    await expect.poll(() => queued.count()).toBe(0);

    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    await expect.poll(() => page.locator("body > #toasts").count()).toBe(1);
  });

  it("retries a failed purge after a restart, reconnecting by itself", async () => {
    // One attempt with a 1 ms time limit: the purge fails at once.
    await restart({ WORKQUEUE_ITEM_TIMEOUT_MS: "1", WORKQUEUE_MAX_ATTEMPTS: "1" });
    const itemId = await queuePurge(PODS.failing);
    await toast(`Item #${itemId}`).filter({ hasText: "failed" }).first().waitFor();
    await row(PODS.failing).locator(".badge", { hasText: "Failed" }).waitFor();

    await page.goto(url(`/queue?before=${itemId + 1}#item-${itemId}`));
    const card = page.locator(`#item-${itemId}`);
    expect(await card.locator(".badge").textContent()).toBe("Failed");
    await card.getByText("Error details").click();
    expect(await card.locator(".error-details pre").textContent()).not.toBe("");
    expect(await card.textContent()).toContain("1 of 1");

    await page.evaluate(() => {
      const counter = { connections: 0, notReloaded: true };
      Object.assign(window, counter);
      document.addEventListener("htmx:sse:after:connection", () => (window as unknown as typeof counter).connections++);
    });
    await restart({});
    await expect.poll(() => page.evaluate("window.connections"), { timeout: 30_000 }).toBe(1);
    expect(await page.locator("#live-status").getAttribute("data-state")).toBe("live");

    await card.getByRole("button", { name: "Retry" }).click();
    await expect.poll(() => dialogs.at(-1)).toBe(`confirm: Retry item ${itemId}? The purge of pod "${PODS.failing.pod}" in deployment "${PODS.failing.deployment}" continues deleting where it stopped.`);
    await card.locator(".percent", { hasText: "100 %" }).waitFor({ timeout: 30_000 });
    expect(await card.locator(".badge").textContent()).toBe("Completed");
    await toast(`Item #${itemId}`).filter({ hasText: "completed" }).first().waitFor();
    expect(await page.evaluate("window.notReloaded")).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
