import { definePackageBuild } from "../../tsup.config";

export default definePackageBuild({ index: "src/index.ts" }, { external: ["hono", "zod", "@logmk/workqueue"] });
