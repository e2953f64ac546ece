export { readConfig, helpText, ConfigError, type ServerConfig, type ConfigResult } from "./config.js";
export { startReferenceServer, TOKEN_COOKIE, type RunningServer } from "./server.js";
export { DEMO_PODS, DEMO_DAYS, ensureLogTable, fillDemoLogs } from "./demo-data.js";
