#!/usr/bin/env node
// Starts the built reference server; `pnpm build` (or the published package) provides dist/.
import "../dist/node/cli.js";
