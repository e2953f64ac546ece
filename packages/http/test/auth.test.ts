import { afterEach, describe, expect, it } from "vitest";
import { type AuthRequest, bearerTokenAuth } from "../src/index.js";
import { type AppFixture, PODS, createAppFixture } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

const TOKEN = "s3cr3t-token-for-tests";
const purgeBody = { podName: PODS.api.podName };

describe("bearerTokenAuth", () => {
  it("guards mutating requests only by default", async () => {
    fixture = createAppFixture({ app: { auth: bearerTokenAuth({ token: TOKEN }) } });
    const read = await fixture.request("/api/workqueue");
    const missing = await fixture.send("/api/workqueue/purge", purgeBody);
    const wrong = await fixture.send("/api/workqueue/purge", purgeBody, { headers: { Authorization: "Bearer not-the-token" } });
    const notBearer = await fixture.send("/api/workqueue/purge", purgeBody, { headers: { Authorization: `Basic ${btoa(`user:${TOKEN}`)}` } });
    const right = await fixture.send("/api/workqueue/purge", purgeBody, { headers: { Authorization: `bearer ${TOKEN}` } });

    expect(read.status).toBe(200);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("WWW-Authenticate")).toBe('Bearer realm="logmk-workqueue"');
    expect((await missing.json()).code).toBe("UNAUTHORIZED");
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("WWW-Authenticate")).toBe('Bearer realm="logmk-workqueue", error="invalid_token"');
    expect((await wrong.json()).detail).toBe("The API token is not valid; send the token the service was configured with.");
    expect(notBearer.status).toBe(401);
    expect((await notBearer.json()).detail).toContain("not a bearer token");
    expect(right.status).toBe(202);
  });

  it("guards reads too with protect all, but not /healthz", async () => {
    fixture = createAppFixture({ app: { auth: bearerTokenAuth({ token: TOKEN, protect: "all" }), basePath: "/wq" } });
    const read = await fixture.request("/wq/api/workqueue");
    const events = await fixture.request("/wq/api/workqueue/events");
    const health = await fixture.request("/wq/healthz");
    const withToken = await fixture.request("/wq/api/workqueue", { headers: { Authorization: `Bearer ${TOKEN}` } });

    expect(read.status).toBe(401);
    expect(events.status).toBe(401);
    expect(health.status).toBe(200);
    expect(withToken.status).toBe(200);
  });

  it("reads the token from the configured cookie", async () => {
    fixture = createAppFixture({ app: { auth: bearerTokenAuth({ token: TOKEN, cookieName: "wq_token" }) } });
    const right = await fixture.send("/api/workqueue/purge", purgeBody, { headers: { Cookie: `theme=dark; wq_token=${encodeURIComponent(TOKEN)}` } });
    const wrong = await fixture.send("/api/workqueue/purge/preview", purgeBody, { headers: { Cookie: "wq_token=guess" } });

    expect(right.status).toBe(202);
    expect(wrong.status).toBe(401);
  });

  it("rejects invalid options at construction", () => {
    expect(() => bearerTokenAuth({ token: "" })).toThrow(/token must be a non-empty string without spaces/);
    expect(() => bearerTokenAuth({ token: "two words" })).toThrow(/token must be a non-empty string without spaces/);
    expect(() => bearerTokenAuth({ token: TOKEN, protect: "reads" as "all" })).toThrow(/protect must be "mutating" or "all"/);
    expect(() => bearerTokenAuth({ token: TOKEN, cookieName: "a b" })).toThrow(/cookieName must be a cookie name/);
  });
});

describe("auth hook", () => {
  it("sees the route below basePath and can answer 403", async () => {
    const seen: AuthRequest[] = [];
    fixture = createAppFixture({
      app: {
        basePath: "/wq",
        auth: (request) => {
          seen.push(request);
          if (request.mutating && request.request.headers.get("X-Role") !== "admin") return { status: 403, detail: "Only admins may change the queue; ask one to do it." };
          return true;
        },
      },
    });
    const denied = await fixture.send("/wq/api/workqueue/purge", purgeBody);
    const allowed = await fixture.send("/wq/api/workqueue/purge", purgeBody, { headers: { "X-Role": "admin" } });
    await fixture.request("/wq/api/workqueue/status");

    expect(denied.status).toBe(403);
    const problem = await denied.json();
    expect(problem.code).toBe("FORBIDDEN");
    expect(problem.detail).toBe("Only admins may change the queue; ask one to do it.");
    expect(allowed.status).toBe(202);
    expect(seen.map((request) => [request.method, request.routePath, request.mutating])).toEqual([
      ["POST", "/api/workqueue/purge", true],
      ["POST", "/api/workqueue/purge", true],
      ["GET", "/api/workqueue/status", false],
    ]);
  });

  it("may be async and return a 401 with its own challenge", async () => {
    fixture = createAppFixture({ app: { auth: async () => ({ status: 401, detail: "Log in first.", challenge: 'Cookie realm="logmk"' }) } });
    const response = await fixture.request("/api/pods");

    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Cookie realm="logmk"');
  });
});

describe("same-origin guard", () => {
  it("rejects mutating requests from another origin", async () => {
    fixture = createAppFixture();
    const crossOrigin = await fixture.send("http://localhost/api/workqueue/purge", purgeBody, { headers: { Origin: "https://evil.example" } });
    const crossSite = await fixture.request("http://localhost/api/workqueue/1", { method: "DELETE", headers: { "Sec-Fetch-Site": "cross-site" } });
    const nullOrigin = await fixture.send("http://localhost/api/workqueue/purge", purgeBody, { headers: { Origin: "null" } });

    for (const response of [crossOrigin, crossSite, nullOrigin]) {
      expect(response.status).toBe(403);
      expect((await response.json()).code).toBe("FORBIDDEN");
    }
    expect(await fixture.queue.list()).toEqual([]);
  });

  it("allows the same origin, listed origins, reads and non-browser clients", async () => {
    fixture = createAppFixture({ app: { allowedOrigins: ["https://logmk.example.com"] } });
    const sameOrigin = await fixture.send("http://localhost/api/workqueue/purge/preview", purgeBody, { headers: { Origin: "http://localhost", "Sec-Fetch-Site": "same-origin" } });
    const listed = await fixture.send("http://localhost/api/workqueue/purge/preview", purgeBody, { headers: { Origin: "https://logmk.example.com" } });
    const noOrigin = await fixture.send("http://localhost/api/workqueue/purge/preview", purgeBody);
    const crossOriginRead = await fixture.request("http://localhost/api/workqueue", { headers: { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" } });

    expect(sameOrigin.status).toBe(200);
    expect(listed.status).toBe(200);
    expect(noOrigin.status).toBe(200);
    expect(crossOriginRead.status).toBe(200);
  });
});
