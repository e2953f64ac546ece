import { createManualClock, createMemoryStore } from "@logmk/workqueue";
import { runStoreContract } from "@logmk/workqueue/testing";

runStoreContract({
  name: "memory",
  async create() {
    const clock = createManualClock();
    const store = createMemoryStore({ clock });
    return {
      store,
      now: async () => clock.now(),
      advance: (ms) => clock.advance(ms),
    };
  },
});
