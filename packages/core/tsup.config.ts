import { definePackageBuild } from "../../tsup.config";

export default definePackageBuild(
  { index: "src/index.ts", "testing/index": "src/testing/index.ts" },
  { external: ["vitest"] },
);
