/** Outcome of one reliability trial, repeated `iterations` times. */
export interface TrialResult {
  name: string;
  iterations: number;
  /** One line per broken expectation, naming the iteration; empty when the trial passed. */
  failures: string[];
  /** Figures worth printing, such as retried deadlocks or kill points. */
  notes: string[];
  durationMs: number;
}

/** Collects broken expectations instead of stopping at the first, so that a report shows them all. */
export class Expectations {
  readonly failures: string[] = [];

  constructor(private readonly label: string) {}

  equal(actual: unknown, expected: unknown, description: string): void {
    if (actual !== expected) this.failures.push(`${this.label}: ${description} is ${String(actual)}, expected ${String(expected)}`);
  }

  that(condition: boolean, description: string): void {
    if (!condition) this.failures.push(`${this.label}: ${description}`);
  }
}

/** Resolves once `check` returns true, polling every `intervalMs`; rejects after `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, description: string, intervalMs = 100): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description}.`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Returns a random whole number from `min` to `max`, both included. */
export function randomInt(min: number, max: number): number {
  return min + Math.floor(Math.random() * (max - min + 1));
}
