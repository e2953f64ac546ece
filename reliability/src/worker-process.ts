import type { Processor } from "@logmk/workqueue";

/**
 * Runs `processor` as the body of a worker process: starts it, sends `{ started: true }` to the
 * parent, and on `{ stop: true }` stops it, runs `close` and exits with code 0. A parent that dies
 * leaves the process orphaned, so it then exits at once, as a crashed worker would.
 */
export async function serveWorker(processor: Processor, close: () => Promise<void>): Promise<void> {
  process.on("disconnect", () => process.exit(1));
  process.on("message", (message: { stop?: boolean }) => {
    if (!message.stop) return;
    void (async () => {
      await processor.stop();
      await close();
      process.exit(0);
    })();
  });

  await processor.start();
  process.send?.({ started: true });
}
