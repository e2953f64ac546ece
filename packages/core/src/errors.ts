import type { WorkQueueItem } from "./model/item.js";

/**
 * Stable error codes. The HTTP layer maps them to statuses: VALIDATION_FAILED 400,
 * NOT_FOUND 404, CONFLICT and INVALID_STATE 409, QUEUE_FULL 429.
 */
export type WorkQueueErrorCode =
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "CONFLICT"
  | "QUEUE_FULL"
  | "INVALID_STATE"
  | "STORE_FAILED";

export interface WorkQueueErrorOptions {
  cause?: unknown;
  /** The open item that caused a CONFLICT, or the item in the wrong state for INVALID_STATE. */
  item?: WorkQueueItem;
  /** Field-level problems of a VALIDATION_FAILED error. */
  issues?: ReadonlyArray<{ path: string; message: string }>;
  /** Extra facts for the caller, such as the matching deployments of an ambiguous pod name. */
  details?: Record<string, unknown>;
}

/** Error raised by the queue, the stores and the handlers, with a stable `code`. */
export class WorkQueueError extends Error {
  override readonly name = "WorkQueueError";
  readonly code: WorkQueueErrorCode;
  readonly item: WorkQueueItem | undefined;
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  readonly details: Record<string, unknown>;

  constructor(code: WorkQueueErrorCode, message: string, options: WorkQueueErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.item = options.item;
    this.issues = options.issues ?? [];
    this.details = options.details ?? {};
  }
}

export function isWorkQueueError(value: unknown, code?: WorkQueueErrorCode): value is WorkQueueError {
  return value instanceof WorkQueueError && (code === undefined || value.code === code);
}

/** Turns any thrown value into an `Error`, keeping the original as `cause` when it was not one. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === "string") return new Error(value);
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    text = String(value);
  }
  return new Error(`Non-error value thrown: ${text}`, { cause: value });
}

/** The message of any thrown value, cut to a length that fits the item's `errorMessage`. */
export function errorMessageOf(value: unknown, maxLength = 4_000): string {
  const message = toError(value).message || toError(value).name;
  return message.length > maxLength ? `${message.slice(0, maxLength - 3)}...` : message;
}
