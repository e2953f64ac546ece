import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BrowserContext, chromium } from "playwright-core";

/** Debian's Chromium; the tests never download a browser of their own. */
export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

const INSTALL_HINT = "install it with: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH";

/** Checks that Chromium runs, or returns what is missing for the skip message. */
export function locateChromium(): { path: string; version: string } | { missing: string } {
  if (!existsSync(CHROMIUM_PATH)) return { missing: `Chromium is not installed at ${CHROMIUM_PATH}; ${INSTALL_HINT}` };
  const probe = spawnSync(CHROMIUM_PATH, ["--version"], { encoding: "utf8", timeout: 30_000 });
  if (probe.status !== 0) return { missing: `${CHROMIUM_PATH} --version failed (${probe.error?.message ?? probe.stderr.trim()}); ${INSTALL_HINT}` };
  return { path: CHROMIUM_PATH, version: probe.stdout.trim() };
}

/**
 * Flags for a headless Chromium on a machine without a network: no GPU, no sandbox (the tests may
 * run as root), and none of the background connections that a closed network would refuse.
 */
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export interface LaunchedBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Launches Chromium with a fresh profile folder, removed again by `close`. */
export async function launchChromium(options: { width?: number; height?: number } = {}): Promise<LaunchedBrowser> {
  const profile = mkdtempSync(join(tmpdir(), "logmk-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM_PATH,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: options.width ?? 1200, height: options.height ?? 900 },
      timezoneId: "Europe/Berlin",
      locale: "en-GB",
    });
    return {
      context,
      async close() {
        await context.close();
        rmSync(profile, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
}
