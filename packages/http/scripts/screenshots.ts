/**
 * Takes the screenshots of the queue page and the purge screen in `docs/screenshots/`, from
 * Debian's Chromium against the reference server on demo logs in a temporary folder.
 *
 * Run from the repository root: `pnpm --filter @logmk/workqueue-http screenshots`.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { RunningServer } from "../src/node/index.js";
import { launchChromium, locateChromium } from "../test/browser/chromium.js";
import { closedOffPeakWindow, startServer } from "../test/browser/reference-server.js";

const outputDir = join(dirname(fileURLToPath(import.meta.url)), "../../../docs/screenshots");

async function post(server: RunningServer, path: string, body: unknown): Promise<{ id: number }> {
  const response = await fetch(`${server.url}${path}`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`POST ${path} failed with ${response.status}: ${await response.text()}`);
  return (await response.json()) as { id: number };
}

async function waitForStatus(server: RunningServer, id: number, status: string): Promise<void> {
  for (let attempt = 0; attempt < 600; attempt++) {
    const item = (await (await fetch(`${server.url}/api/workqueue/${id}`)).json()) as { status: string };
    if (item.status === status) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Item ${id} did not reach ${status} within 60 s`);
}

async function main(): Promise<void> {
  const chromium = locateChromium();
  if ("missing" in chromium) throw new Error(chromium.missing);
  mkdirSync(outputDir, { recursive: true });
  const dataDir = mkdtempSync(join(tmpdir(), "logmk-screenshots-"));
  const env = { WORKQUEUE_DEMO_DATA: "on", WORKQUEUE_OFF_PEAK: closedOffPeakWindow() };

  try {
    // A first start with a 1 ms time limit, one attempt and small chunks leaves a failed purge behind: the limit is checked between chunks.
    let server = await startServer(dataDir, { ...env, WORKQUEUE_ITEM_TIMEOUT_MS: "1", WORKQUEUE_MAX_ATTEMPTS: "1", WORKQUEUE_MAX_CHUNK_SIZE: "5" });
    const failed = await post(server, "/api/workqueue/purge", { podName: "reports-scheduler-0" });
    await waitForStatus(server, failed.id, "FAILED");
    const port = String(server.port);
    await server.close();

    server = await startServer(dataDir, { ...env, PORT: port, WORKQUEUE_MAX_CHUNK_SIZE: "5" });
    const completed = await post(server, "/api/workqueue/purge", { podName: "auth-8e9f0a1b2-p3o4i", timeRange: "week" });
    await waitForStatus(server, completed.id, "COMPLETED");
    const cancelled = await post(server, "/api/workqueue/purge", { podName: "search-indexer-1", schedule: "off-peak" });
    await fetch(`${server.url}/api/workqueue/${cancelled.id}`, { method: "DELETE" });
    await post(server, "/api/workqueue/purge", { podName: "search-indexer-0", schedule: "off-peak" });
    const running = await post(server, "/api/workqueue/purge", { podName: "checkout-7d9f8b6c5-x2k4p" });
    await waitForStatus(server, running.id, "IN_PROGRESS");

    const browser = await launchChromium({ width: 1280, height: 860 });
    try {
      const page = browser.context.pages()[0] ?? (await browser.context.newPage());
      await page.goto(`${server.url}/queue`);
      await page.locator(`#item-${running.id} .percent`).filter({ hasText: /[1-9]\d? %/ }).waitFor();
      await page.locator(`#item-${failed.id}`).getByText("Error details").click();
      await page.screenshot({ path: join(outputDir, "queue.png"), fullPage: true });

      await page.goto(`${server.url}/purge`);
      await page.screenshot({ path: join(outputDir, "purge.png") });
      await page.getByRole("button", { name: "Purge logs of pod payments-5c6d7e8f9-m4k2j" }).click();
      await page.getByLabel("Older than 7 days").check();
      await page.getByRole("button", { name: "Preview" }).click();
      await page.getByText("log lines will be deleted").waitFor();
      await page.screenshot({ path: join(outputDir, "purge-confirm.png") });
    } finally {
      await browser.close();
      await server.close();
    }
    process.stdout.write(`Wrote queue.png, purge.png and purge-confirm.png to ${outputDir}\n`);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
