import { afterEach, describe, expect, it } from "vitest";
import { bearerTokenAuth } from "../src/index.js";
import { type AppFixture, PODS, createAppFixture } from "./fixture.js";

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

const TOKEN = "page-token-for-tests-0123";
const COOKIE = "wq_token";
const ORIGIN = "http://localhost";

/** Posts a form as a browser does: URL-encoded, with its own origin. */
function postForm(path: string, fields: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
  return fixture.request(`${ORIGIN}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: ORIGIN, Accept: "text/html", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

function withToken(options: { protect?: "mutating" | "all"; basePath?: string } = {}) {
  return createAppFixture({
    app: { auth: bearerTokenAuth({ token: TOKEN, cookieName: COOKIE, protect: options.protect }), pages: { tokenCookie: COOKIE }, basePath: options.basePath ?? "" },
  });
}

describe("page login", () => {
  it("offers the token form on pages that anyone may read", async () => {
    fixture = withToken();
    const response = await fixture.request("/queue");
    const page = await response.text();

    expect(response.status).toBe(200);
    expect(page).toContain('action="/login"');
    expect(page).toContain('name="token" type="password"');
    expect(page).toContain('name="return" value="/queue"');
  });

  it("rejects a wrong token with a readable error and sets no cookie", async () => {
    fixture = withToken();
    const wrong = await postForm("/login", { token: "guess", return: "/purge" });
    const empty = await postForm("/login", { token: "  ", return: "/purge" });
    const spaced = await postForm("/login", { token: `${TOKEN} x`, return: "/purge" });

    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("Set-Cookie")).toBeNull();
    expect(wrong.headers.get("Content-Type")).toContain("text/html");
    expect(await wrong.text()).toContain("That token is not valid. Check it with whoever runs this server and enter it again.");
    expect(empty.status).toBe(400);
    expect(await empty.text()).toContain("Enter the API token.");
    expect(spaced.status).toBe(401);
  });

  it("keeps the right token in an HttpOnly, SameSite=Strict cookie under the base path", async () => {
    fixture = withToken({ basePath: "/wq" });
    const response = await postForm("/wq/login", { token: TOKEN, return: "/wq/purge" });
    const cookie = response.headers.get("Set-Cookie") ?? "";

    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/wq/purge");
    expect(cookie).toContain(`${COOKIE}=${encodeURIComponent(TOKEN)}`);
    expect(cookie).toContain("Path=/wq");
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    expect(cookie).not.toContain("Secure");

    const secure = await fixture.request("https://localhost/wq/login", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", Origin: "https://localhost" },
      body: new URLSearchParams({ token: TOKEN }).toString(),
    });
    expect(secure.headers.get("Set-Cookie")).toContain("Secure");
  });

  it("marks the cookie Secure behind a proxy that ends TLS", async () => {
    fixture = createAppFixture({
      app: { auth: bearerTokenAuth({ token: TOKEN, cookieName: COOKIE }), pages: { tokenCookie: COOKIE }, allowedOrigins: ["https://logs.example.test"] },
    });
    const viaOrigin = await postForm("/login", { token: TOKEN }, { Origin: "https://logs.example.test" });
    const viaHeader = await postForm("/login", { token: TOKEN }, { "X-Forwarded-Proto": "https" });
    const plain = await postForm("/login", { token: TOKEN }, { "X-Forwarded-Proto": "http" });

    expect(viaOrigin.status).toBe(303);
    expect(viaOrigin.headers.get("Set-Cookie")).toContain("Secure");
    expect(viaHeader.headers.get("Set-Cookie")).toContain("Secure");
    expect(plain.headers.get("Set-Cookie")).not.toContain("Secure");
  });

  it("returns only to paths of the app", async () => {
    fixture = withToken({ basePath: "/wq" });
    for (const target of ["//evil.example/wq/", "https://evil.example/wq/queue", "/elsewhere", "/wq\\..\\x", "/wq/queue\r\nX: y"]) {
      const response = await postForm("/wq/login", { token: TOKEN, return: target });
      expect(response.headers.get("Location"), target).toBe("/wq/queue");
    }
  });

  it("needs the token for page actions, and the cookie carries it", async () => {
    fixture = withToken();
    const fields = { podName: PODS.api.podName, deployment: PODS.api.deployment, range: "all", schedule: "now" };
    const without = await postForm("/purge/preview", fields, { "HX-Request": "true" });
    const withCookie = await postForm("/purge/preview", fields, { "HX-Request": "true", Cookie: `${COOKIE}=${encodeURIComponent(TOKEN)}` });

    expect(without.status).toBe(401);
    expect(without.headers.get("Content-Type")).toBe("application/problem+json");
    expect(withCookie.status).toBe(200);
    expect(await withCookie.text()).toContain("log lines will be deleted");
  });

  it("notes in the purge form that the token is missing", async () => {
    fixture = withToken();
    const path = `/purge/form?deployment=${PODS.api.deployment}&podName=${PODS.api.podName}`;
    const note = "Previewing and queueing a purge need the API token. Close this dialog and save the token in the form at the top of the page first.";
    const without = await (await fixture.request(path, { headers: { "HX-Request": "true" } })).text();
    const withCookie = await (await fixture.request(path, { headers: { "HX-Request": "true", Cookie: `${COOKIE}=${encodeURIComponent(TOKEN)}` } })).text();

    expect(without).toContain(note);
    expect(without.indexOf(note)).toBeLessThan(without.indexOf("<form"));
    expect(withCookie).toContain('hx-post="/purge/preview"');
    expect(withCookie).not.toContain(note);

    await fixture.close();
    fixture = createAppFixture();
    const open = await (await fixture.request(path, { headers: { "HX-Request": "true" } })).text();
    expect(open).toContain('hx-post="/purge/preview"');
    expect(open).not.toContain(note);
  });

  it("forgets the token on logout", async () => {
    fixture = withToken();
    const response = await postForm("/logout", { return: "/purge" });

    expect(response.status).toBe(303);
    expect(response.headers.get("Location")).toBe("/purge");
    expect(response.headers.get("Set-Cookie")).toMatch(new RegExp(`^${COOKIE}=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict`));
  });

  it("shows the token form to a browser when every request needs the token", async () => {
    fixture = withToken({ protect: "all" });
    const page = await fixture.request("/queue", { headers: { Accept: "text/html" } });
    const api = await fixture.request("/api/workqueue", { headers: { Accept: "text/html" } });
    const login = await fixture.request("/login?return=/purge");
    const asset = await fixture.request("/assets/page.css");
    const root = await fixture.request("/");
    const accepted = await postForm("/login", { token: TOKEN, return: "/purge" });

    expect(page.status).toBe(401);
    expect(await page.text()).toContain("This page needs the API token.");
    expect(api.headers.get("Content-Type")).toBe("application/problem+json");
    expect(login.status).toBe(200);
    expect(await login.text()).toContain('name="return" value="/purge"');
    expect(asset.status).toBe(200);
    expect(root.status).toBe(302);
    expect(accepted.status).toBe(303);
  });

  it("needs no token when the server has none", async () => {
    fixture = createAppFixture();
    const page = await (await fixture.request("/queue")).text();
    const login = await postForm("/login", { token: "anything", return: "/purge" });

    expect(page).not.toContain('name="token"');
    expect(login.status).toBe(303);
    expect(login.headers.get("Set-Cookie")).toBeNull();
  });
});
