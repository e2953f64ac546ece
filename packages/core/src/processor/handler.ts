import type { z } from "zod";
import type { Logger } from "../logger.js";
import type { WorkQueueItem } from "../model/item.js";
import type { FencedResult } from "../store/port.js";

/** Reason the processor stopped a handler, carried by the {@link ItemStopError} in `signal.reason`. */
export type StopKind = "cancelled" | "lease-lost" | "timed-out" | "shutdown" | "window-closed";

/** Abort reason of a handler's signal. A handler that stops early throws it (or lets it propagate). */
export class ItemStopError extends Error {
  override readonly name = "ItemStopError";
  constructor(
    readonly kind: StopKind,
    message: string,
  ) {
    super(message);
  }
}

/** Thrown by a handler for an error that no retry can fix: the item ends FAILED at once. */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}

export interface ProgressUpdate {
  /** Total rows (or units) done so far, across attempts. */
  recordsAffected: number;
  /** Percent done, 0 to 100; the processor caps it below 100 until the item completes. */
  progress: number;
  estimatedRecords?: number | null;
  /** Resume point for the next attempt after a crash. */
  checkpoint?: unknown;
}

export interface ProgressResult {
  /** False when the lease was lost: the handler's signal is aborted as well. */
  applied: boolean;
  /** True when someone asked to cancel the item: the handler's signal is aborted as well. */
  cancelRequested: boolean;
}

/** Context of one attempt at one item, passed to the handler. */
export interface HandlerContext<Payload> {
  /** The item as claimed, with the fencing token of this attempt. */
  item: WorkQueueItem;
  payload: Payload;
  /**
   * Aborted on cancel, lease loss, timeout, processor stop or the end of the off-peak window.
   * Check it between units of work and throw `signal.reason` to stop.
   */
  signal: AbortSignal;
  /** Writes progress under the lease and extends it. The result shows whether a cancel was requested. */
  reportProgress(update: ProgressUpdate): Promise<ProgressResult>;
  /**
   * Passes on the result of a fenced write the handler made itself, such as progress committed in
   * the same transaction as the work, so that the processor reacts to lease loss or cancel.
   */
  acceptFencedResult(result: FencedResult): ProgressResult;
  /** Lease duration in milliseconds, for fenced writes made by the handler. */
  leaseMs: number;
  logger: Logger;
  workerId: string;
}

/** A handler's result when it finished the item. */
export interface HandlerResult {
  recordsAffected?: number;
  checkpoint?: unknown;
}

/** Runs the items of one type. */
export interface WorkQueueHandler<Payload = unknown> {
  /** Item type this handler runs, such as `LOG_PURGE`. */
  type: string;
  /** Validates the payload at enqueue and again before each run. */
  payloadSchema: z.ZodType<Payload>;
  /** Runs one attempt. Returning completes the item; throwing fails it or, after an abort, stops it. */
  run(context: HandlerContext<Payload>): Promise<HandlerResult | void>;
  /** Time limit of one attempt in milliseconds; overrides the processor's `itemTimeoutMs`. */
  timeoutMs?: number;
}

/** Declares a handler with its payload type inferred from the schema. */
export function defineHandler<Schema extends z.ZodType>(handler: WorkQueueHandler<z.output<Schema>> & { payloadSchema: Schema }): WorkQueueHandler<z.output<Schema>> {
  return handler;
}
