import type { AddressInfo } from "node:net";
import { serve, type ServerType } from "@hono/node-server";
import {
  LOG_PURGE_TYPE,
  LogPurgePayloadSchema,
  createLogPurgeHandler,
  createProcessor,
  createWorkQueue,
  errorMessageOf,
  type Logger,
  type Processor,
} from "@logmk/workqueue";
import { createPostgresLogTarget, createPostgresStore } from "@logmk/workqueue-postgres";
import { createWorkQueueApp } from "../app.js";
import { bearerTokenAuth } from "../auth/bearer.js";
import { createWorkQueueMetrics } from "../metrics/metrics.js";
import { DEFAULT_TOKEN_COOKIE } from "../options.js";
import type { ServerConfig } from "./config.js";
import { openServerDatabase } from "./database.js";
import { ensureLogTable, fillDemoLogs, logTableExists } from "./demo-data.js";

/** Name of the cookie in which the queue page keeps the API token. */
export const TOKEN_COOKIE = DEFAULT_TOKEN_COOKIE;

const CLEANUP_INTERVAL_MS = 60 * 60_000;

export interface RunningServer {
  /** Base URL, such as `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  /**
   * Stops gracefully: no new connections, open event streams end, the running chunks finish and
   * their items go back to the queue, then the database closes. Safe to call twice.
   */
  close(): Promise<void>;
}

function listen(fetch: (request: Request) => Response | Promise<Response>, config: ServerConfig): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, port: config.port, hostname: config.host }, () => resolve(server));
    server.once("error", (error) => reject(new Error(`Cannot listen on ${config.host}:${config.port}: ${error.message}. Choose another PORT or stop what uses it.`, { cause: error })));
  });
}

/** Starts the reference server: database, queue, processor, HTTP app. */
export async function startReferenceServer(config: ServerConfig, logger: Logger): Promise<RunningServer> {
  const database = await openServerDatabase(config, logger);
  const closers: Array<() => Promise<void>> = [() => database.close()];
  const closeAll = async () => {
    for (const close of closers.reverse()) {
      await close().catch((error) => logger.error({ err: error }, `Closing failed: ${errorMessageOf(error)}`));
    }
  };

  try {
    if (database.embedded || config.demoData) {
      await ensureLogTable(database.sql, config.logSchema, config.logTable, logger);
    } else if (!(await logTableExists(database.sql, config.logSchema, config.logTable))) {
      throw new Error(`The log table ${config.logSchema}.${config.logTable} does not exist in ${database.description}. Set WORKQUEUE_LOG_TABLE to LogMk's log table, or WORKQUEUE_DEMO_DATA=on to create a demo one.`);
    }
    if (config.demoData) await fillDemoLogs(database.sql, config.logSchema, config.logTable, logger);

    const store = createPostgresStore({ connection: database.connection, schema: config.queueSchema, logger });
    closers.push(() => store.close());
    await store.migrate();
    const target = createPostgresLogTarget({ connection: database.connection, schema: config.logSchema, table: config.logTable, queueStore: store, logger });
    closers.push(() => target.close?.() ?? Promise.resolve());

    const offPeakWindow = config.offPeak;
    const queue = createWorkQueue({ store, handlers: [{ type: LOG_PURGE_TYPE, payloadSchema: LogPurgePayloadSchema }], offPeakWindow, defaultMaxAttempts: config.maxAttempts, logger });
    closers.push(() => queue.close());
    const metrics = createWorkQueueMetrics({ queue });

    let processor: Processor | undefined;
    if (config.processor) {
      processor = createProcessor({
        store,
        handlers: [
          createLogPurgeHandler({
            target,
            onChunk: metrics.observeChunk,
            // The first and the smallest chunk never start above the maximum.
            maxChunkSize: config.maxChunkSize,
            chunkSize: Math.min(config.chunkSize, config.maxChunkSize),
            minChunkSize: Math.min(500, config.chunkSize, config.maxChunkSize),
            targetChunkMs: config.chunkTargetMs,
          }),
        ],
        concurrency: config.concurrency,
        itemTimeoutMs: config.itemTimeoutMs,
        offPeakWindow,
        logger,
      });
    }

    const shutdown = new AbortController();
    const app = createWorkQueueApp({
      queue,
      logTarget: target,
      // An API-only replica reports its processor as absent, so health checks tell replicas apart.
      ...(processor ? { processor } : {}),
      metrics,
      logger,
      signal: shutdown.signal,
      pages: { tokenCookie: TOKEN_COOKIE },
      allowedOrigins: config.allowedOrigins,
      ...(config.apiToken ? { auth: bearerTokenAuth({ token: config.apiToken, cookieName: TOKEN_COOKIE }) } : {}),
    });

    const server = await listen(app.fetch, config);
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`;

    await processor?.start();
    const cleanupTimer = setInterval(() => {
      queue.cleanup().catch((error) => logger.error({ err: error }, `Retention cleanup failed: ${errorMessageOf(error)}`));
    }, CLEANUP_INTERVAL_MS);
    cleanupTimer.unref();

    logger.info({ url, database: database.description, processor: config.processor, auth: config.apiToken !== null }, `LogMk work queue listening on ${url}`);

    let closing: Promise<void> | undefined;
    return {
      url,
      port,
      close() {
        closing ??= (async () => {
          logger.info({}, "Shutting down");
          clearInterval(cleanupTimer);
          const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
          shutdown.abort();
          await processor?.stop();
          // Open keep-alive sockets still carry new requests, such as a page's event stream reconnecting
          // again and again, and would hold the close open. Every response that matters has ended by now.
          if ("closeAllConnections" in server) server.closeAllConnections();
          await stopped;
          await closeAll();
          logger.info({}, "Shut down");
        })();
        return closing;
      },
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
