import { afterEach, beforeEach, describe } from "vitest";
import { registerClaimTests } from "./contract-claim.js";
import { registerLifecycleTests } from "./contract-lifecycle.js";
import { registerQueryTests } from "./contract-query.js";
import type { StoreContractFixture, StoreContractOptions } from "./fixture.js";

/**
 * Registers the store contract suite: the behaviour every `WorkQueueStore` must have, from claim
 * order and fencing to uniqueness races and the event log. Call it inside a vitest test file.
 */
export function runStoreContract(options: StoreContractOptions): void {
  const settings = {
    leaseMs: options.leaseMs ?? 1_000,
    concurrentClaimers: options.concurrentClaimers ?? 8,
    concurrentItems: options.concurrentItems ?? 200,
  };
  const suite = options.skipReason ? describe.skip : describe;
  const title = options.skipReason ? `store contract: ${options.name} (skipped: ${options.skipReason})` : `store contract: ${options.name}`;

  suite(title, () => {
    let current: StoreContractFixture | undefined;
    const fixture = () => {
      if (!current) throw new Error("The store fixture was not created");
      return current;
    };

    beforeEach(async () => {
      current = await options.create();
    });
    afterEach(async () => {
      await current?.cleanup?.();
      current = undefined;
    });

    describe("claims and leases", () => registerClaimTests(fixture, settings));
    describe("item lifecycle", () => registerLifecycleTests(fixture, settings));
    describe("queries and events", () => registerQueryTests(fixture));
  });
}
