/**
 * Purges the benchmark pod in a process of its own, so that the parent can sample this process's
 * memory, and prints one JSON line with the figures. Started by `purge.ts` with one JSON argument:
 * { mode: "chunked" | "plain", url, logSchema, queueSchema, to }.
 */
import { createLogPurgeHandler, createLogPurgeService, createProcessor, createWorkQueue, type ChunkObservation } from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import postgres from "postgres";
import { PURGED_POD, plainDeleteSql } from "./log-table.js";

export interface PurgeChildInput {
  mode: "chunked" | "plain";
  url: string;
  logSchema: string;
  queueSchema: string;
  /** Upper end of the purge, an ISO instant. */
  to: string;
}

export interface PurgeChildOutput {
  deleted: number;
  /** From the start of the purge handler (or of the DELETE) until its last row was deleted, in milliseconds. */
  ms: number;
  /** From the processor's start until the purge handler started, in milliseconds: listening, lease recovery, the claim. */
  startupMs: number;
  /** The highest log id when the purge was queued. */
  maxId: number;
  chunks: ChunkObservation[];
  /** Peak resident set size of this process, in MiB. */
  maxRssMiB: number;
}

async function purgeChunked(input: PurgeChildInput): Promise<Omit<PurgeChildOutput, "maxRssMiB">> {
  const store = createPostgresStore({ connection: input.url, schema: input.queueSchema });
  const target = createPostgresLogTarget({ connection: input.url, schema: input.logSchema, queueStore: store });
  const chunks: ChunkObservation[] = [];
  let finished: () => void = () => {};
  const handlerReturned = new Promise<void>((resolve) => (finished = resolve));
  let handlerStarted = 0;
  const handler = createLogPurgeHandler({ target, onChunk: (observation) => chunks.push(observation) });
  const timedHandler = {
    ...handler,
    run: async (context: Parameters<typeof handler.run>[0]) => {
      handlerStarted = performance.now();
      return handler.run(context).finally(finished);
    },
  };
  try {
    await store.migrate();
    const queue = createWorkQueue({ store, handlers: [handler] });
    const item = await createLogPurgeService({ queue, target }).enqueue({ ...PURGED_POD, to: input.to });

    const processor = createProcessor({ store, handlers: [timedHandler] });
    const started = performance.now();
    await processor.start();
    await handlerReturned;
    const ms = performance.now() - handlerStarted;
    const startupMs = handlerStarted - started;
    await processor.stop();

    const done = await store.getItem({ id: item.id });
    if (done?.status !== "COMPLETED") throw new Error(`The purge ended ${done?.status}: ${done?.errorMessage}`);
    return { deleted: done.recordsAffected, ms, startupMs, maxId: Number(item.payload.maxId), chunks };
  } finally {
    await target.close();
    await store.close();
  }
}

async function purgePlain(input: PurgeChildInput): Promise<Omit<PurgeChildOutput, "maxRssMiB">> {
  const sql = postgres(input.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql.unsafe(`SELECT max("Id")::bigint AS max_id FROM "${input.logSchema}"."Log"`);
    const maxId = Number(row!.max_id);
    const started = performance.now();
    const result = await sql.unsafe(plainDeleteSql(input.logSchema), [PURGED_POD.deployment, PURGED_POD.podName, input.to, maxId]);
    return { deleted: result.count, ms: performance.now() - started, startupMs: 0, maxId, chunks: [] };
  } finally {
    await sql.end();
  }
}

const input = JSON.parse(process.argv[2]!) as PurgeChildInput;
const result = input.mode === "chunked" ? await purgeChunked(input) : await purgePlain(input);
const output: PurgeChildOutput = { ...result, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
process.stdout.write(`${JSON.stringify(output)}\n`);
