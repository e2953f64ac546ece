import { z } from "zod";
import { DEFAULTS } from "../model/limits.js";

export const BackoffOptionsSchema = z
  .object({
    /** Delay before the second attempt, in milliseconds. @default 5000 */
    baseMs: z.number().int().nonnegative().default(DEFAULTS.backoffBaseMs),
    /** Largest delay, in milliseconds. @default 600000 (10 minutes) */
    maxMs: z.number().int().nonnegative().default(DEFAULTS.backoffMaxMs),
    /** Random spread as a fraction of the delay: 0.2 means ±20 %. @default 0.2 */
    jitter: z.number().min(0).max(1).default(DEFAULTS.backoffJitter),
  })
  .strict();

export type BackoffOptions = z.input<typeof BackoffOptionsSchema>;
export type ResolvedBackoff = z.output<typeof BackoffOptionsSchema>;

/**
 * Delay before the next attempt after `attempts` failed ones: the base doubled per attempt,
 * capped at the maximum, then spread by the jitter so that failing workers do not retry in step.
 */
export function backoffDelay(attempts: number, backoff: ResolvedBackoff, random: () => number = Math.random): number {
  const exponent = Math.max(0, attempts - 1);
  const delay = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(exponent, 30));
  const spread = delay * backoff.jitter * (random() * 2 - 1);
  return Math.max(0, Math.round(delay + spread));
}
