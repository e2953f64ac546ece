import { PGlite } from "@electric-sql/pglite";
import { silentLogger } from "@logmk/workqueue";
import { createPGliteExecutor } from "@logmk/workqueue-postgres";
import { type RunningServer, ensureLogTable, readConfig, startReferenceServer } from "../../src/node/index.js";
import { analyzeLogTableSql, insertDemoLogsSql } from "../../src/node/log-table-sql.js";

export interface LogPod {
  deployment: string;
  pod: string;
  rows: number;
}

/**
 * Writes LogMk's `Log` table with the given pods into a PGlite data folder before any server
 * opens it, the way an existing LogMk database would be there.
 */
export async function prepareLogTable(dataDir: string, pods: readonly LogPod[]): Promise<void> {
  const pg = await PGlite.create(dataDir);
  const sql = createPGliteExecutor(pg, { owned: true });
  try {
    await ensureLogTable(sql, "public", "Log", silentLogger);
    const rows = pods.map((pod) => ({ ...pod, resource: "requests" }));
    await sql.query(insertDemoLogsSql("public", "Log"), [JSON.stringify(rows), 30]);
    await sql.query(analyzeLogTableSql("public", "Log"));
  } finally {
    await sql.close();
  }
}

/** Starts the reference server in this process with the given environment variables on top of test defaults. */
export async function startServer(dataDir: string, env: Record<string, string>): Promise<RunningServer> {
  const result = readConfig([], { HOST: "127.0.0.1", PORT: "0", WORKQUEUE_DATA_DIR: dataDir, WORKQUEUE_DEMO_DATA: "off", ...env });
  if (result.kind !== "config") throw new Error("readConfig returned the help text");
  return startReferenceServer(result.config, silentLogger);
}

/** Returns an off-peak window that is closed now: it starts two hours from now and lasts one hour, in UTC. */
export function closedOffPeakWindow(now = new Date()): string {
  const hour = (offset: number) => `${String((now.getUTCHours() + offset) % 24).padStart(2, "0")}:00`;
  return `${hour(2)}-${hour(3)} UTC`;
}
