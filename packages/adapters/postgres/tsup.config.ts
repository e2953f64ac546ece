import { definePackageBuild } from "../../../tsup.config";

export default definePackageBuild({ index: "src/index.ts" });
