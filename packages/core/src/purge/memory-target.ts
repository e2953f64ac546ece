import { type Clock, systemClock } from "../clock.js";
import type { WorkQueueStore } from "../store/port.js";
import type { ChunkErrorKind, ChunkResult, DeleteChunkParams, LogPurgeTarget, PodSummary, PurgeRange } from "./target.js";

/** Error with a transient kind, thrown by the fault hook of the memory target to imitate a database. */
export class MemoryTargetError extends Error {
  override readonly name = "MemoryTargetError";
  constructor(
    readonly kind: ChunkErrorKind,
    message: string = `simulated ${kind}`,
  ) {
    super(message);
  }
}

export interface MemoryLogRow {
  id: number;
  deployment: string;
  podName: string;
  timestamp: Date;
}

/** Keyset cursor of the memory target: the last (timestamp, id) the walk passed. */
interface MemoryCursor {
  t: number;
  id: number;
}

/** Rows of one (deployment, pod), sorted by (timestamp, id), in typed arrays so millions fit. */
class PodRows {
  timestamps = new Float64Array(1024);
  ids = new Float64Array(1024);
  deleted = new Uint8Array(1024);
  length = 0;
  live = 0;
  sorted = true;

  add(timestamp: number, id: number): void {
    if (this.length === this.ids.length) this.grow();
    const last = this.length - 1;
    if (last >= 0 && (this.timestamps[last]! > timestamp || (this.timestamps[last] === timestamp && this.ids[last]! > id))) this.sorted = false;
    this.timestamps[this.length] = timestamp;
    this.ids[this.length] = id;
    this.deleted[this.length] = 0;
    this.length++;
    this.live++;
  }

  private grow(): void {
    const capacity = this.ids.length * 2;
    const timestamps = new Float64Array(capacity);
    const ids = new Float64Array(capacity);
    const deleted = new Uint8Array(capacity);
    timestamps.set(this.timestamps);
    ids.set(this.ids);
    deleted.set(this.deleted);
    this.timestamps = timestamps;
    this.ids = ids;
    this.deleted = deleted;
  }

  ensureSorted(): void {
    if (this.sorted) return;
    const order = Array.from({ length: this.length }, (_, index) => index);
    order.sort((a, b) => this.timestamps[a]! - this.timestamps[b]! || this.ids[a]! - this.ids[b]!);
    const timestamps = new Float64Array(this.ids.length);
    const ids = new Float64Array(this.ids.length);
    const deleted = new Uint8Array(this.ids.length);
    order.forEach((from, to) => {
      timestamps[to] = this.timestamps[from]!;
      ids[to] = this.ids[from]!;
      deleted[to] = this.deleted[from]!;
    });
    this.timestamps = timestamps;
    this.ids = ids;
    this.deleted = deleted;
    this.sorted = true;
  }

  /** Index of the first row after (timestamp, id) in key order. */
  firstAfter(timestamp: number, id: number): number {
    let low = 0;
    let high = this.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const t = this.timestamps[middle]!;
      if (t < timestamp || (t === timestamp && this.ids[middle]! <= id)) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

export interface MemoryLogTargetOptions {
  /** Clock that plays the database's time. @default the system clock */
  clock?: Clock;
  /**
   * A store whose progress writes run "in the same transaction" as each chunk: a write that does
   * not apply undoes the chunk's deletes, as a database rollback would.
   */
  transactionalStore?: WorkQueueStore;
  /** Called before each chunk; throw a {@link MemoryTargetError} to imitate a transient database error. */
  beforeChunk?: (info: { chunk: number; limit: number; cursor: unknown }) => void | Promise<void>;
  maxChunkSize?: number;
}

/** In-memory log table for tests and examples, with a memory target's view of it. */
export interface MemoryLogTarget extends LogPurgeTarget {
  insert(row: MemoryLogRow): void;
  /** Adds `count` rows of one pod with timestamps spread evenly over [from, to), returning the ids used. */
  generate(params: { deployment: string; podName: string; count: number; from: Date; to: Date }): { firstId: number; lastId: number };
  /** Rows left that match `filter`, for checking the result of a purge. */
  countRows(filter?: Partial<PurgeRange>): number;
  /** Number of chunks deleted so far. */
  chunkCount(): number;
}

export function createMemoryLogTarget(options: MemoryLogTargetOptions = {}): MemoryLogTarget {
  const clock = options.clock ?? systemClock;
  const pods = new Map<string, { deployment: string; podName: string; rows: PodRows }>();
  let lastId = 0;
  let chunks = 0;

  const keyOf = (deployment: string | null, podName: string) => `${deployment ?? ""}\u0000${podName}`;

  function rowsOf(deployment: string, podName: string): PodRows {
    const key = keyOf(deployment, podName);
    let entry = pods.get(key);
    if (!entry) {
      entry = { deployment, podName, rows: new PodRows() };
      pods.set(key, entry);
    }
    return entry.rows;
  }

  const matches = (rows: PodRows, index: number, range: Partial<PurgeRange>) => {
    const t = rows.timestamps[index]!;
    if (rows.deleted[index]) return false;
    if (range.from != null && t < range.from.getTime()) return false;
    if (range.to != null && t >= range.to.getTime()) return false;
    if (range.maxId != null && rows.ids[index]! > range.maxId) return false;
    return true;
  };

  const target: MemoryLogTarget = {
    name: "memory",
    ...(options.maxChunkSize === undefined ? {} : { maxChunkSize: options.maxChunkSize }),

    insert(row) {
      lastId = Math.max(lastId, row.id);
      rowsOf(row.deployment, row.podName).add(row.timestamp.getTime(), row.id);
    },

    generate({ deployment, podName, count, from, to }) {
      const rows = rowsOf(deployment, podName);
      const firstId = lastId + 1;
      const span = to.getTime() - from.getTime();
      for (let index = 0; index < count; index++) {
        rows.add(from.getTime() + Math.floor((span * index) / count), ++lastId);
      }
      return { firstId, lastId };
    },

    countRows(filter = {}) {
      let count = 0;
      for (const entry of pods.values()) {
        if (filter.podName !== undefined && entry.podName !== filter.podName) continue;
        if (filter.deployment != null && entry.deployment !== filter.deployment) continue;
        for (let index = 0; index < entry.rows.length; index++) if (matches(entry.rows, index, filter)) count++;
      }
      return count;
    },

    chunkCount: () => chunks,

    async now() {
      return clock.now();
    },

    async findPod({ podName }) {
      const deployments = [...pods.values()].filter((entry) => entry.podName === podName && entry.rows.live > 0).map((entry) => entry.deployment);
      return { exists: deployments.length > 0, deployments: [...new Set(deployments)].sort() };
    },

    async maxLogId() {
      return lastId === 0 ? null : lastId;
    },

    async estimateRows(range) {
      // Exact here, since counting memory is cheap; database targets estimate from statistics.
      return target.countRows(range);
    },

    async deleteChunk(params: DeleteChunkParams): Promise<ChunkResult> {
      await options.beforeChunk?.({ chunk: chunks + 1, limit: params.limit, cursor: params.cursor });
      const { range } = params;
      const rows = pods.get(keyOf(range.deployment, range.podName))?.rows;
      // No maxId means the table was empty at enqueue, so every row now was written later.
      if (!rows || range.maxId === null) return { deleted: 0, cursor: params.cursor, done: true };
      rows.ensureSorted();

      const cursor = params.cursor as MemoryCursor | null;
      let index = cursor ? rows.firstAfter(cursor.t, cursor.id) : range.from ? rows.firstAfter(range.from.getTime(), -Infinity) : 0;
      const toMs = range.to.getTime();
      const deletedIndexes: number[] = [];
      let next: MemoryCursor | null = cursor;

      while (index < rows.length && deletedIndexes.length < params.limit && rows.timestamps[index]! < toMs) {
        if (matches(rows, index, range)) {
          rows.deleted[index] = 1;
          deletedIndexes.push(index);
        }
        next = { t: rows.timestamps[index]!, id: rows.ids[index]! };
        index++;
      }
      const done = index >= rows.length || rows.timestamps[index]! >= toMs;
      rows.live -= deletedIndexes.length;
      chunks++;

      const result: ChunkResult = { deleted: deletedIndexes.length, cursor: next, done };
      if (params.progress && options.transactionalStore) {
        const write = await options.transactionalStore.reportProgress(params.progress(deletedIndexes.length, next, done));
        if (!write.applied) {
          // Roll back, as the database would when the fenced update matched no row.
          for (const deletedIndex of deletedIndexes) rows.deleted[deletedIndex] = 0;
          rows.live += deletedIndexes.length;
          return { deleted: 0, cursor: params.cursor, done: false, progressWrite: write };
        }
        result.progressWrite = write;
      }
      return result;
    },

    async listPods(): Promise<PodSummary[]> {
      const summaries: PodSummary[] = [];
      for (const entry of pods.values()) {
        if (entry.rows.live === 0) continue;
        entry.rows.ensureSorted();
        let oldest: number | null = null;
        let newest: number | null = null;
        for (let index = 0; index < entry.rows.length; index++) {
          if (entry.rows.deleted[index]) continue;
          oldest ??= entry.rows.timestamps[index]!;
          newest = entry.rows.timestamps[index]!;
        }
        summaries.push({ deployment: entry.deployment, podName: entry.podName, approximateCount: entry.rows.live, oldest: oldest === null ? null : new Date(oldest), newest: newest === null ? null : new Date(newest) });
      }
      return summaries.sort((a, b) => (a.deployment ?? "").localeCompare(b.deployment ?? "") || a.podName.localeCompare(b.podName));
    },

    classifyError(error) {
      return error instanceof MemoryTargetError ? error.kind : null;
    },
  };

  return target;
}
