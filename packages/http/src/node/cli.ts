#!/usr/bin/env node
import { errorMessageOf } from "@logmk/workqueue";
import { pino } from "pino";
import { ConfigError, readConfig } from "./config.js";
import { startReferenceServer, type RunningServer } from "./server.js";

/** Maximum time a graceful stop may take before the process exits anyway, in milliseconds. */
const SHUTDOWN_DEADLINE_MS = 45_000;

async function main(): Promise<void> {
  let result;
  try {
    result = readConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`logmk-workqueue: ${error.message}\n`);
    process.exit(2);
  }
  if (result.kind === "help") {
    process.stdout.write(`${result.text}\n`);
    return;
  }

  const { config } = result;
  const logger = pino({ level: config.logLevel, base: { service: "logmk-workqueue" } });

  // Signals are handled from the start: a Ctrl-C while the database opens or the demo logs are
  // written lets the start-up finish and then stops gracefully, instead of killing the process
  // with the embedded database open.
  let server: RunningServer | undefined;
  let stopSignal: NodeJS.Signals | undefined;
  const closeAndExit = (running: RunningServer) => {
    running.close().then(
      () => process.exit(0),
      (error) => {
        logger.error({ err: error }, `Stopping failed: ${errorMessageOf(error)}`);
        process.exit(1);
      },
    );
  };
  const stop = (signal: NodeJS.Signals) => {
    // A second signal must not kill the process halfway through closing the embedded database.
    if (stopSignal !== undefined) {
      logger.info({ signal }, `Received ${signal} again; still stopping (SIGKILL stops at once)`);
      return;
    }
    stopSignal = signal;
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, "Graceful stop took too long; exiting");
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    if (server === undefined) {
      logger.info({ signal }, `Received ${signal} while starting; stopping once the start-up ends`);
      return;
    }
    logger.info({ signal }, `Received ${signal}, stopping`);
    closeAndExit(server);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);

  try {
    server = await startReferenceServer(config, logger);
  } catch (error) {
    logger.fatal({ err: error }, `The server could not start: ${errorMessageOf(error)}`);
    process.exitCode = 1;
    return;
  }
  if (stopSignal !== undefined) {
    closeAndExit(server);
    return;
  }
  process.stdout.write(`LogMk work queue: ${server.url}/queue (API at ${server.url}/api/workqueue)\n`);
}

await main();
