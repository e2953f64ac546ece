export { formatHelp, parseOptions } from "./args.js";
export { childOutput, exitOf, lastJsonLine, nextMessage, residentMiB, sampleResidentMemory, startChild } from "./child.js";
export { DEFAULT_DATABASE_URL, databaseUrl, dropSchema, openSql, uniqueSchema, withSchemas, type Sql } from "./database.js";
export { describeMachine, machineLine, type MachineDescription } from "./machine.js";
export { createReport, recordReports, type Report } from "./report.js";
export { formatCount, median, percentile, round } from "./stats.js";
export { PURGED_POD, logRowsSql, logTimeOf, logTableSql, matchingCountSql, plainDeleteSql, type LogTableShape } from "../purge/log-table.js";
export { buildLogTable, databaseNow } from "../purge/build.js";
