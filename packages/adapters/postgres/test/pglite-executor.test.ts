import { PGlite } from "@electric-sql/pglite";
import { createPGliteExecutor } from "@logmk/workqueue-postgres";
import { describe, expect, it } from "vitest";

describe("PGlite executor", () => {
  it("lets timers run during a loop of statements", async () => {
    const sql = createPGliteExecutor(await PGlite.create(), { owned: true });
    try {
      let timerRan = false;
      setTimeout(() => {
        timerRan = true;
      }, 0);

      // Without a yield, PGlite settles each statement without going back to the event loop, so the timer waits for the whole loop.
      let statementsBeforeTimer = 0;
      for (let index = 0; index < 200 && !timerRan; index++) {
        await (index % 2 === 0 ? sql.query("SELECT 1") : sql.transaction((tx) => tx.query("SELECT 1")));
        statementsBeforeTimer++;
      }

      expect(timerRan).toBe(true);
      expect(statementsBeforeTimer).toBeLessThan(200);
    } finally {
      await sql.close();
    }
  });
});
