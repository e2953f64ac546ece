import { appendFile, readFile, writeFile } from "node:fs/promises";
import { machineLine, type MachineDescription } from "./machine.js";

type Cell = string | number;

/** Figures of one benchmark: tables and notes, printed as Markdown and optionally recorded. */
export interface Report {
  readonly title: string;
  table(headers: readonly string[], rows: readonly (readonly Cell[])[]): void;
  note(text: string): void;
  markdown(): string;
}

export function createReport(title: string): Report {
  const blocks: string[] = [];
  return {
    title,
    table(headers, rows) {
      const lines = [`| ${headers.join(" | ")} |`, `|${headers.map(() => "---").join("|")}|`];
      for (const row of rows) lines.push(`| ${row.map(String).join(" | ")} |`);
      blocks.push(lines.join("\n"));
    },
    note(text) {
      blocks.push(`- ${text}`);
    },
    markdown() {
      return [`### ${title}`, ...blocks].join("\n\n");
    },
  };
}

const RECORD_HEADER = `# Benchmarks

Figures measured with \`pnpm bench\` (\`bench/\`), newest last. Each entry names its date, machine
and exact command. The machines are shared and noisy, so compare ratios and medians measured in
the same run, not absolute times across entries.
`;

/** Appends the reports to the benchmark record (such as `docs/benchmarks.md`), creating it when missing. */
export async function recordReports(path: string, reports: readonly Report[], machine: MachineDescription, command: string): Promise<void> {
  const existing = await readFile(path, "utf8").catch(() => undefined);
  if (existing === undefined) await writeFile(path, RECORD_HEADER);
  const date = new Date().toISOString().slice(0, 16).replace("T", " ");
  const entry = [`## ${date} UTC`, `Machine: ${machineLine(machine)}.`, `Command: \`${command}\``, ...reports.map((report) => report.markdown())];
  await appendFile(path, `\n${entry.join("\n\n")}\n`);
}
