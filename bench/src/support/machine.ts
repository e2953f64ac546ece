import os from "node:os";
import type { Sql } from "./database.js";

/** The machine a figure was measured on, for the benchmark record. */
export interface MachineDescription {
  cores: number;
  memoryGiB: number;
  cpuModel: string;
  node: string;
  postgres: string;
  loadAverage: number[];
}

export async function describeMachine(sql: Sql): Promise<MachineDescription> {
  const [row] = await sql`SELECT current_setting('server_version') AS version`;
  return {
    cores: os.availableParallelism(),
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    cpuModel: os.cpus()[0]?.model.trim() ?? "unknown",
    node: process.version,
    postgres: String(row!.version),
    loadAverage: os.loadavg().map((load) => Math.round(load * 100) / 100),
  };
}

export function machineLine(machine: MachineDescription): string {
  return `${machine.cores} cores (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node.js ${machine.node}, PostgreSQL ${machine.postgres}, load average ${machine.loadAverage.join(" / ")} at the start`;
}
