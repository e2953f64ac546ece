import type { QueueTables } from "../store/tables.js";
import { migration0001 } from "./0001-work-queue.js";
import { migration0002 } from "./0002-work-queue-events.js";
import { migration0003 } from "./0003-records-at-claim.js";

export interface Migration {
  /** Position in the sequence; recorded in the migrations table once applied. */
  id: number;
  name: string;
  sql(tables: QueueTables): string;
}

/** Every migration, in the order they run. Append new ones; never change one that has shipped. */
export const MIGRATIONS: readonly Migration[] = [migration0001, migration0002, migration0003];
