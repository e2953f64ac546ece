import { afterAll, afterEach } from "vitest";
import { serverAdmin, uniqueSchemaName, type AdminConnection } from "./schemas.js";
import { findTestServer, type ServerLookup } from "./server.js";

/** The real server of a test file, with per-test cleanup of what the tests opened and created. */
export interface ServerSuite {
  lookup: ServerLookup;
  /** Administrative connection; undefined when the server tests are skipped. */
  admin: AdminConnection | undefined;
  /** Returns a unique schema name that is dropped after the current test. */
  schema(prefix: string): string;
  /** Runs `close` after the current test, before its schemas are dropped; the last added runs first. */
  defer(close: () => Promise<void>): void;
  /** `title`, with the skip reason when there is no server. */
  title(title: string): string;
}

/** Finds the server and registers the hooks that clean up after each test and after the file. */
export async function serverSuite(): Promise<ServerSuite> {
  const lookup = await findTestServer();
  const admin = lookup.server ? serverAdmin(lookup.server.url) : undefined;
  const schemas: string[] = [];
  const closers: Array<() => Promise<void>> = [];

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
    for (const schema of schemas.splice(0)) await admin!.dropSchema(schema);
  });
  afterAll(async () => {
    await admin?.close();
    await lookup.server?.stop();
  });

  return {
    lookup,
    admin,
    schema(prefix) {
      const name = uniqueSchemaName(prefix);
      schemas.push(name);
      return name;
    },
    defer(close) {
      closers.push(close);
    },
    title: (title) => (lookup.skipReason ? `${title} (skipped: ${lookup.skipReason})` : title),
  };
}
