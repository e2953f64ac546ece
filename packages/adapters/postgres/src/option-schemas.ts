import { silentLogger, type Logger } from "@logmk/workqueue";
import { z } from "zod";
import { connectionHint, isPostgresConnection, type PostgresConnection } from "./executor/connect.js";

/** Validates a connection option: URL, postgres.js client, PGlite database or SqlExecutor. */
export function connectionSchema(field: string) {
  return z.custom<PostgresConnection>(isPostgresConnection, { error: connectionHint(field) });
}

/** A pino-compatible logger, silent by default. */
export const LoggerSchema = z
  .custom<Logger>((value) => typeof value === "object" && value !== null && ["debug", "info", "warn", "error"].every((level) => typeof (value as Record<string, unknown>)[level] === "function"), {
    error: "logger must have pino's methods debug, info, warn and error",
  })
  .default(silentLogger);
