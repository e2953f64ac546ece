import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { GENERATED_MODULE, renderAssetModule } from "../scripts/embed-assets.js";
import { EMBEDDED_ASSETS } from "../src/pages/assets.generated.js";
import { type AppFixture, createAppFixture } from "./fixture.js";

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

let fixture: AppFixture;

afterEach(async () => {
  await fixture?.close();
});

describe("embedded assets", () => {
  it("match the installed htmx and the static files", () => {
    // When this fails, run `pnpm --filter @logmk/workqueue-http embed-assets` and commit the result.
    expect(readFileSync(join(packageDir, GENERATED_MODULE), "utf8")).toBe(renderAssetModule());
  });

  it("keep htmx's license notice", () => {
    const module = readFileSync(join(packageDir, GENERATED_MODULE), "utf8");
    expect(module).toContain("htmx.org 4.0.1");
    expect(module).toContain("Zero-Clause BSD");
  });

  it("serve the current version for a year", async () => {
    fixture = createAppFixture();
    const htmx = EMBEDDED_ASSETS["htmx.min.js"]!;
    const response = await fixture.request(`/assets/htmx.min.js?v=${htmx.hash}`);

    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("Cache-Control")).toBe("public, max-age=31536000, immutable");
    expect(response.headers.get("ETag")).toBe(`"${htmx.hash}"`);
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(await response.text()).toBe(htmx.body);
  });

  it("revalidate other versions by ETag", async () => {
    fixture = createAppFixture();
    const css = EMBEDDED_ASSETS["page.css"]!;
    const unversioned = await fixture.request("/assets/page.css");
    const stale = await fixture.request("/assets/page.css?v=0000");
    const cached = await fixture.request(`/assets/page.css?v=${css.hash}`, { headers: { "If-None-Match": `W/"other", "${css.hash}"` } });

    expect(unversioned.headers.get("Cache-Control")).toBe("no-cache");
    expect(unversioned.headers.get("Content-Type")).toBe("text/css; charset=utf-8");
    expect(stale.headers.get("Cache-Control")).toBe("no-cache");
    expect(cached.status).toBe(304);
    expect(await cached.text()).toBe("");
  });

  it("reject unknown names with 404", async () => {
    fixture = createAppFixture();
    for (const name of ["nope.js", "constructor", "..%2Fpackage.json"]) {
      const response = await fixture.request(`/assets/${name}`);
      expect(response.status, name).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    }
  });
});
