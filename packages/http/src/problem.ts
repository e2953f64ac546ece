import type { WorkQueueErrorCode } from "@logmk/workqueue";

/**
 * Stable error codes of the HTTP API: the core's `WorkQueueError` codes plus the ones that only
 * HTTP has. Clients branch on `code`; `title` and `detail` are for people.
 */
export type ProblemCode =
  | WorkQueueErrorCode
  | "MALFORMED_JSON"
  | "UNSUPPORTED_MEDIA_TYPE"
  | "BODY_TOO_LARGE"
  | "UNAUTHORIZED"
  | "FORBIDDEN"
  | "ROUTE_NOT_FOUND"
  | "INTERNAL_ERROR";

/** Status and title of each code. STORE_FAILED is 503 because the store, not the request, is at fault. */
export const PROBLEM_CODES: Record<ProblemCode, { status: number; title: string }> = {
  VALIDATION_FAILED: { status: 400, title: "Invalid request" },
  MALFORMED_JSON: { status: 400, title: "Malformed JSON body" },
  UNAUTHORIZED: { status: 401, title: "Authentication required" },
  FORBIDDEN: { status: 403, title: "Forbidden" },
  NOT_FOUND: { status: 404, title: "Not found" },
  ROUTE_NOT_FOUND: { status: 404, title: "No such route" },
  CONFLICT: { status: 409, title: "Conflict" },
  INVALID_STATE: { status: 409, title: "Invalid state for this operation" },
  BODY_TOO_LARGE: { status: 413, title: "Request body too large" },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: "Unsupported media type" },
  QUEUE_FULL: { status: 429, title: "Queue full" },
  INTERNAL_ERROR: { status: 500, title: "Internal server error" },
  STORE_FAILED: { status: 503, title: "Store unavailable" },
};

export const PROBLEM_CONTENT_TYPE = "application/problem+json";

/** A field-level problem of a VALIDATION_FAILED response; `path` is dotted, empty for the body itself. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Body of every error response, as RFC 9457 defines it, plus `code`, `requestId` and extension members. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ProblemCode;
  requestId?: string;
  issues?: FieldIssue[];
  [extension: string]: unknown;
}

/** Returns the `type` URI of a code: a URN, because the problem types have no documentation pages of their own. */
export function problemType(code: ProblemCode): string {
  return `urn:logmk:workqueue:problem:${code.toLowerCase().replaceAll("_", "-")}`;
}

export interface HttpProblemOptions {
  issues?: FieldIssue[];
  /** Extra members of the body, such as `item` on a 409. */
  extensions?: Record<string, unknown>;
  /** Extra response headers, such as `Retry-After` or `WWW-Authenticate`. */
  headers?: Record<string, string>;
  cause?: unknown;
}

/** An error that becomes one `application/problem+json` response; its message is the `detail`. */
export class HttpProblem extends Error {
  override readonly name = "HttpProblem";
  readonly status: number;
  readonly issues: FieldIssue[] | undefined;
  readonly extensions: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    readonly code: ProblemCode,
    detail: string,
    options: HttpProblemOptions = {},
  ) {
    super(detail, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = PROBLEM_CODES[code].status;
    this.issues = options.issues;
    this.extensions = options.extensions ?? {};
    this.headers = options.headers ?? {};
  }

  /** Builds the response body, with the request id that the `X-Request-Id` header carries too. */
  toDetails(requestId: string | undefined): ProblemDetails {
    const details: ProblemDetails = {
      type: problemType(this.code),
      title: PROBLEM_CODES[this.code].title,
      status: this.status,
      detail: this.message,
      code: this.code,
    };
    if (requestId !== undefined) details.requestId = requestId;
    if (this.issues !== undefined && this.issues.length > 0) details.issues = this.issues;
    // An extension never overwrites a standard member.
    for (const [name, value] of Object.entries(this.extensions)) if (!(name in details)) details[name] = value;
    return details;
  }
}

/** Quotes a value from the request for an error message, cut short so that a huge value is not echoed back. */
export function quoteValue(value: string, maxLength = 80): string {
  const cut = value.length > maxLength ? `${value.slice(0, maxLength)}...` : value;
  return JSON.stringify(cut);
}
