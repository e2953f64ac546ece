import {
  DEFAULTS,
  type Clock,
  type LogPurgeService,
  type LogPurgeTarget,
  type Logger,
  type Processor,
  type WorkQueue,
  WorkQueueError,
  createLogPurgeService,
  silentLogger,
  systemClock,
} from "@logmk/workqueue";
import { z } from "zod";
import type { AuthHook } from "./auth/hook.js";
import { createWorkQueueMetrics, type WorkQueueMetrics } from "./metrics/metrics.js";

/** Settings of `GET /api/workqueue/events`. */
export interface EventStreamOptions {
  /** Interval of the comment line that keeps idle streams open through proxies, in milliseconds. @default 15000 */
  heartbeatMs?: number;
  /**
   * Maximum number of events replayed to a client that reconnects with `Last-Event-ID`. A client
   * that missed more gets a `ReplayTruncated` event instead and should reload the list.
   * @default 1000
   */
  maxReplayEvents?: number;
  /**
   * Maximum number of events waiting for one slow client after progress events were coalesced. A
   * client that falls further behind is disconnected, and it replays when it reconnects with
   * `Last-Event-ID`.
   * @default 10000
   */
  maxBufferedEvents?: number;
}

/** Default name of the cookie in which the pages keep the API token. */
export const DEFAULT_TOKEN_COOKIE = "logmk_workqueue_token";

/** Settings of the HTML pages (`/queue`, `/purge`, `/login`). */
export interface PageOptions {
  /**
   * Name of the cookie in which the login form keeps the API token (HttpOnly, SameSite=Strict,
   * `Path` set to `basePath`). Give the same name to `bearerTokenAuth({ cookieName })`, so that
   * the pages' requests carry the token. @default "logmk_workqueue_token"
   */
  tokenCookie?: string;
  /** Items per page in the queue page's lists. @default 25 */
  pageSize?: number;
  /**
   * Maximum wait between two reconnect attempts of the pages' live updates, in milliseconds.
   * The wait starts at 500 ms and doubles. @default 5000
   */
  reconnectMaxDelayMs?: number;
}

export interface WorkQueueAppOptions {
  /** The queue the routes read and change. */
  queue: WorkQueue;
  /** The log table: `GET /api/pods` lists its pods and the default purge service resolves purges against it. */
  logTarget: LogPurgeTarget;
  /** Queues and previews purges. @default createLogPurgeService({ queue, target: logTarget, logger }) */
  purgeService?: LogPurgeService;
  /** Processor whose state `GET /healthz` reports. @default none: `/healthz` checks the store only */
  processor?: Pick<Processor, "isRunning">;
  /** Decides whether a request may proceed; see `bearerTokenAuth`. @default none: every request is allowed */
  auth?: AuthHook;
  /** Prefix of every route, such as `/workqueue`; empty or `/` followed by path segments. @default "" */
  basePath?: string;
  /** Pino-compatible logger; every 5xx is logged at error level with its request id. @default silent */
  logger?: Logger;
  /**
   * Metrics served at `GET /metrics`. Create them with `createWorkQueueMetrics` to pass their
   * `observeChunk` to `createLogPurgeHandler`; `false` leaves `/metrics` out.
   * @default createWorkQueueMetrics({ queue }), without purge chunk figures
   */
  metrics?: WorkQueueMetrics | false;
  /** Largest request body, in bytes. @default 65536 */
  maxBodyBytes?: number;
  /**
   * Origins, besides the request URL's own, from which browsers may send mutating requests,
   * such as the public address of a reverse proxy (`https://logmk.example.com`). @default []
   */
  allowedOrigins?: readonly string[];
  /** Server-Sent Events settings. */
  events?: EventStreamOptions;
  /** `Retry-After` of a 429 (queue full), in seconds. @default 30 */
  retryAfterSeconds?: number;
  /** Time limit of the store check of `GET /healthz`, in milliseconds. @default 5000 */
  healthTimeoutMs?: number;
  /** Ends every open event stream when aborted, so that the host can shut down. @default none */
  signal?: AbortSignal;
  /** Time source of derived fields such as `elapsedTime`. @default the system clock */
  clock?: Clock;
  /** The HTML queue page and purge screen; `false` leaves them out. @default {} (pages on) */
  pages?: PageOptions | false;
}

export interface ResolvedAppOptions {
  queue: WorkQueue;
  logTarget: LogPurgeTarget;
  purgeService: LogPurgeService;
  processor: Pick<Processor, "isRunning"> | undefined;
  auth: AuthHook | undefined;
  basePath: string;
  logger: Logger;
  metrics: WorkQueueMetrics | undefined;
  maxBodyBytes: number;
  allowedOrigins: ReadonlySet<string>;
  events: Required<EventStreamOptions>;
  retryAfterSeconds: number;
  healthTimeoutMs: number;
  signal: AbortSignal | undefined;
  clock: Clock;
  pages: Required<PageOptions> | undefined;
}

const hasMethods = (names: string[]) => (value: unknown) =>
  typeof value === "object" && value !== null && names.every((name) => typeof (value as Record<string, unknown>)[name] === "function");

const objectWith = (field: string, names: string[], example: string) =>
  z.custom((value) => hasMethods(names)(value), { error: `${field} must be an object with ${names.join(", ")}, such as ${example}` });

const positiveInteger = (field: string, unit: string) =>
  z.number({ error: `${field} must be a number of ${unit}` }).int({ error: `${field} must be a whole number of ${unit}` }).positive({ error: `${field} must be greater than 0` });

const OptionsSchema = z.object({
  queue: objectWith("queue", ["enqueue", "list", "onAny", "readEvents", "eventPosition"], "createWorkQueue({ store, handlers })"),
  logTarget: objectWith("logTarget", ["listPods", "findPod", "estimateRows"], "createMemoryLogTarget() or a database target"),
  purgeService: objectWith("purgeService", ["preview", "enqueue"], "createLogPurgeService({ queue, target })").optional(),
  processor: objectWith("processor", ["isRunning"], "createProcessor({ store, handlers })").optional(),
  auth: z.custom((value) => typeof value === "function", { error: "auth must be a function, such as bearerTokenAuth({ token })" }).optional(),
  basePath: z
    .string({ error: "basePath must be a string such as /workqueue" })
    .regex(/^(\/[A-Za-z0-9._~-]+)*$/, { error: "basePath must be empty or start with / and contain path segments without a trailing slash, such as /workqueue" })
    .default(""),
  logger: objectWith("logger", ["debug", "info", "warn", "error"], "a pino logger").default(silentLogger),
  metrics: z.union([z.literal(false), objectWith("metrics", ["render", "observeChunk"], "createWorkQueueMetrics({ queue })")]).optional(),
  maxBodyBytes: positiveInteger("maxBodyBytes", "bytes").default(64 * 1024),
  allowedOrigins: z
    .array(z.string().regex(/^https?:\/\/[^/\s]+$/, { error: "each allowed origin must be scheme, host and optional port without a path, such as https://logmk.example.com" }))
    .default([]),
  events: z
    .object({
      heartbeatMs: positiveInteger("events.heartbeatMs", "milliseconds").default(15_000),
      maxReplayEvents: positiveInteger("events.maxReplayEvents", "events").default(1_000),
      maxBufferedEvents: positiveInteger("events.maxBufferedEvents", "events").default(10_000),
    })
    .strict()
    .default({ heartbeatMs: 15_000, maxReplayEvents: 1_000, maxBufferedEvents: 10_000 }),
  retryAfterSeconds: positiveInteger("retryAfterSeconds", "seconds").default(30),
  healthTimeoutMs: positiveInteger("healthTimeoutMs", "milliseconds").default(5_000),
  signal: z.custom((value) => value instanceof AbortSignal, { error: "signal must be an AbortSignal" }).optional(),
  clock: objectWith("clock", ["now", "setTimer"], "systemClock").default(systemClock),
  pages: z
    .union([
      z.literal(false),
      z
        .object({
          tokenCookie: z
            .string({ error: "pages.tokenCookie must be a cookie name such as logmk_workqueue_token" })
            .regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: "pages.tokenCookie must be a cookie name without spaces, separators or quotes" })
            .default(DEFAULT_TOKEN_COOKIE),
          pageSize: z.number({ error: "pages.pageSize must be a number of items" }).int({ error: "pages.pageSize must be a whole number" }).min(1, { error: "pages.pageSize must be between 1 and 500" }).max(DEFAULTS.maxPageSize, { error: "pages.pageSize must be between 1 and 500" }).default(25),
          reconnectMaxDelayMs: positiveInteger("pages.reconnectMaxDelayMs", "milliseconds").default(5_000),
        })
        .strict(),
    ], { error: "pages must be false or an object with tokenCookie, pageSize and reconnectMaxDelayMs" })
    .default({ tokenCookie: DEFAULT_TOKEN_COOKIE, pageSize: 25, reconnectMaxDelayMs: 5_000 }),
}).strict();

/** Validates the app options once and fills in the defaults, naming the field and the fix on error. */
export function resolveAppOptions(options: WorkQueueAppOptions): ResolvedAppOptions {
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    const summary = parsed.error.issues.map((issue) => issue.message).join("; ");
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid createWorkQueueApp options: ${summary}.`, { cause: parsed.error });
  }
  const data = parsed.data;
  const queue = options.queue;
  const logger = data.logger as Logger;

  return {
    queue,
    logTarget: options.logTarget,
    purgeService: options.purgeService ?? createLogPurgeService({ queue, target: options.logTarget, logger }),
    processor: options.processor,
    auth: options.auth,
    basePath: data.basePath,
    logger,
    metrics: options.metrics === false ? undefined : (options.metrics ?? createWorkQueueMetrics({ queue })),
    maxBodyBytes: data.maxBodyBytes,
    allowedOrigins: new Set(data.allowedOrigins),
    events: data.events,
    retryAfterSeconds: data.retryAfterSeconds,
    healthTimeoutMs: data.healthTimeoutMs,
    signal: options.signal,
    clock: data.clock as Clock,
    pages: data.pages === false ? undefined : data.pages,
  };
}
