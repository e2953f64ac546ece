import { PurgeRequestSchema, WorkQueueItemResponseSchema, createMemoryLogTarget, createMemoryStore, createWorkQueue } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { type WorkQueueAppOptions, createWorkQueueApp } from "../src/index.js";
import { type AppFixture, createAppFixture } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

/** Collects every `$ref` value anywhere in a JSON document. */
function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const entry of value) refsIn(entry, found);
  else if (typeof value === "object" && value !== null) {
    for (const [key, entry] of Object.entries(value)) {
      if (key === "$ref" && typeof entry === "string") found.push(entry);
      else refsIn(entry, found);
    }
  }
  return found;
}

describe("GET /openapi.json", () => {
  it("documents every route of the app", async () => {
    // The HTML pages are not part of the API, so the document leaves them out.
    fixture = createAppFixture({ app: { pages: false } });
    const document = await (await fixture.request("/openapi.json")).json();

    expect(document.openapi).toBe("3.1.0");
    const routes = fixture.app.routes.filter((route) => route.method !== "ALL");
    expect(routes.length).toBeGreaterThan(10);
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, "{$1}");
      expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
    }
  });

  it("generates the component schemas from the zod schemas", async () => {
    fixture = createAppFixture();
    const document = await (await fixture.request("/openapi.json")).json();
    const { $schema: _item, ...item } = z.toJSONSchema(WorkQueueItemResponseSchema) as Record<string, unknown>;
    const { $schema: _request, ...request } = z.toJSONSchema(PurgeRequestSchema) as Record<string, unknown>;

    expect(document.components.schemas.WorkQueueItem).toEqual(item);
    expect(document.components.schemas.PurgeRequest).toEqual(request);
    expect(document.components.schemas.PurgeRequest.required).toEqual(["podName"]);
    expect(document.components.schemas.WorkQueueStatus.properties.items.items).toEqual({ $ref: "#/components/schemas/WorkQueueItem" });
    for (const ref of refsIn(document)) {
      const name = ref.replace("#/components/schemas/", "");
      expect(document.components.schemas[name], ref).toBeDefined();
    }
  });
});

describe("createWorkQueueApp options", () => {
  const store = createMemoryStore();
  const queue = createWorkQueue({ store, handlers: [] });
  const logTarget = createMemoryLogTarget();
  const create = (options: Partial<WorkQueueAppOptions>) => () => createWorkQueueApp({ queue, logTarget, metrics: false, ...options } as WorkQueueAppOptions);

  it.each([
    [{ queue: undefined }, "queue must be an object with enqueue, list, onAny, readEvents, eventPosition"],
    [{ logTarget: {} as never }, "logTarget must be an object with listPods, findPod, estimateRows"],
    [{ basePath: "workqueue/" }, "basePath must be empty or start with / and contain path segments without a trailing slash"],
    [{ maxBodyBytes: -1 }, "maxBodyBytes must be greater than 0"],
    [{ maxBodyBytes: 1.5 }, "maxBodyBytes must be a whole number of bytes"],
    [{ events: { heartbeatMs: 0 } }, "events.heartbeatMs must be greater than 0"],
    [{ allowedOrigins: ["https://logmk.example.com/"] }, "each allowed origin must be scheme, host and optional port without a path"],
    [{ auth: "token" as never }, "auth must be a function, such as bearerTokenAuth({ token })"],
    [{ basepath: "/x" } as never, 'Unrecognized key: "basepath"'],
  ])("rejects %j", (options, message) => {
    expect(create(options as Partial<WorkQueueAppOptions>)).toThrow(message);
  });

  it("accepts a base path with several segments", () => {
    expect(create({ basePath: "/tools/work-queue" })).not.toThrow();
  });
});
