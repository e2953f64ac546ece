import type { Logger } from "@logmk/workqueue";

/** Writes warnings and errors as JSON lines to standard error, so that a failed trial shows why. */
export function stderrLogger(bindings: Record<string, unknown>): Logger {
  const write = (level: string) => (fields: Record<string, unknown>, message: string) => {
    const err = fields.err instanceof Error ? fields.err.message : fields.err;
    process.stderr.write(`${JSON.stringify({ level, ...bindings, ...fields, err, message })}\n`);
  };
  const ignore = () => {};
  return { debug: ignore, info: ignore, warn: write("warn"), error: write("error") };
}
