import { WorkQueueError, type WorkQueueStore } from "@logmk/workqueue";
import { afterEach, describe, expect, it } from "vitest";
import { ProblemSchema } from "../src/index.js";
import { type AppFixture, PODS, createAppFixture, createRecordingLogger } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

/** Wraps a store so that its list reads fail the way a database driver's would, with SQL in the message. */
function failingListStore(error: Error) {
  return (store: WorkQueueStore): WorkQueueStore => ({
    ...store,
    listItems: async () => {
      throw error;
    },
  });
}

async function problemOf(response: Response) {
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  return ProblemSchema.passthrough().parse(await response.json());
}

describe("problem responses", () => {
  it("carry type, title, status, detail, code and the request id", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/api/workqueue/404404");

    const problem = await problemOf(response);
    expect(problem).toMatchObject({ type: "urn:logmk:workqueue:problem:not-found", title: "Not found", status: 404, code: "NOT_FOUND" });
    expect(problem.detail).toContain("404404");
    expect(problem.requestId).toBe(response.headers.get("X-Request-Id"));
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  });

  it("keep a well-formed incoming request id", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/api/workqueue/1", { headers: { "X-Request-Id": "trace-42" } });
    const hostile = await fixture.request("/api/workqueue/1", { headers: { "X-Request-Id": "<b>" } });

    expect(response.headers.get("X-Request-Id")).toBe("trace-42");
    expect((await response.json()).requestId).toBe("trace-42");
    expect(hostile.headers.get("X-Request-Id")).not.toBe("<b>");
  });

  it("answer 404 for an unknown route", async () => {
    fixture = createAppFixture();
    const response = await fixture.request("/api/nothing-here", { method: "PUT" });

    expect(response.status).toBe(404);
    const problem = await problemOf(response);
    expect(problem.code).toBe("ROUTE_NOT_FOUND");
    expect(problem.detail).toBe("No route matches PUT /api/nothing-here; /openapi.json lists the routes.");
  });
});

describe("request bodies", () => {
  it("reject malformed JSON with 400", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", '{"podName": "api-7d9f8-abcde"');

    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.code).toBe("MALFORMED_JSON");
    expect(problem.detail).toMatch(/^The request body is not valid JSON \(.+\); send the purge request as a JSON object\.$/);
  });

  it("reject an empty body with 400", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", "");

    expect(response.status).toBe(400);
    expect((await problemOf(response)).code).toBe("MALFORMED_JSON");
  });

  it("reject a body that is not JSON with 415", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", "podName=api-7d9f8-abcde", { headers: { "Content-Type": "application/x-www-form-urlencoded" } });

    expect(response.status).toBe(415);
    const problem = await problemOf(response);
    expect(problem.code).toBe("UNSUPPORTED_MEDIA_TYPE");
    expect(problem.detail).toContain("application/json");
  });

  it("reject a body over the limit with 413", async () => {
    fixture = createAppFixture({ app: { maxBodyBytes: 1_024 } });
    const body = JSON.stringify({ podName: PODS.api.podName, metadata: { note: "x".repeat(2_000) } });
    const declared = await fixture.send("/api/workqueue/purge", body);
    // A streamed body has no Content-Length, so the limit is counted while reading.
    const streamed = await fixture.request("/api/workqueue/purge", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: new Blob([body]).stream(),
      duplex: "half",
    } as RequestInit);

    for (const response of [declared, streamed]) {
      expect(response.status).toBe(413);
      const problem = await problemOf(response);
      expect(problem.code).toBe("BODY_TOO_LARGE");
      expect(problem.detail).toContain("1024 bytes");
    }
  });

  it("accept a body of 64 KiB and reject one byte more by default", async () => {
    fixture = createAppFixture();
    const envelope = JSON.stringify({ podName: PODS.api.podName, metadata: { note: "" } });
    const fits = envelope.replace('"note":""', `"note":"${"x".repeat(64 * 1024 - envelope.length)}"`);
    const tooLarge = fits.replace('"note":"', '"note":"x');

    expect((await fixture.send("/api/workqueue/purge/preview", fits)).status).toBe(200);
    expect((await fixture.send("/api/workqueue/purge/preview", tooLarge)).status).toBe(413);
  });

  it("name each unknown field and wrong type", async () => {
    fixture = createAppFixture();
    const response = await fixture.send("/api/workqueue/purge", { podName: 42, priority: "high", dropTable: true, where: "1=1" });

    expect(response.status).toBe(400);
    const problem = await problemOf(response);
    expect(problem.code).toBe("VALIDATION_FAILED");
    expect(problem.issues).toEqual([
      { path: "podName", message: "podName must be a string" },
      { path: "priority", message: "priority must be an integer" },
      { path: "dropTable", message: 'unknown field "dropTable"; remove it' },
      { path: "where", message: 'unknown field "where"; remove it' },
    ]);
    expect(problem.detail).toContain("podName: podName must be a string");
  });

  it("reject arrays, nulls and numbers as the body", async () => {
    fixture = createAppFixture();
    for (const body of ["[]", "null", "7", '"api"']) {
      const response = await fixture.send("/api/workqueue/purge", body);
      expect(response.status).toBe(400);
      expect((await problemOf(response)).code).toBe("VALIDATION_FAILED");
    }
  });
});

describe("server errors", () => {
  it("hide the cause and log it with the request id", async () => {
    const logger = createRecordingLogger();
    const cause = new Error('relation "work_queue_items" does not exist: SELECT * FROM work_queue_items WHERE id < $1');
    fixture = createAppFixture({ wrapStore: failingListStore(cause), app: { logger } });
    const response = await fixture.request("/api/workqueue");

    expect(response.status).toBe(500);
    const text = await response.clone().text();
    expect(text).not.toContain("SELECT");
    expect(text).not.toContain("work_queue_items");
    expect(text).not.toMatch(/at .+\.ts:\d+/);
    const problem = await problemOf(response);
    expect(problem.code).toBe("INTERNAL_ERROR");
    expect(problem.detail).toContain(problem.requestId!);

    const logged = logger.records.filter((record) => record.level === "error");
    expect(logged).toHaveLength(1);
    expect(logged[0]!.fields["requestId"]).toBe(problem.requestId);
    expect(logged[0]!.fields["err"]).toBe(cause);
    expect(logged[0]!.fields["status"]).toBe(500);
  });

  it("treat an unknown error code as 500", async () => {
    const cause = new WorkQueueError("SHARD_MOVED" as "STORE_FAILED", "shard 7 moved to node b");
    fixture = createAppFixture({ wrapStore: failingListStore(cause) });
    const response = await fixture.request("/api/workqueue");

    expect(response.status).toBe(500);
    const problem = await problemOf(response);
    expect(problem.code).toBe("INTERNAL_ERROR");
    expect(problem.detail).not.toContain("shard");
  });

  it("answer 503 when the store fails", async () => {
    const logger = createRecordingLogger();
    const cause = new WorkQueueError("STORE_FAILED", "connect ECONNREFUSED 127.0.0.1:5432 (password=secret)");
    fixture = createAppFixture({ wrapStore: failingListStore(cause), app: { logger } });
    const response = await fixture.request("/api/workqueue/active");

    expect(response.status).toBe(503);
    const problem = await problemOf(response);
    expect(problem.code).toBe("STORE_FAILED");
    expect(problem.detail).not.toContain("5432");
    expect(problem.detail).not.toContain("secret");
    expect(logger.records.filter((record) => record.level === "error")).toHaveLength(1);
  });
});
