/**
 * One job queue under test, in a schema of its own. The throughput and latency benchmarks drive
 * every contender through this interface, so that each does the same work the same way.
 */
export interface Contender {
  /** Name in the figures, such as `pg-boss (batchSize 100)`. */
  readonly name: string;
  /** Inserts `count` no-op jobs in bulk, outside the timed part. */
  enqueueBulk(count: number): Promise<void>;
  /** Queues one no-op job through the library's ordinary enqueue call. */
  enqueueOne(): Promise<void>;
  /** Starts the workers; `onJob` runs inside the handler of every job. */
  startWorkers(onJob: () => void): Promise<void>;
  /** Stops the workers, letting them write what they hold. */
  stopWorkers(): Promise<void>;
  /** Jobs the database records as completed. */
  countCompleted(): Promise<number>;
  /** Closes connections and drops the contender's schema. */
  dispose(): Promise<void>;
}

/** Settings shared by every contender of one run. */
export interface ContenderSettings {
  url: string;
  concurrency: number;
}

export type ContenderFactory = (settings: ContenderSettings) => Promise<Contender>;
