import { type Clock, sleep } from "../clock.js";
import { errorMessageOf } from "../errors.js";
import type { Logger } from "../logger.js";

export interface StoreRetryOptions {
  clock: Clock;
  logger: Logger;
  /** Give up once this much time has passed; the lease expires after it anyway. */
  deadlineMs: number;
  /** Log fields naming the item and the write. */
  fields: Record<string, unknown>;
}

/**
 * Runs a store write, retrying thrown errors with doubling delays until the deadline. A write
 * that keeps failing is left to lease recovery, which returns the item to PENDING.
 */
export async function retryStoreWrite<T>(write: () => Promise<T>, options: StoreRetryOptions): Promise<T | undefined> {
  const started = options.clock.now().getTime();
  let delayMs = 200;

  for (let attempt = 1; ; attempt++) {
    try {
      return await write();
    } catch (error) {
      const elapsed = options.clock.now().getTime() - started;
      if (elapsed + delayMs >= options.deadlineMs) {
        options.logger.error({ ...options.fields, err: error, attempt }, `Store write failed ${attempt} times, giving up; lease recovery will return the item: ${errorMessageOf(error)}`);
        return undefined;
      }
      options.logger.warn({ ...options.fields, err: error, attempt, retryInMs: delayMs }, `Store write failed, retrying in ${delayMs} ms: ${errorMessageOf(error)}`);
      await sleep(options.clock, delayMs);
      delayMs = Math.min(delayMs * 2, 5_000);
    }
  }
}
