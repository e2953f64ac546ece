import { type Logger, type StoreNotice, type Unsubscribe, errorMessageOf } from "@logmk/workqueue";
import { lastRecordset, type SqlExecutor } from "../executor.js";
import { eventsChangeMarker, eventsLastId } from "./sql/queries.js";
import type { QueueTables } from "./tables.js";

export interface ChangePollerOptions {
  executor: SqlExecutor;
  tables: QueueTables;
  intervalMs: number;
  logger: Logger;
}

/**
 * Delivers store notices without LISTEN, which SQL Server lacks: one query per interval reads the
 * event log's change marker, however many listeners there are, and only while there are any.
 * NOTE: an event committed after a later id was already seen raises no notice of its own; the
 * queue's polling picks that work up.
 */
export function createChangePoller(options: ChangePollerOptions): { subscribe(listener: (notice: StoreNotice) => void): Promise<Unsubscribe>; stop(): void } {
  const { executor, tables, logger } = options;
  const listeners = new Set<(notice: StoreNotice) => void>();
  let afterId = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failing = false;
  let polling = false;
  let starting: Promise<void> | undefined;

  function emit(notice: StoreNotice): void {
    for (const listener of listeners) {
      try {
        listener(notice);
      } catch (error) {
        logger.error({ err: error, notice: notice.kind }, `A store notice listener threw: ${errorMessageOf(error)}`);
      }
    }
  }

  async function poll(): Promise<void> {
    timer = undefined;
    polling = true;
    try {
      const [row] = lastRecordset(await executor.query(eventsChangeMarker(tables, afterId)));
      const lastId = row?.["LastId"] == null ? null : Number(row["LastId"]);
      const lastWorkId = row?.["LastWorkId"] == null ? null : Number(row["LastWorkId"]);
      if (failing) logger.info({ afterEventId: afterId }, "Polling the work queue change marker works again");
      failing = false;

      if (lastId !== null && lastId > afterId) {
        afterId = lastId;
        if (lastWorkId !== null) emit({ kind: "work-available" });
        emit({ kind: "events" });
      }
    } catch (error) {
      // Log the first failure of a run only, so that an outage does not log once per interval.
      if (!failing) logger.warn({ err: error, afterEventId: afterId }, `Polling the work queue change marker failed, retrying every ${options.intervalMs} ms: ${errorMessageOf(error)}`);
      failing = true;
    }
    polling = false;
    schedule();
  }

  function schedule(): void {
    // One chain of timers at most: a poll in flight schedules the next one when it ends.
    if (listeners.size === 0 || timer !== undefined || polling) return;
    timer = setTimeout(() => void poll(), options.intervalMs);
    // Where the runtime supports it, the timer does not keep the process alive on its own.
    (timer as { unref?: () => void }).unref?.();
  }

  function stop(): void {
    listeners.clear();
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  return {
    async subscribe(listener) {
      if (listeners.size === 0 && starting === undefined) {
        // Start from the newest event now, so a change made right after subscribe returns is noticed.
        starting = executor.query(eventsLastId(tables)).then((result) => {
          afterId = Number(lastRecordset(result)[0]?.["LastId"] ?? 0);
        });
        starting.then(
          () => (starting = undefined),
          () => (starting = undefined),
        );
      }
      // Listeners that subscribe while the first one starts wait for the same start.
      if (starting !== undefined) await starting;
      listeners.add(listener);
      schedule();

      return async () => {
        listeners.delete(listener);
        if (listeners.size === 0 && timer !== undefined) {
          clearTimeout(timer);
          timer = undefined;
        }
      };
    },
    stop,
  };
}
