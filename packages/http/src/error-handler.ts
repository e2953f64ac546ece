import { type Clock, type Logger, errorMessageOf, isWorkQueueError, toItemResponse } from "@logmk/workqueue";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppEnv } from "./env.js";
import { HttpProblem, PROBLEM_CODES, PROBLEM_CONTENT_TYPE, type ProblemCode } from "./problem.js";

export interface ErrorHandlerOptions {
  logger: Logger;
  clock: Clock;
  retryAfterSeconds: number;
}

/** Renders a problem as a page for a browser navigation; undefined leaves it as problem JSON. */
export type ProblemPageRenderer = (c: Context<AppEnv>, problem: HttpProblem) => Response | undefined;

/** Codes for statuses that Hono's own middleware raises as `HTTPException`. */
const CODES_BY_STATUS: Record<number, ProblemCode> = {
  400: "VALIDATION_FAILED",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "ROUTE_NOT_FOUND",
  413: "BODY_TOO_LARGE",
  415: "UNSUPPORTED_MEDIA_TYPE",
};

/**
 * Converts any thrown value into the problem to send. Only 4xx problems carry the error's own
 * message. A 5xx gives only what to do and the request id, and the cause goes to the log.
 */
export function toHttpProblem(error: unknown, options: ErrorHandlerOptions, requestId: string): HttpProblem {
  if (error instanceof HttpProblem) return error;

  // A code this version does not know, from a store built against a newer core, is a server error.
  if (isWorkQueueError(error) && error.code in PROBLEM_CODES) {
    if (error.code === "STORE_FAILED") {
      return new HttpProblem("STORE_FAILED", `The work-queue store failed to answer; try again later, and quote request id ${requestId} when reporting it.`, { cause: error });
    }
    const extensions: Record<string, unknown> = { ...error.details };
    if (error.item) extensions["item"] = toItemResponse(error.item, options.clock.now());
    const headers: Record<string, string> = error.code === "QUEUE_FULL" ? { "Retry-After": String(options.retryAfterSeconds) } : {};
    return new HttpProblem(error.code, error.message, { issues: [...error.issues], extensions, headers, cause: error });
  }

  if (error instanceof HTTPException) {
    const code = CODES_BY_STATUS[error.status];
    if (code) return new HttpProblem(code, error.message || `The request was rejected with status ${error.status}.`, { cause: error });
  }

  return new HttpProblem("INTERNAL_ERROR", `The server failed to handle the request; quote request id ${requestId} when reporting it.`, { cause: error });
}

/** Writes a problem as an `application/problem+json` response. */
export function problemResponse(c: Context<AppEnv>, problem: HttpProblem): Response {
  const requestId = c.get("requestId");
  const response = c.json(problem.toDetails(requestId), problem.status as 400);
  response.headers.set("Content-Type", PROBLEM_CONTENT_TYPE);
  for (const [name, value] of Object.entries(problem.headers)) response.headers.set(name, value);
  return response;
}

/**
 * Creates the Hono `onError` handler: every error becomes a problem response (or, through
 * `renderPage`, an HTML page for a browser navigation), and every 5xx is logged with the request id.
 */
export function createErrorHandler(options: ErrorHandlerOptions, renderPage?: ProblemPageRenderer): ErrorHandler<AppEnv> {
  return (error, c) => {
    const requestId = c.get("requestId");
    const problem = toHttpProblem(error, options, requestId);
    const fields = { err: error, requestId, method: c.req.method, path: c.req.path, status: problem.status, code: problem.code };
    if (problem.status >= 500) options.logger.error(fields, `${c.req.method} ${c.req.path} failed with ${problem.status}: ${errorMessageOf(error)}`);
    else options.logger.debug(fields, `${c.req.method} ${c.req.path} rejected with ${problem.status}: ${problem.message}`);
    return renderPage?.(c, problem) ?? problemResponse(c, problem);
  };
}

/** Creates the Hono `notFound` handler: an unknown route is a 404 problem naming the method, the path and the route list. */
export function createNotFoundHandler(basePath: string, renderPage?: ProblemPageRenderer): NotFoundHandler<AppEnv> {
  return (c) => {
    const detail = `No route matches ${c.req.method} ${c.req.path}; ${basePath}/openapi.json lists the routes.`;
    const problem = new HttpProblem("ROUTE_NOT_FOUND", detail);
    return renderPage?.(c, problem) ?? problemResponse(c, problem);
  };
}
