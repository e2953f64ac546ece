import { z } from "zod";
import { WorkQueueError } from "../errors.js";

const TIME_OF_DAY = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** A daily window of local wall-clock time in an IANA time zone, such as 01:00 to 05:00 in Europe/Berlin. */
export const OffPeakWindowOptionsSchema = z
  .object({
    /** Local start time, `HH:MM` in 24-hour form. */
    start: z.string().regex(TIME_OF_DAY, { error: "start must be a time of day in HH:MM form, such as 01:00" }),
    /** Local end time, `HH:MM`; an end before the start means the window runs past midnight. */
    end: z.string().regex(TIME_OF_DAY, { error: "end must be a time of day in HH:MM form, such as 05:00" }),
    /** IANA time zone name, such as `Europe/Berlin` or `UTC`. */
    timeZone: z.string().min(1),
  })
  .strict();

export type OffPeakWindowOptions = z.infer<typeof OffPeakWindowOptionsSchema>;

/**
 * A daily window in local time. Membership follows the local wall clock, so across a daylight
 * saving change the window is an hour shorter or longer in real time, as a person would expect.
 */
export interface OffPeakWindow {
  readonly options: OffPeakWindowOptions;
  /** Whether `instant` falls inside the window. */
  contains(instant: Date): boolean;
  /** The first instant at or after `from` that is inside the window. */
  nextStart(from: Date): Date;
  /** The first instant after `at` that is outside the window; `at` must be inside it. */
  endAfter(at: Date): Date;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(":").map(Number) as [number, number];
  return hours * 60 + minutes;
}

export function createOffPeakWindow(input: OffPeakWindowOptions): OffPeakWindow {
  const parsed = OffPeakWindowOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => issue.message).join("; ");
    throw new WorkQueueError("VALIDATION_FAILED", `Invalid off-peak window ${JSON.stringify(input)}: ${problems}.`);
  }
  const options = parsed.data;

  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone: options.timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  } catch (error) {
    throw new WorkQueueError("VALIDATION_FAILED", `Unknown time zone "${options.timeZone}" in the off-peak window; use an IANA name such as Europe/Berlin or UTC.`, { cause: error });
  }

  const startMinute = minutesOf(options.start);
  const endMinute = minutesOf(options.end);
  if (startMinute === endMinute) {
    throw new WorkQueueError("VALIDATION_FAILED", `The off-peak window starts and ends at ${options.start}; give an end different from the start.`);
  }

  /** Local wall-clock time of an instant, written as if it were a UTC epoch. */
  function localEpoch(instant: number): number {
    const parts: Record<string, number> = {};
    for (const part of format.formatToParts(new Date(instant))) {
      if (part.type !== "literal") parts[part.type] = Number(part.value);
    }
    return Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  }

  function minuteOfDay(instant: number): number {
    const local = localEpoch(instant);
    return Math.floor((((local % DAY) + DAY) % DAY) / MINUTE);
  }

  function contains(instant: number): boolean {
    const minute = minuteOfDay(instant);
    if (startMinute < endMinute) return minute >= startMinute && minute < endMinute;
    return minute >= startMinute || minute < endMinute;
  }

  /**
   * Instants at which the local clock shows `local` (a wall time as a UTC epoch): none, one, or
   * two when the clock is set back. A wall time skipped when the clock moves forward gives the
   * instant of the jump, the first moment the clock shows a later time.
   */
  function instantsAt(local: number): number[] {
    const offsets = new Set([localEpoch(local - 2 * DAY) - (local - 2 * DAY), localEpoch(local) - local, localEpoch(local + 2 * DAY) - (local + 2 * DAY)]);
    const candidates = [...offsets].map((offset) => local - offset).filter((instant) => localEpoch(instant) === local);
    if (candidates.length > 0) return candidates.sort((a, b) => a - b);

    // The wall time falls in a gap: find the first instant whose wall time is later.
    const bounds = [...offsets].map((offset) => local - offset);
    let low = Math.min(...bounds);
    let high = Math.max(...bounds);
    while (high - low > 1_000) {
      const middle = low + Math.floor((high - low) / 2);
      if (localEpoch(middle) >= local) high = middle;
      else low = middle;
    }
    return [high - (high % 1_000)];
  }

  /** Instants of the given local minute on the local dates around `around`. */
  function occurrences(around: number, minute: number): number[] {
    const local = localEpoch(around);
    const localMidnight = local - (((local % DAY) + DAY) % DAY);
    const found: number[] = [];
    for (let day = -1; day <= 2; day++) {
      found.push(...instantsAt(localMidnight + day * DAY + minute * MINUTE));
    }
    return found.sort((a, b) => a - b);
  }

  return {
    options,
    contains: (instant) => contains(instant.getTime()),
    nextStart(from) {
      const fromMs = from.getTime();
      if (contains(fromMs)) return new Date(fromMs);
      // Only a window that lies wholly inside a skipped hour has no start within two days, so look a week ahead.
      for (let searchFrom = fromMs; searchFrom < fromMs + 8 * DAY; searchFrom += 2 * DAY) {
        const start = occurrences(searchFrom, startMinute).find((instant) => instant > fromMs && contains(instant));
        if (start !== undefined) return new Date(start);
      }
      throw new WorkQueueError("VALIDATION_FAILED", `The off-peak window ${options.start}-${options.end} in ${options.timeZone} never opens; widen it.`);
    },
    endAfter(at) {
      const atMs = at.getTime();
      const end = occurrences(atMs, endMinute).find((instant) => instant > atMs && !contains(instant));
      return new Date(end ?? atMs);
    },
  };
}

/** Accepts a window or its options, as the queue and processor options do. */
export function toOffPeakWindow(window: OffPeakWindowOptions | OffPeakWindow | undefined): OffPeakWindow | undefined {
  if (window === undefined) return undefined;
  if ("contains" in window) return window;
  return createOffPeakWindow(window);
}
