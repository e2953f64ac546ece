import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: {
    // Workspace packages resolve to their TypeScript sources, so tests need no build step.
    conditions: ["@logmk/source"],
  },
  ssr: {
    resolve: {
      conditions: ["@logmk/source"],
      externalConditions: ["@logmk/source"],
    },
  },
  test: {
    include: ["packages/**/test/**/*.test.ts", "examples/**/*.test.ts", "reliability/test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
