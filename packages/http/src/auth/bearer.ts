import { WorkQueueError } from "@logmk/workqueue";
import { z } from "zod";
import { DEFAULT_CHALLENGE, type AuthHook, type AuthRequest } from "./hook.js";

export interface BearerTokenAuthOptions {
  /** The shared secret that clients send as `Authorization: Bearer <token>`. */
  token: string;
  /**
   * Requests that need the token: `mutating` (POST, PUT, PATCH, DELETE) or `all`. `GET /healthz`
   * stays open either way, so that load balancers can probe without the secret.
   * @default "mutating"
   */
  protect?: "mutating" | "all";
  /**
   * Name of a cookie that may carry the token instead of the header, for a browser page that keeps
   * it in an HttpOnly, SameSite=Strict cookie. @default none: only the header is read
   */
  cookieName?: string;
}

const encoder = new TextEncoder();

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await globalThis.crypto.subtle.digest("SHA-256", encoder.encode(text)));
}

/**
 * Compares two digests in time that does not depend on where they differ. Comparing digests
 * instead of the tokens themselves also hides the token's length.
 */
function digestsEqual(a: Uint8Array, b: Uint8Array): boolean {
  let difference = a.length ^ b.length;
  for (let index = 0; index < a.length && index < b.length; index++) difference |= a[index]! ^ b[index]!;
  return difference === 0;
}

function bearerTokenOf(request: Request): string | undefined {
  const header = request.headers.get("Authorization");
  if (header === null) return undefined;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match ? match[1] : "";
}

function cookieValue(request: Request, name: string): string | undefined {
  const header = request.headers.get("Cookie");
  if (header === null) return undefined;
  for (const part of header.split(";")) {
    const separator = part.indexOf("=");
    if (separator === -1 || part.slice(0, separator).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(separator + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const OptionsSchema = z
  .object({
    token: z
      .string({ error: "token must be a string, such as 32 random bytes in base64url" })
      .regex(/^\S+$/, { error: "token must be a non-empty string without spaces, such as 32 random bytes in base64url" }),
    protect: z.enum(["mutating", "all"], { error: 'protect must be "mutating" or "all"' }).default("mutating"),
    cookieName: z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/, { error: "cookieName must be a cookie name without spaces, separators or quotes" }).optional(),
  })
  .strict();

/** Creates an auth hook that requires a bearer token, compared in constant time. */
export function bearerTokenAuth(options: BearerTokenAuthOptions): AuthHook {
  const parsed = OptionsSchema.safeParse(options ?? {});
  if (!parsed.success) {
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid bearerTokenAuth options: ${parsed.error.issues.map((issue) => issue.message).join("; ")}.`, { cause: parsed.error });
  }
  const { protect, cookieName } = parsed.data;
  const expected = sha256(parsed.data.token);

  return async (request: AuthRequest) => {
    if (request.routePath === "/healthz") return true;
    if (protect === "mutating" && !request.mutating) return true;

    const fromHeader = bearerTokenOf(request.request);
    const given = fromHeader || (cookieName === undefined ? undefined : cookieValue(request.request, cookieName));
    if (given === undefined || given === "") {
      const detail = fromHeader === ""
        ? "The Authorization header is not a bearer token; send Authorization: Bearer <token>."
        : "This request needs the API token; send it as Authorization: Bearer <token>.";
      return { status: 401, detail, challenge: DEFAULT_CHALLENGE };
    }

    if (!digestsEqual(await sha256(given), await expected)) {
      return { status: 401, detail: "The API token is not valid; send the token the service was configured with.", challenge: `${DEFAULT_CHALLENGE}, error="invalid_token"` };
    }
    return true;
  };
}
