import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.js";
import { HttpProblem } from "../problem.js";

/** The parts of a request that an auth hook receives. */
export interface AuthRequest {
  request: Request;
  method: string;
  /** Path below `basePath`, such as `/api/workqueue/7` or `/healthz`. */
  routePath: string;
  /** True for POST, PUT, PATCH and DELETE: the requests that change the queue. */
  mutating: boolean;
}

/** Why a request is rejected: 401 when credentials are missing or invalid, 403 when they do not allow it. */
export interface AuthDenial {
  status: 401 | 403;
  /** Message for the client: what is wrong and what to send instead. */
  detail: string;
  /** `WWW-Authenticate` header of a 401. @default `Bearer realm="logmk-workqueue"` */
  challenge?: string;
}

/** `true` lets the request through, and a denial rejects it with a 401 or 403 problem. */
export type AuthResult = true | AuthDenial;

/** Decides whether a request may proceed. It runs before the route, for every route of the app. */
export type AuthHook = (request: AuthRequest) => AuthResult | Promise<AuthResult>;

export const MUTATING_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export const DEFAULT_CHALLENGE = 'Bearer realm="logmk-workqueue"';

/**
 * Middleware that runs the auth hook and turns a denial into a problem response. Routes for which
 * `isPublic` returns true skip the hook, such as the login form that receives the token.
 */
export function authMiddleware(hook: AuthHook, basePath: string, isPublic: (method: string, routePath: string) => boolean = () => false): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const path = c.req.path;
    const routePath = basePath !== "" && path.startsWith(basePath) ? path.slice(basePath.length) || "/" : path;
    if (isPublic(c.req.method, routePath)) return next();
    const result = await hook({ request: c.req.raw, method: c.req.method, routePath, mutating: MUTATING_METHODS.has(c.req.method) });
    if (result === true) return next();

    if (result.status === 401) {
      throw new HttpProblem("UNAUTHORIZED", result.detail, { headers: { "WWW-Authenticate": result.challenge ?? DEFAULT_CHALLENGE } });
    }
    throw new HttpProblem("FORBIDDEN", result.detail);
  };
}
