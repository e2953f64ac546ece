/**
 * Inserts log rows of another pod at a steady pace from a connection of its own, in a process of
 * its own, and records each insert's latency by phase. Driven by `purge.ts` over the IPC channel:
 * `{ phase: name }` starts a phase, `{ stop: true }` ends it and sends back `{ latencies }`.
 * Started with one JSON argument: { url, logSchema, intervalMs }.
 */
import { setTimeout as sleep } from "node:timers/promises";
import postgres from "postgres";

interface InserterInput {
  url: string;
  logSchema: string;
  /** Pause between two inserts, in milliseconds. */
  intervalMs: number;
}

const input = JSON.parse(process.argv[2]!) as InserterInput;
const sql = postgres(input.url, { max: 1, onnotice: () => {} });
const insert = `INSERT INTO "${input.logSchema}"."Log" ("Deployment", "Pod", "TimeStamp", "Line") VALUES ('web', 'web-live', now() AT TIME ZONE 'UTC', 'live line')`;
const latencies: Record<string, number[]> = {};
let phase: string | undefined;
let stopping = false;

// A parent that dies leaves this process orphaned; it ends with it, as a crashed worker would.
process.on("disconnect", () => process.exit(1));
process.on("message", (message: { phase?: string; stop?: boolean }) => {
  if (message.phase) phase = message.phase;
  if (message.stop) stopping = true;
});

// The connection is opened before the first phase, so that no phase times a connect.
await sql`SELECT 1`;
process.send!({ ready: true });
while (!stopping) {
  if (phase === undefined) {
    await sleep(input.intervalMs);
    continue;
  }
  const current = phase;
  const started = performance.now();
  await sql.unsafe(insert);
  (latencies[current] ??= []).push(performance.now() - started);
  await sleep(input.intervalMs);
}
await sql.end();
process.send!({ latencies }, () => process.exit(0));
