import { errorMessageOf } from "../errors.js";
import { childLogger } from "../logger.js";
import { LIMITS } from "../model/limits.js";
import type { WorkQueueItem } from "../model/item.js";
import type { CompleteItemParams, FencedResult } from "../store/port.js";
import { backoffDelay } from "./backoff.js";
import { ItemStopError, PermanentJobError, type HandlerContext, type HandlerResult, type ProgressResult, type StopKind, type WorkQueueHandler } from "./handler.js";
import type { ResolvedProcessorOptions } from "./options.js";
import { retryStoreWrite } from "./store-retry.js";

/** A claimed item while its handler runs: the processor keeps one per running item. */
export interface ItemRun {
  readonly item: WorkQueueItem;
  /** Asks the handler to stop; the first reason given wins. */
  stop(kind: StopKind, message: string): void;
  /**
   * Lets go of a handler that outlived the processor's stop: heartbeats and timers end, and the
   * write that ends the attempt is tried once, without retries, since the store may be closed by
   * then. The lease expires and recovery returns the item if that write does not apply.
   */
  abandon(): void;
  /**
   * Settles once the item no longer needs a concurrency slot: when its handler returned and its
   * completion was handed to the batcher, or else when `done` settles. A completion write takes a
   * round trip, and holding the slot through it would cap throughput at `concurrency` items per
   * round trip whatever the batching.
   */
  readonly slotFreed: Promise<void>;
  /**
   * Settles once the item's final write is done or given up, with the item's next `runAt` when the
   * attempt put it back to PENDING, so that the processor can wake up for it.
   */
  readonly done: Promise<Date | undefined>;
}

type Outcome = { kind: "returned"; result: HandlerResult | void } | { kind: "threw"; error: unknown };

export interface ItemRunHooks {
  /** Writes the completion, possibly batched with others. */
  complete(params: CompleteItemParams): Promise<FencedResult>;
}

/** Starts running one claimed item: heartbeats, timers, the handler, and the write that ends the attempt. */
export function startItemRun(item: WorkQueueItem, options: ResolvedProcessorOptions, hooks: ItemRunHooks): ItemRun {
  const { store, clock, workerId } = options;
  const handler = options.handlers.get(item.type);
  // The processor's logger already carries workerId, and pino would write a second binding of it.
  const logger = childLogger(options.logger, { itemId: item.id, itemType: item.type, attempt: item.attempts });
  const controller = new AbortController();
  const fence = { id: item.id, fencingToken: item.fencingToken };
  const cancelTimers: Array<() => void> = [];
  let cancelHeartbeat: (() => void) | undefined;
  let handlerSettled = false;
  let abandoned = false;
  // The lease as this worker last extended it, by its own clock, to notice a lease lost to an unreachable store.
  let leaseValidUntil = clock.now().getTime() + options.leaseMs;

  const stop = (kind: StopKind, message: string) => {
    if (controller.signal.aborted) return;
    logger.info({ stopKind: kind }, `Stopping item ${item.id}: ${message}`);
    controller.abort(new ItemStopError(kind, message));
  };

  /** Reacts to the result of any fenced write: lease lost or cancel requested stop the handler. */
  const acceptFencedResult = (result: FencedResult): ProgressResult => {
    if (!result.applied) {
      stop("lease-lost", describeLostLease(result));
      return { applied: false, cancelRequested: false };
    }
    leaseValidUntil = clock.now().getTime() + options.leaseMs;
    const cancelRequested = result.item?.cancelRequestedAt != null;
    if (cancelRequested) stop("cancelled", "a cancel was requested");
    return { applied: true, cancelRequested };
  };

  const describeLostLease = (result: FencedResult): string => {
    const current = result.item;
    if (!current) return "the item no longer exists";
    if (current.fencingToken !== item.fencingToken) return `another claim took over (fencing token ${current.fencingToken}, ours ${item.fencingToken})`;
    return `the item is ${current.status}`;
  };

  function startTimers(): void {
    const beat = () => {
      cancelHeartbeat = clock.setTimer(async () => {
        if (handlerSettled || abandoned || controller.signal.aborted) return;
        try {
          const result = await store.heartbeat({ ...fence, leaseMs: options.leaseMs });
          if (!handlerSettled) acceptFencedResult(result);
        } catch (error) {
          logger.warn({ err: error }, `Heartbeat for item ${item.id} failed: ${errorMessageOf(error)}`);
          if (clock.now().getTime() >= leaseValidUntil) stop("lease-lost", "heartbeats failed until the lease expired");
        }
        if (!handlerSettled && !abandoned) beat();
      }, options.heartbeatMs);
    };
    beat();

    const timeoutMs = handler?.timeoutMs ?? options.itemTimeoutMs;
    cancelTimers.push(clock.setTimer(() => stop("timed-out", `the attempt ran longer than ${timeoutMs} ms`), timeoutMs));

    if (item.schedule === "off-peak" && options.offPeakWindow) {
      const end = options.offPeakWindow.endAfter(clock.now());
      cancelTimers.push(clock.setTimer(() => stop("window-closed", "the off-peak window closed"), end.getTime() - clock.now().getTime()));
    }
  }

  /** Writes the end of the attempt, retrying transient store errors until the lease would expire, or once when abandoned. */
  function write<T>(name: string, action: () => Promise<T>): Promise<T | undefined> {
    return retryStoreWrite(action, { clock, logger, deadlineMs: abandoned ? 0 : options.leaseMs, fields: { write: name } });
  }

  async function runHandler(): Promise<Outcome> {
    if (!handler) {
      return { kind: "threw", error: new PermanentJobError(`No handler is registered for type "${item.type}".`) };
    }
    const parsed = handler.payloadSchema.safeParse(item.payload);
    if (!parsed.success) {
      return { kind: "threw", error: new PermanentJobError(`Invalid payload for type ${item.type}: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "payload"}: ${issue.message}`).join("; ")}`) };
    }

    const context: HandlerContext<unknown> = {
      item,
      payload: parsed.data,
      signal: controller.signal,
      leaseMs: options.leaseMs,
      logger,
      workerId,
      acceptFencedResult,
      reportProgress: async (update) => {
        const progress = Math.min(99.99, Math.max(0, update.progress));
        const result = await store.reportProgress({ ...fence, ...update, progress, leaseMs: options.leaseMs });
        return acceptFencedResult(result);
      },
    };

    try {
      return { kind: "returned", result: await (handler as WorkQueueHandler<unknown>).run(context) };
    } catch (error) {
      return { kind: "threw", error };
    }
  }

  async function finishAttempt(outcome: Outcome): Promise<Date | undefined> {
    const reason = controller.signal.aborted ? (controller.signal.reason as ItemStopError) : undefined;

    if (outcome.kind === "returned") {
      const result = outcome.result ?? {};
      const completion = write("complete", () => hooks.complete({ ...fence, ...result }));
      freeSlot();
      const written = await completion;
      if (written?.applied || (written && appliedEarlier(written, "COMPLETED"))) logger.info({ recordsAffected: written.item?.recordsAffected }, `Item ${item.id} completed`);
      else if (written) logger.warn({}, `Item ${item.id} finished but could not be marked completed: ${describeLostLease(written)}`);
      return undefined;
    }

    switch (reason?.kind) {
      case "lease-lost":
        logger.warn({ err: outcome.error }, `Item ${item.id} stopped after losing its lease; the new owner or recovery decides what happens next`);
        return undefined;
      case "cancelled": {
        const written = await write("cancel", () => store.cancelClaimed(fence));
        if (written?.applied) logger.info({ recordsAffected: written.item?.recordsAffected }, `Item ${item.id} cancelled`);
        return undefined;
      }
      case "shutdown":
      case "window-closed": {
        const runAt = reason.kind === "window-closed" && options.offPeakWindow ? options.offPeakWindow.nextStart(clock.now()) : null;
        const written = await write("release", () => store.releaseItem({ ...fence, reason: reason.kind as "shutdown" | "window-closed", runAt }));
        if (written?.applied) logger.info({ runAt: runAt?.toISOString() ?? null }, `Item ${item.id} released back to the queue (${reason.kind})`);
        return written?.item?.runAt;
      }
      default:
        return failAttempt(outcome.error, reason?.kind === "timed-out");
    }
  }

  async function failAttempt(error: unknown, timedOut: boolean): Promise<Date | undefined> {
    const permanent = error instanceof PermanentJobError;
    const message = timedOut ? `Timed out: ${errorMessageOf(controller.signal.reason)}` : errorMessageOf(error, LIMITS.maxErrorMessageLength);
    const retryDelayMs = permanent ? null : backoffDelay(item.attempts, options.backoff, options.random);

    const written = await write("fail", () => store.failItem({ ...fence, errorMessage: message, retryDelayMs, stopReason: timedOut ? "timed-out" : "failed" }));
    if (!written?.applied) return undefined;
    if (written.outcome === "retried") {
      logger.warn({ err: error, retryInMs: retryDelayMs }, `Item ${item.id} failed on attempt ${item.attempts} of ${item.maxAttempts}, retrying in ${retryDelayMs} ms: ${message}`);
      return written.item?.runAt;
    }
    logger.error({ err: error }, `Item ${item.id} failed on attempt ${item.attempts} of ${item.maxAttempts}, no retries left: ${message}`);
    return undefined;
  }

  /** True when an earlier try of a write that seemed to fail did reach the store. */
  function appliedEarlier(result: FencedResult, status: WorkQueueItem["status"]): boolean {
    return result.item?.status === status && result.item.fencingToken === item.fencingToken;
  }

  let freeSlot: () => void = () => {};
  const slotFreed = new Promise<void>((resolve) => (freeSlot = resolve));

  const done = (async () => {
    logger.info({ priority: item.priority, payload: item.payload }, `Item ${item.id} started`);

    const window = options.offPeakWindow;
    if (item.schedule === "off-peak" && window && !window.contains(clock.now())) {
      stop("window-closed", "claimed outside the off-peak window");
      return finishAttempt({ kind: "threw", error: controller.signal.reason });
    }
    if (item.schedule === "off-peak" && !window) {
      logger.warn({}, `Item ${item.id} is scheduled off-peak but this processor has no offPeakWindow; running it now`);
    }

    startTimers();
    let outcome: Outcome;
    try {
      outcome = await runHandler();
    } finally {
      handlerSettled = true;
      cancelHeartbeat?.();
      for (const cancel of cancelTimers) cancel();
    }
    return finishAttempt(outcome);
  })()
    .catch((error): undefined => {
      logger.error({ err: error }, `Item ${item.id} run failed unexpectedly: ${errorMessageOf(error)}`);
      return undefined;
    })
    .finally(() => freeSlot());

  const abandon = () => {
    abandoned = true;
    cancelHeartbeat?.();
    for (const cancel of cancelTimers) cancel();
  };

  return { item, stop, abandon, slotFreed, done };
}
