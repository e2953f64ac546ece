import { errorMessageOf, type Logger, type StoreNotice, type Unsubscribe } from "@logmk/workqueue";
import type { SqlExecutor } from "../executor/executor.js";

/** Fans the notifications of one LISTEN out to the store's subscribers. */
export interface NoticeHub {
  subscribe(listener: (notice: StoreNotice) => void): Promise<Unsubscribe>;
  /** Stops listening and drops every subscriber. */
  close(): Promise<void>;
}

const NOTICE_KINDS: ReadonlySet<string> = new Set<StoreNotice["kind"]>(["work-available", "events"]);

/**
 * LISTENs on `channel` while at least one subscriber is left. LISTEN and UNLISTEN run one at a
 * time, so that a subscribe racing the last unsubscribe never ends up without a LISTEN.
 */
export function createNoticeHub(executor: SqlExecutor, channel: string, logger: Logger): NoticeHub {
  const listeners = new Set<(notice: StoreNotice) => void>();
  let stopListening: (() => Promise<void>) | undefined;
  let queue: Promise<unknown> = Promise.resolve();

  function serialise<T>(step: () => Promise<T>): Promise<T> {
    const run = queue.then(step, step);
    queue = run.catch(() => undefined);
    return run;
  }

  function dispatch(payload: string): void {
    if (!NOTICE_KINDS.has(payload)) {
      logger.warn({ channel, payload }, `Ignoring an unknown notification on ${channel}`);
      return;
    }
    const notice = { kind: payload } as StoreNotice;
    for (const listener of [...listeners]) {
      try {
        listener(notice);
      } catch (error) {
        logger.error({ err: error, notice: payload }, `A store notice listener threw: ${errorMessageOf(error)}`);
      }
    }
  }

  async function unlistenIfIdle(): Promise<void> {
    if (listeners.size > 0 || !stopListening) return;
    const stop = stopListening;
    stopListening = undefined;
    await stop();
    logger.debug({ channel }, `Stopped listening on ${channel}`);
  }

  return {
    subscribe(listener) {
      return serialise(async () => {
        if (!stopListening) {
          stopListening = await executor.listen(channel, dispatch);
          logger.debug({ channel }, `Listening on ${channel}`);
        }
        listeners.add(listener);

        let subscribed = true;
        return () =>
          serialise(async () => {
            if (!subscribed) return;
            subscribed = false;
            listeners.delete(listener);
            await unlistenIfIdle();
          });
      });
    },

    close() {
      return serialise(async () => {
        listeners.clear();
        await unlistenIfIdle();
      });
    },
  };
}
