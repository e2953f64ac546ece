import postgres from "postgres";

/** A Postgres server for the real-server tests. */
export interface TestServer {
  url: string;
  /** Where the server came from, for test titles. */
  source: "TEST_DATABASE_URL" | "testcontainers";
  /** Stops what the lookup started (the container); a server named by URL stays up. */
  stop(): Promise<void>;
}

export type ServerLookup = { server: TestServer; skipReason?: undefined } | { server?: undefined; skipReason: string };

/** The Docker runtime check of testcontainers can hang without an engine, so it gets this long. */
const DOCKER_CHECK_TIMEOUT_MS = 5_000;

const HOW_TO_PROVIDE = "set TEST_DATABASE_URL (such as postgres://postgres@127.0.0.1:5432/test) or start a Docker engine for testcontainers";

function withTimeout<T>(promise: Promise<T>, ms: number, description: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${description} did not respond within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

async function checkReachable(url: string): Promise<void> {
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`SELECT 1`;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

async function startContainer(): Promise<TestServer | string> {
  const { getContainerRuntimeClient } = await import("testcontainers");
  try {
    await withTimeout(getContainerRuntimeClient(), DOCKER_CHECK_TIMEOUT_MS, "The Docker engine");
  } catch (error) {
    return `no PostgreSQL server: TEST_DATABASE_URL is not set and no Docker engine answered (${(error as Error).message}); ${HOW_TO_PROVIDE}`;
  }

  const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
  const container = await new PostgreSqlContainer("postgres:15-alpine").start();
  return { url: container.getConnectionUri(), source: "testcontainers", stop: async () => void (await container.stop()) };
}

let lookup: Promise<ServerLookup> | undefined;

/**
 * Finds the server for the real-server tests, once per test file: TEST_DATABASE_URL when set
 * (it must respond), else a testcontainers Postgres when a Docker engine responds, else a skip
 * reason naming what is missing and how to provide it.
 */
export function findTestServer(): Promise<ServerLookup> {
  lookup ??= (async (): Promise<ServerLookup> => {
    const url = process.env.TEST_DATABASE_URL;
    if (url) {
      // A URL that was set on purpose but does not respond is a failure, not a skip.
      await checkReachable(url);
      return { server: { url, source: "TEST_DATABASE_URL", stop: async () => {} } };
    }
    const started = await startContainer();
    return typeof started === "string" ? { skipReason: started } : { server: started };
  })();
  return lookup;
}
