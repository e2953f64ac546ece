import type { QueueNames } from "../sql/queue-names.js";

/** One numbered schema change; its statements run in order, in the migration's transaction. */
export interface Migration {
  version: number;
  name: string;
  statements(names: QueueNames): string[];
}
