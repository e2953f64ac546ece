import { defineConfig, type Options } from "tsup";

/**
 * Builds one workspace package: ESM JavaScript plus `.d.ts` files in `dist/`.
 * Each package's own `tsup.config.ts` calls this with its entry points.
 */
export function definePackageBuild(entry: Record<string, string>, overrides: Options = {}) {
  return defineConfig({
    entry,
    format: ["esm"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "es2022",
    platform: "neutral",
    outDir: "dist",
    splitting: true,
    treeshake: true,
    ...overrides,
  });
}
