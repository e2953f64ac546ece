/**
 * Time source of the processor's timers. Tests pass a manual clock so that polling,
 * heartbeats, backoff and off-peak windows run without real waiting.
 */
export interface Clock {
  now(): Date;
  /** Calls `callback` after `ms` milliseconds; the returned function cancels it. */
  setTimer(callback: () => void, ms: number): () => void;
}

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(callback, ms) {
    const handle = setTimeout(callback, Math.max(0, ms));
    return () => clearTimeout(handle);
  },
};

/**
 * Resolves after `ms` on `clock`, or rejects with the signal's reason once `signal` aborts.
 */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      cancelTimer();
      reject(signal?.reason);
    };
    const cancelTimer = clock.setTimer(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A clock that moves only when `advance` is called, for deterministic tests. */
export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order, and lets their promise callbacks run. */
  advance(ms: number): Promise<void>;
  /** Lets pending promise callbacks run without moving time. */
  flush(): Promise<void>;
  /** Number of timers not yet fired. */
  pendingTimers(): number;
}

export function createManualClock(start: Date | string = "2026-01-01T00:00:00Z"): ManualClock {
  let current = new Date(start).getTime();
  let sequence = 0;
  const timers = new Map<number, { at: number; callback: () => void }>();

  const flush = async () => {
    // Several macrotask turns, so chains of awaits started by a timer settle before the next one fires.
    for (let turn = 0; turn < 20; turn++) await new Promise<void>((resolve) => setImmediateOrTimeout(resolve));
  };

  return {
    now: () => new Date(current),
    setTimer(callback, ms) {
      const id = ++sequence;
      timers.set(id, { at: current + Math.max(0, ms), callback });
      return () => timers.delete(id);
    },
    async advance(ms) {
      const target = current + ms;
      await flush();
      for (;;) {
        let nextId: number | undefined;
        let nextAt = Infinity;
        for (const [id, timer] of timers) {
          if (timer.at <= target && (timer.at < nextAt || (timer.at === nextAt && id < (nextId ?? Infinity)))) {
            nextId = id;
            nextAt = timer.at;
          }
        }
        if (nextId === undefined) break;
        const timer = timers.get(nextId)!;
        timers.delete(nextId);
        current = Math.max(current, timer.at);
        timer.callback();
        await flush();
      }
      current = target;
      await flush();
    },
    flush,
    pendingTimers: () => timers.size,
  };
}

/**
 * Resolves in a later event-loop turn, so that I/O waiting behind a chain of promise callbacks gets
 * its turn. An in-process database such as PGlite answers through promise callbacks only, so a
 * loop of statements would otherwise keep sockets and timers waiting until the loop ends.
 */
export function nextEventLoopTurn(): Promise<void> {
  return new Promise((resolve) => {
    setImmediateOrTimeout(resolve);
  });
}

/**
 * Runs `callback` in a later event-loop turn: with `setImmediate` where the runtime has it (it is
 * not a web standard), else with a zero timeout. Returns a function that cancels it.
 */
export function setImmediateOrTimeout(callback: () => void): () => void {
  const runtime = globalThis as { setImmediate?: (cb: () => void) => unknown; clearImmediate?: (handle: unknown) => void };
  if (runtime.setImmediate && runtime.clearImmediate) {
    const handle = runtime.setImmediate(callback);
    return () => runtime.clearImmediate!(handle);
  }
  const handle = setTimeout(callback, 0);
  return () => clearTimeout(handle);
}
