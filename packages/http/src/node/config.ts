import { parseArgs } from "node:util";
import { z } from "zod";

/** Settings of the reference server, from environment variables and command-line flags. */
export interface ServerConfig {
  port: number;
  host: string;
  /** A Postgres server; null runs the embedded PGlite database in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  /** Bearer token for mutating routes; null leaves the API open. */
  apiToken: string | null;
  processor: boolean;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  demoData: boolean;
  /** Schema and table of the log table. */
  logSchema: string;
  logTable: string;
  offPeak: { start: string; end: string; timeZone: string };
  concurrency: number;
  /** Time limit of one attempt at an item, in milliseconds. */
  itemTimeoutMs: number;
  /** Attempts per item before it ends FAILED. */
  maxAttempts: number;
  /** Schema of the queue's tables. */
  queueSchema: string;
  /** Rows in a purge's first chunk. */
  chunkSize: number;
  /** Chunk duration the purge aims at, in milliseconds; null keeps `chunkSize` fixed. */
  chunkTargetMs: number | null;
  /** Largest number of rows one purge chunk deletes. */
  maxChunkSize: number;
  /** Origins, besides the server's own, from which browsers may send changes, such as a reverse proxy's public address. */
  allowedOrigins: string[];
}

interface Setting {
  env: string;
  flag: string;
  help: string;
  valueName?: string;
}

/** Every setting, in the order `--help` lists them. Flags win over environment variables. */
export const SETTINGS: Record<string, Setting> = {
  port: { env: "PORT", flag: "port", valueName: "NUMBER", help: "TCP port to listen on (default 8080; 0 picks a free one)" },
  host: { env: "HOST", flag: "host", valueName: "ADDRESS", help: "address to listen on (default 127.0.0.1; use 0.0.0.0 in containers)" },
  databaseUrl: { env: "DATABASE_URL", flag: "database-url", valueName: "URL", help: "postgres:// URL of a Postgres server (default: the embedded PGlite database in the data folder)" },
  dataDir: { env: "WORKQUEUE_DATA_DIR", flag: "data-dir", valueName: "PATH", help: "folder of the embedded database (default .data/)" },
  apiToken: { env: "WORKQUEUE_API_TOKEN", flag: "api-token", valueName: "TOKEN", help: "bearer token of at least 16 characters required by mutating routes (default: none, the API is open); prefer the variable, since flags show in process lists" },
  allowedOrigins: { env: "WORKQUEUE_ALLOWED_ORIGINS", flag: "allowed-origins", valueName: "ORIGINS", help: "comma-separated origins, besides the server's own, from which browsers may purge, cancel and retry, such as a reverse proxy's https://logs.example.com (default: none)" },
  processor: { env: "WORKQUEUE_PROCESSOR", flag: "processor", valueName: "on|off", help: "whether this instance runs queued items (default on; off for API-only replicas)" },
  logLevel: { env: "LOG_LEVEL", flag: "log-level", valueName: "LEVEL", help: "fatal, error, warn, info, debug, trace or silent (default info)" },
  demoData: { env: "WORKQUEUE_DEMO_DATA", flag: "demo-data", valueName: "on|off", help: "fill an empty log table with demo logs on start (default on for the embedded database, off with DATABASE_URL)" },
  logTableName: { env: "WORKQUEUE_LOG_TABLE", flag: "log-table", valueName: "SCHEMA.TABLE", help: "the LogMk log table (default public.Log)" },
  offPeakWindow: { env: "WORKQUEUE_OFF_PEAK", flag: "off-peak", valueName: "HH:MM-HH:MM ZONE", help: 'daily window for purges queued with schedule "off-peak" (default "01:00-05:00 UTC")' },
  concurrency: { env: "WORKQUEUE_CONCURRENCY", flag: "concurrency", valueName: "NUMBER", help: "items this instance runs at once (default 2)" },
  itemTimeoutMs: { env: "WORKQUEUE_ITEM_TIMEOUT_MS", flag: "item-timeout-ms", valueName: "MS", help: "time limit of one attempt at an item, in milliseconds (default 3600000, 1 hour)" },
  maxAttempts: { env: "WORKQUEUE_MAX_ATTEMPTS", flag: "max-attempts", valueName: "NUMBER", help: "attempts per item before it ends FAILED (default 5)" },
  queueSchema: { env: "WORKQUEUE_SCHEMA", flag: "schema", valueName: "NAME", help: "schema of the queue's tables, created when missing (default workqueue)" },
  chunkSize: { env: "WORKQUEUE_CHUNK_SIZE", flag: "chunk-size", valueName: "ROWS", help: "rows in a purge's first chunk (default 10000)" },
  chunkTargetMs: { env: "WORKQUEUE_CHUNK_TARGET_MS", flag: "chunk-target-ms", valueName: "MS", help: "chunk duration a purge aims at, in milliseconds; 0 keeps the chunk size fixed (default 100)" },
  maxChunkSize: { env: "WORKQUEUE_MAX_CHUNK_SIZE", flag: "max-chunk-size", valueName: "ROWS", help: "largest number of log rows one purge chunk deletes (default 100000; chunks adapt below it)" },
};

const onOff = (field: string) =>
  z
    .string()
    .transform((value) => value.trim().toLowerCase())
    .refine((value) => ["on", "off", "true", "false", "1", "0", "yes", "no"].includes(value), { error: `${field} must be on or off` })
    .transform((value) => ["on", "true", "1", "yes"].includes(value));

/** Returns whether `value` is an origin as browsers send it: scheme, host and optional port, nothing more. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.origin === value;
  } catch {
    return false;
  }
}

const RawConfigSchema = z.object({
  port: z.coerce.number({ error: "PORT must be a number" }).int().min(0, { error: "PORT must be between 0 and 65535" }).max(65_535, { error: "PORT must be between 0 and 65535" }).default(8080),
  host: z.string().min(1).default("127.0.0.1"),
  databaseUrl: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: "DATABASE_URL must be a postgres:// URL, such as postgres://user@127.0.0.1:5432/logmk" })
    .optional(),
  dataDir: z.string().min(1).default(".data"),
  apiToken: z.string().min(16, { error: "WORKQUEUE_API_TOKEN must be at least 16 characters; generate one with: openssl rand -hex 32" }).optional(),
  allowedOrigins: z
    .string()
    .transform((value) => value.split(",").map((origin) => origin.trim()).filter((origin) => origin !== ""))
    .check((context) => {
      for (const origin of context.value) {
        if (!isOrigin(origin)) context.issues.push({ code: "custom", input: context.value, message: `WORKQUEUE_ALLOWED_ORIGINS contains "${origin}", which is not an origin; give scheme, host and port only, such as https://logs.example.com` });
      }
    })
    .default([]),
  processor: onOff("WORKQUEUE_PROCESSOR").default(true),
  logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], { error: "LOG_LEVEL must be fatal, error, warn, info, debug, trace or silent" }).default("info"),
  demoData: onOff("WORKQUEUE_DEMO_DATA").optional(),
  logTableName: z
    .string()
    .regex(/^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$/, { error: "WORKQUEUE_LOG_TABLE must be TABLE or SCHEMA.TABLE, letters, digits and underscores, such as public.Log" })
    .default("public.Log"),
  offPeakWindow: z
    .string()
    .regex(/^\d{2}:\d{2}-\d{2}:\d{2} \S+$/, { error: 'WORKQUEUE_OFF_PEAK must be "HH:MM-HH:MM ZONE", such as "01:00-05:00 Europe/Berlin"' })
    .default("01:00-05:00 UTC"),
  concurrency: z.coerce.number({ error: "WORKQUEUE_CONCURRENCY must be a number" }).int().min(1, { error: "WORKQUEUE_CONCURRENCY must be at least 1" }).max(64, { error: "WORKQUEUE_CONCURRENCY must be at most 64" }).default(2),
  itemTimeoutMs: z.coerce.number({ error: "WORKQUEUE_ITEM_TIMEOUT_MS must be a number of milliseconds" }).int().min(1, { error: "WORKQUEUE_ITEM_TIMEOUT_MS must be at least 1" }).default(3_600_000),
  maxAttempts: z.coerce.number({ error: "WORKQUEUE_MAX_ATTEMPTS must be a number" }).int().min(1, { error: "WORKQUEUE_MAX_ATTEMPTS must be between 1 and 100" }).max(100, { error: "WORKQUEUE_MAX_ATTEMPTS must be between 1 and 100" }).default(5),
  queueSchema: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,51}$/, { error: "WORKQUEUE_SCHEMA must be letters, digits and underscores, at most 52 characters, such as workqueue" }).default("workqueue"),
  chunkSize: z.coerce.number({ error: "WORKQUEUE_CHUNK_SIZE must be a number of rows" }).int().min(1, { error: "WORKQUEUE_CHUNK_SIZE must be at least 1" }).max(1_000_000, { error: "WORKQUEUE_CHUNK_SIZE must be at most 1000000" }).default(10_000),
  chunkTargetMs: z.coerce.number({ error: "WORKQUEUE_CHUNK_TARGET_MS must be a number of milliseconds" }).int().min(0, { error: "WORKQUEUE_CHUNK_TARGET_MS must be 0 or more" }).default(100),
  maxChunkSize: z.coerce.number({ error: "WORKQUEUE_MAX_CHUNK_SIZE must be a number of rows" }).int({ error: "WORKQUEUE_MAX_CHUNK_SIZE must be a whole number of rows" }).min(1, { error: "WORKQUEUE_MAX_CHUNK_SIZE must be at least 1" }).default(100_000),
});

/** A problem with the configuration, reported as one line with the fix; the CLI exits with status 2. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export type ConfigResult = { kind: "help"; text: string } | { kind: "config"; config: ServerConfig };

/** Reads the configuration from flags, then environment variables, then defaults. */
export function readConfig(argv: readonly string[], env: Record<string, string | undefined>): ConfigResult {
  const options = Object.fromEntries(Object.values(SETTINGS).map((setting) => [setting.flag, { type: "string" as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: "boolean", short: "h" } }, strict: true, allowPositionals: false });
  } catch (error) {
    throw new ConfigError(`${(error as Error).message}. Run with --help to list the settings.`);
  }
  if (parsed.values.help) return { kind: "help", text: helpText() };

  const raw: Record<string, string | undefined> = {};
  for (const [key, setting] of Object.entries(SETTINGS)) {
    const fromFlag = (parsed.values as Record<string, string | boolean | undefined>)[setting.flag];
    const fromEnv = env[setting.env];
    // An empty variable counts as unset, as shells and compose files often leave them.
    if (typeof fromFlag === "string") raw[key] = fromFlag;
    else raw[key] = fromEnv === "" ? undefined : fromEnv;
  }

  const result = RawConfigSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => issue.message).join("; "));
  }
  const values = result.data;

  const [windowTimes, timeZone] = values.offPeakWindow.split(" ") as [string, string];
  const [start, end] = windowTimes.split("-") as [string, string];
  const [schemaPart, tablePart] = values.logTableName.includes(".") ? values.logTableName.split(".") : ["public", values.logTableName];

  return {
    kind: "config",
    config: {
      port: values.port,
      host: values.host,
      databaseUrl: values.databaseUrl ?? null,
      dataDir: values.dataDir,
      apiToken: values.apiToken ?? null,
      processor: values.processor,
      logLevel: values.logLevel,
      // Demo logs are for trying the embedded database; a real server gets them only when asked.
      demoData: values.demoData ?? values.databaseUrl === undefined,
      logSchema: schemaPart!,
      logTable: tablePart!,
      offPeak: { start, end, timeZone },
      concurrency: values.concurrency,
      itemTimeoutMs: values.itemTimeoutMs,
      maxAttempts: values.maxAttempts,
      queueSchema: values.queueSchema,
      chunkSize: values.chunkSize,
      chunkTargetMs: values.chunkTargetMs === 0 ? null : values.chunkTargetMs,
      maxChunkSize: values.maxChunkSize,
      allowedOrigins: values.allowedOrigins,
    },
  };
}

export function helpText(): string {
  const flags = Object.values(SETTINGS).map((setting) => `--${setting.flag}${setting.valueName ? ` ${setting.valueName}` : ""}`);
  const flagWidth = Math.max(...flags.map((flag) => flag.length), "--help, -h".length);
  const envWidth = Math.max(...Object.values(SETTINGS).map((setting) => setting.env.length));
  const row = (flag: string, env: string, help: string) => `  ${flag.padEnd(flagWidth)}  ${env.padEnd(envWidth)}  ${help}`;

  return [
    "logmk-workqueue: the LogMk work queue's reference server (REST API, Server-Sent Events, queue page and purge screen).",
    "",
    "Usage: logmk-workqueue [flags]",
    "",
    "Each setting is a flag or an environment variable; the flag wins.",
    "",
    row("FLAG", "VARIABLE", "MEANING"),
    ...Object.values(SETTINGS).map((setting, index) => row(flags[index]!, setting.env, setting.help)),
    row("--help, -h", "", "print this text"),
    "",
    "Stop it with Ctrl-C or SIGTERM: the running chunk finishes, its item goes back to the queue, and the process exits.",
  ].join("\n");
}
