import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { TRIALS, type TrialSizes } from "../src/trials.js";

/** Short runs of every reliability trial, so that they keep working; `pnpm reliability` runs the full ones. */

async function findServer(): Promise<{ url: string; skipReason?: undefined } | { url?: undefined; skipReason: string }> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return { skipReason: "TEST_DATABASE_URL is not set; set it to a PostgreSQL server such as postgres://postgres@127.0.0.1:5432/test" };
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
    return { url };
  } catch (error) {
    return { skipReason: `no PostgreSQL server answered at TEST_DATABASE_URL (${(error as Error).message}); start one or correct the URL` };
  } finally {
    await sql.end({ timeout: 1 });
  }
}

const server = await findServer();
const sizes: TrialSizes = {
  url: server.url ?? "",
  crashIterations: 2,
  crashRows: 10_000,
  jobs: 1_000,
  restartIterations: 1,
  restartRows: 40_000,
  writerIterations: 1,
  writerRows: 40_000,
  verbose: process.env.TRIAL_VERBOSE === "1",
};

describe.skipIf(!server.url)(`reliability trials, short runs${server.skipReason ? ` (skipped: ${server.skipReason})` : ""}`, () => {
  it("crash and restart keeps the purge exact", { timeout: 60_000 }, async () => {
    const result = await TRIALS.crash(sizes);
    expect(result.failures).toEqual([]);
  });

  it("many processes run each job once", { timeout: 60_000 }, async () => {
    const result = await TRIALS["many-processes"](sizes);
    expect(result.failures).toEqual([]);
  });

  it("database restart is survived", { timeout: 90_000 }, async (context) => {
    const result = await TRIALS["database-restart"](sizes);
    if (typeof result === "string") {
      context.skip(result);
      return;
    }
    expect(result.failures).toEqual([]);
  });

  it("concurrent writers lose no insert", { timeout: 60_000 }, async () => {
    const result = await TRIALS["concurrent-writers"](sizes);
    expect(result.failures).toEqual([]);
  });
});
