import type { NewWorkQueueItem, WorkQueueStore } from "../store/port.js";
import type { WorkQueueItem } from "../model/item.js";

/** One store under test, fresh for each test. */
export interface StoreContractFixture {
  store: WorkQueueStore;
  /** The store's current time: the database clock in SQL stores. */
  now(): Promise<Date>;
  /** Lets `ms` of store time pass: advances a manual clock, or waits in real time for SQL stores. */
  advance(ms: number): Promise<void>;
  /** Drops what the fixture created, such as a schema. */
  cleanup?(): Promise<void>;
}

export interface StoreContractOptions {
  /** Name shown in the test titles, such as `memory` or `postgres (PGlite)`. */
  name: string;
  /** Creates a fresh, empty store; called before every test. */
  create(): Promise<StoreContractFixture>;
  /** Lease used by the lease tests, in milliseconds; real-time stores want a short one. @default 1000 */
  leaseMs?: number;
  /** Claimers racing each other in the concurrency tests. @default 8 */
  concurrentClaimers?: number;
  /** Items claimed by the racing claimers. @default 200 */
  concurrentItems?: number;
  /** When set, every test is skipped and this reason is printed, such as a missing database server. */
  skipReason?: string;
}

/** Builds a valid new item with overrides, for tests. */
export function newItem(overrides: Partial<NewWorkQueueItem> = {}): NewWorkQueueItem {
  return {
    type: "TEST_JOB",
    podName: "api-7d9f8-abcde",
    deployment: "api",
    payload: { note: "test" },
    metadata: null,
    priority: 0,
    runAt: null,
    schedule: "now",
    maxAttempts: 3,
    uniqueKey: null,
    estimatedRecords: null,
    createdBy: null,
    ...overrides,
  };
}

/** Claims one item of the test type, failing the test when none is eligible. */
export async function claimOne(store: WorkQueueStore, options: { workerId?: string; leaseMs?: number; types?: string[] } = {}): Promise<WorkQueueItem> {
  const [item] = await store.claimNext({ workerId: options.workerId ?? "worker-a", types: options.types ?? ["TEST_JOB"], leaseMs: options.leaseMs ?? 60_000, limit: 1 });
  if (!item) throw new Error("Expected an eligible item to claim, found none");
  return item;
}
