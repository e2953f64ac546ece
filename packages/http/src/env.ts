import type { RequestIdVariables } from "hono/request-id";

/** Hono environment of the app: the request id that the request-id middleware sets. */
export type AppEnv = { Variables: RequestIdVariables };
