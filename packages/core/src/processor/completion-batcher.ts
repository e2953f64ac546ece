import { setImmediateOrTimeout, type Clock } from "../clock.js";
import type { CompleteItemParams, FencedResult, WorkQueueStore } from "../store/port.js";

/** Collects completions and writes them together, so that short jobs cost one round trip per batch. */
export interface CompletionBatcher {
  complete(params: CompleteItemParams): Promise<FencedResult>;
  /** Writes what is collected now. */
  flush(): Promise<void>;
}

interface Pending {
  params: CompleteItemParams;
  resolve(result: FencedResult): void;
  reject(error: unknown): void;
}

/**
 * Creates a batcher over `store.completeItems`. Completions made within `delayMs` of the first
 * one go out together, up to `maxBatch`; without `completeItems` each completion is written alone.
 */
export function createCompletionBatcher(store: WorkQueueStore, clock: Clock, options: { delayMs: number; maxBatch: number }): CompletionBatcher {
  let pending: Pending[] = [];
  let cancelTimer: (() => void) | undefined;

  // A zero delay means "the next event-loop turn", which is not a duration the injected clock
  // should control, so it uses the runtime's scheduling.
  const schedule = (callback: () => void): (() => void) => {
    if (options.delayMs > 0) return clock.setTimer(callback, options.delayMs);
    return setImmediateOrTimeout(callback);
  };

  async function flush(): Promise<void> {
    cancelTimer?.();
    cancelTimer = undefined;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;

    try {
      const results = await store.completeItems!({ items: batch.map((entry) => entry.params) });
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      // Each caller retries its own completion, so one failed batch does not lose any item.
      for (const entry of batch) entry.reject(error);
    }
  }

  return {
    flush,
    complete(params) {
      if (!store.completeItems) return store.completeItem(params);
      return new Promise<FencedResult>((resolve, reject) => {
        pending.push({ params, resolve, reject });
        if (pending.length >= options.maxBatch) void flush();
        else cancelTimer ??= schedule(() => void flush());
      });
    },
  };
}
