/**
 * Sizes chunks toward a target duration. A size fixed in rows is too small for narrow rows on an
 * idle server and too large for wide rows on a busy one. Aiming at a duration bounds both the
 * time locks are held and the per-chunk overhead.
 */
export interface ChunkSizer {
  current(): number;
  /** Adjusts the size after a chunk that deleted `deleted` rows in `durationMs`. */
  observe(deleted: number, durationMs: number): void;
  /** Halves the size after a statement timeout. */
  shrink(): void;
}

export interface ChunkSizerOptions {
  initial: number;
  min: number;
  max: number;
  /** Target duration of one chunk in milliseconds; null keeps the size fixed except after timeouts. */
  targetMs: number | null;
}

export function createChunkSizer(options: ChunkSizerOptions): ChunkSizer {
  const clamp = (value: number) => Math.max(options.min, Math.min(options.max, Math.round(value)));
  let size = clamp(options.initial);

  return {
    current: () => size,
    observe(deleted, durationMs) {
      // A short last chunk shows little about the rate, so only full chunks move the size.
      if (options.targetMs === null || deleted < size) return;
      const ratio = options.targetMs / Math.max(1, durationMs);
      // Grow at most 2x and shrink at most 2x per chunk, so that one noisy chunk cannot swing it far.
      size = clamp(size * Math.max(0.5, Math.min(2, ratio)));
    },
    shrink() {
      size = clamp(size / 2);
    },
  };
}
