import type { ContenderFactory } from "./contender.js";
import { graphileWorkerContender } from "./graphile-worker.js";
import { oursContender } from "./ours.js";
import { pgBossContender } from "./pg-boss.js";

export interface LineupEntry {
  factory: ContenderFactory;
  /** True for a peer, false for this project's queue. */
  peer: boolean;
  /** True when the contender finds new jobs by polling only, so that each wake-up takes up to a poll interval. */
  polling?: boolean;
}

/** Drain contenders: this project's processor and each peer in its default and its best documented configuration. */
export function drainLineup(): LineupEntry[] {
  return [
    { peer: false, factory: oursContender({ name: "LogMk queue, defaults" }) },
    { peer: false, factory: oursContender({ name: "LogMk queue, localQueueSize 500", localQueueSize: 500 }) },
    { peer: true, factory: pgBossContender({ name: "pg-boss 12, defaults (batchSize 1, 2 s poll)" }) },
    { peer: true, factory: pgBossContender({ name: "pg-boss 12, batchSize 100, 0.5 s poll, burstWhenBatchFull", batchSize: 100, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true }) },
    { peer: true, factory: graphileWorkerContender({ name: "graphile-worker 0.18, defaults" }) },
    { peer: true, factory: graphileWorkerContender({ name: "graphile-worker 0.18, localQueue.size 500, completeJobBatchDelay 0", localQueueSize: 500, completeJobBatchDelay: 0 }) },
  ];
}

/** Latency contenders: every one wakes on LISTEN/NOTIFY except pg-boss polling every 0.5 s. */
export function latencyLineup(): LineupEntry[] {
  return [
    { peer: false, factory: oursContender({ name: "LogMk queue (LISTEN/NOTIFY)" }) },
    { peer: true, factory: graphileWorkerContender({ name: "graphile-worker 0.18 (LISTEN/NOTIFY)" }) },
    { peer: true, factory: pgBossContender({ name: "pg-boss 12, notify", notify: true }) },
    { peer: true, polling: true, factory: pgBossContender({ name: "pg-boss 12, polling every 0.5 s", pollingIntervalSeconds: 0.5 }) },
  ];
}
