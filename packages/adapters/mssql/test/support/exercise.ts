import { createMssqlLogTarget, createMssqlStore, type SqlStatement } from "@logmk/workqueue-mssql";
import { newItem } from "@logmk/workqueue/testing";
import { createRecordingExecutor, type RecordedStatement, type RecordingExecutor } from "./recording-executor.js";
import { respondLikeServer } from "./responses.js";

/** Purge range used by the target calls: a bounded range with a maximum id. */
export const RANGE = {
  deployment: "api",
  podName: "api-7d9f8-abcde",
  from: new Date("2026-11-01T00:00:00.000Z"),
  to: new Date("2026-11-30T00:00:00.000Z"),
  maxId: 900,
};

export const CURSOR = { timestamp: "2026-11-29T08:00:00.1234567", id: 512 };

/**
 * Calls every store and target method, in every variant that changes the SQL text, against a
 * recording executor, and returns what was sent. The statement tests check this list.
 */
export async function exerciseAdapter(): Promise<{ statements: RecordedStatement[]; store: RecordingExecutor; target: RecordingExecutor; targetWithoutDeployment: RecordingExecutor }> {
  const storeExecutor = createRecordingExecutor(respondLikeServer());
  const store = createMssqlStore({ executor: storeExecutor, schema: "queue" });

  await store.migrate();
  await store.now();
  await store.enqueue({ item: newItem({ uniqueKey: "LOG_PURGE:api/pod-1", runAt: new Date("2026-12-01T00:00:00.000Z"), metadata: { screen: "purge" } }), maxOpenItems: 1000 });
  await store.enqueue({ item: newItem(), maxOpenItems: null });
  await store.claimNext({ workerId: "worker-1", types: ["LOG_PURGE", "TEST_JOB"], leaseMs: 60_000, limit: 4 });
  await store.heartbeat({ id: 7, fencingToken: 3, leaseMs: 60_000 });
  await store.reportProgress({ id: 7, fencingToken: 3, recordsAffected: 400, progress: 40, estimatedRecords: 1000, checkpoint: CURSOR, leaseMs: 60_000 });
  await store.reportProgress({ id: 7, fencingToken: 3, recordsAffected: 500, progress: 50 });
  await store.completeItem({ id: 7, fencingToken: 3, recordsAffected: 1000, checkpoint: CURSOR });
  await store.failItem({ id: 7, fencingToken: 3, errorMessage: "connection reset by peer", retryDelayMs: 5_000, stopReason: "failed" });
  await store.cancelClaimed({ id: 7, fencingToken: 3, recordsAffected: 10 });
  await store.releaseItem({ id: 7, fencingToken: 3, reason: "window-closed", runAt: new Date("2026-12-02T01:00:00.000Z") });
  await store.requestCancel({ id: 7 });
  await store.cancelPending({ id: 7 });
  await store.retryItem({ id: 7, maxOpenItems: 1000 });
  await store.recoverExpiredLeases({ retryDelayMs: 5_000, limit: 100 });
  await store.getItem({ id: 7 });
  await store.listItems({ limit: 50 });
  await store.listItems({ limit: 50, status: "FAILED", type: "LOG_PURGE", podName: "api-7d9f8-abcde", deployment: "api", before: 100 });
  await store.findOpenByPod({ podName: "api-7d9f8-abcde" });
  await store.findOpenByPod({ podName: "api-7d9f8-abcde", deployment: "api" });
  await store.countByStatus();
  await store.deleteFinishedBefore({ before: new Date("2026-11-01T00:00:00.000Z"), batchSize: 500 });
  await store.readEvents({ afterId: 10, limit: 100 });
  await store.lastEventId();
  await store.deleteEventsBefore({ before: new Date("2026-11-29T00:00:00.000Z") });
  await store.ping();
  const unsubscribe = await store.subscribe!(() => {});
  await unsubscribe();
  await store.close();

  const targetExecutor = createRecordingExecutor(respondLikeServer());
  const target = createMssqlLogTarget({ executor: targetExecutor, queueSchema: "queue", table: { schema: "logs" } });
  await target.now();
  await target.maxLogId();
  await target.findPod({ podName: "api-7d9f8-abcde" });
  await target.estimateRows(RANGE);
  await target.listPods();
  await target.deleteChunk({ range: { ...RANGE, from: null }, cursor: null, limit: 4_000, statementTimeoutMs: 5_000 });
  await target.deleteChunk({ range: RANGE, cursor: null, limit: 4_000, statementTimeoutMs: 5_000 });
  await target.deleteChunk({
    range: RANGE,
    cursor: CURSOR,
    limit: 10_000,
    statementTimeoutMs: 5_000,
    progress: (deleted, cursor) => ({ id: 7, fencingToken: 3, recordsAffected: 400 + deleted, progress: 44, estimatedRecords: 1000, checkpoint: cursor, leaseMs: 60_000 }),
  });

  const plainExecutor = createRecordingExecutor(respondLikeServer());
  const plain = createMssqlLogTarget({ executor: plainExecutor, table: { deployment: null }, textType: "varchar" });
  await plain.findPod({ podName: "api-7d9f8-abcde" });
  await plain.estimateRows({ ...RANGE, deployment: null });
  await plain.listPods();
  await plain.deleteChunk({ range: { ...RANGE, deployment: null }, cursor: CURSOR, limit: 100, statementTimeoutMs: 1_000 });

  const statements = [...storeExecutor.statements, ...targetExecutor.statements, ...plainExecutor.statements];
  return { statements, store: storeExecutor, target: targetExecutor, targetWithoutDeployment: plainExecutor };
}

/** Collects the distinct statement texts, keyed by name, with a counter where one name has several texts. */
export function distinctTexts(statements: SqlStatement[]): Map<string, SqlStatement> {
  const byKey = new Map<string, SqlStatement>();
  const seen = new Set<string>();
  for (const statement of statements) {
    if (seen.has(statement.text)) continue;
    seen.add(statement.text);
    let key = statement.name;
    for (let index = 2; byKey.has(key); index++) key = `${statement.name}#${index}`;
    byKey.set(key, statement);
  }
  return byKey;
}
