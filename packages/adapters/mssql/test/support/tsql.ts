/**
 * Splits a T-SQL batch into its statements for the parser checks: on semicolons outside string
 * literals, bracket-quoted names, comments and parentheses, with comments removed.
 */
export function splitStatements(batch: string): string[] {
  const statements: string[] = [];
  let current = "";
  let depth = 0;

  for (let index = 0; index < batch.length; index++) {
    const char = batch[index]!;
    const next = batch[index + 1];

    if (char === "-" && next === "-") {
      const end = batch.indexOf("\n", index);
      index = end === -1 ? batch.length : end - 1;
      continue;
    }
    if (char === "/" && next === "*") {
      index = batch.indexOf("*/", index) + 1;
      continue;
    }
    if (char === "'" || char === "[") {
      const close = char === "'" ? "'" : "]";
      let end = index + 1;
      for (; end < batch.length; end++) {
        if (batch[end] === close && batch[end + 1] === close) end++;
        else if (batch[end] === close) break;
      }
      current += batch.slice(index, end + 1);
      index = end;
      continue;
    }
    if (char === "(") depth++;
    if (char === ")") depth--;
    if (char === ";" && depth === 0) {
      statements.push(current);
      current = "";
      continue;
    }
    current += char;
  }
  statements.push(current);
  return statements.map(unwrapControlFlow).filter((statement) => statement.length > 0);
}

/**
 * Removes the control flow around a statement: BEGIN/END blocks, TRY/CATCH and IF or WHILE
 * conditions, which in this adapter's SQL always end their line.
 */
export function unwrapControlFlow(fragment: string): string {
  let rest = fragment.trim();
  for (;;) {
    const before = rest;
    rest = rest
      .replace(/^(BEGIN|END) (TRY|CATCH)\b/, "")
      .replace(/^(BEGIN|END|ELSE)(?!\s+(TRY|CATCH|TRANSACTION)\b)(\s|$)/, "")
      .replace(/^(IF|WHILE) [^\n]*(\n|$)/, "")
      .trim();
    if (rest === before) return rest;
  }
}

/** Text with string literals and comments removed, for checks on names and values. */
export function codeOnly(batch: string): string {
  return batch
    .replace(/--[^\n]*/g, "")
    .replace(/N?'(?:[^']|'')*'/g, "''");
}
