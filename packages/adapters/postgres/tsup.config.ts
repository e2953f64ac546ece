import { definePackageBuild } from "../../../tsup.config";

export default definePackageBuild({ index: "src/index.ts" }, { external: ["postgres", "@electric-sql/pglite", "@logmk/workqueue"] });
