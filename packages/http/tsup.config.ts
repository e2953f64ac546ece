import { definePackageBuild } from "../../tsup.config";

// The web-standard app builds for any runtime; `src/node/` is the Node reference server and its CLI.
export default definePackageBuild(
  { index: "src/index.ts", "node/index": "src/node/index.ts", "node/cli": "src/node/cli.ts" },
  { platform: "node", external: ["hono", "zod", /^@logmk\//, "@electric-sql/pglite", "postgres", "@hono/node-server", "pino"] },
);
