import { fork, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";

/**
 * Node.js flags of a child: this process's own when it runs TypeScript through tsx (as `pnpm bench`
 * does), else tsx on the workspace sources, as under vitest, whose workers do not load tsx.
 */
function childExecArgv(): string[] {
  if (process.execArgv.some((flag) => flag.includes("tsx"))) return process.execArgv;
  return ["--conditions=@logmk/source", "--import", "tsx"];
}

/**
 * Starts `script` (a TypeScript file) in a Node.js process of its own with one JSON argument and
 * an IPC channel. The child's standard output is piped; its standard error is inherited unless
 * `quiet` is set.
 */
export function startChild(script: string, input: unknown, options: { quiet?: boolean } = {}): ChildProcess {
  return fork(script, [JSON.stringify(input)], { execArgv: childExecArgv(), stdio: ["ignore", "pipe", options.quiet ? "ignore" : "inherit", "ipc"] });
}

/** Collects a child's standard output and resolves with it once the child exits with code 0. */
export function childOutput(child: ChildProcess): Promise<string> {
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      if (code === 0) resolve(output);
      else reject(new Error(`Child process ${child.pid} exited with ${signal ?? `code ${code}`}; its output: ${output.slice(-2_000)}`));
    });
  });
}

/** Resolves once the child has exited, at once when it already has. */
export function exitOf(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

/** Parses the last line of a child's output as JSON. */
export function lastJsonLine<T>(output: string): T {
  const line = output.trim().split("\n").at(-1);
  if (!line) throw new Error("The child process printed nothing.");
  return JSON.parse(line) as T;
}

/** Resolves with the next IPC message for which `accept` returns true. */
export function nextMessage<T>(child: ChildProcess, accept: (message: T) => boolean): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: T) => {
      if (!accept(message)) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(message);
    };
    const onExit = (code: number | null) => reject(new Error(`Child process ${child.pid} exited with code ${code} before sending the expected message.`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

/** Resident set size of process `pid` in MiB, from /proc (Linux); undefined elsewhere or once it exited. */
export async function residentMiB(pid: number): Promise<number | undefined> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => undefined);
  const match = status && /^VmRSS:\s+(\d+) kB/m.exec(status);
  return match ? Number(match[1]) / 1024 : undefined;
}

/** Samples a process's resident set size every `intervalMs` until stopped; returns the samples in MiB. */
export function sampleResidentMemory(pid: number, intervalMs = 100): { stop(): number[] } {
  const samples: number[] = [];
  const timer = setInterval(() => {
    void residentMiB(pid).then((value) => {
      if (value !== undefined) samples.push(value);
    });
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      return samples;
    },
  };
}
