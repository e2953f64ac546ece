/**
 * Reads `--name=value` options of a bench or trial script. Every option has a default; an unknown
 * option or a value that is not a number where one is needed stops the script with a message.
 */
export function parseOptions<Defaults extends Record<string, number | string | boolean>>(argv: readonly string[], defaults: Defaults): Defaults {
  const options: Record<string, number | string | boolean> = { ...defaults };
  for (const argument of argv) {
    const match = /^--([a-z][a-z-]*)(?:=(.*))?$/.exec(argument);
    const name = match?.[1];
    if (!match || name === undefined || !(name in defaults)) {
      throw new Error(`Unknown option ${argument}; the options are ${Object.keys(defaults).map((key) => `--${key}`).join(", ")}.`);
    }
    const text = match[2];
    const kind = typeof defaults[name];
    if (kind === "boolean") {
      options[name] = text === undefined || text === "true";
    } else if (kind === "number") {
      const value = Number(text?.replaceAll("_", ""));
      if (text === undefined || !Number.isFinite(value)) throw new Error(`--${name} needs a number, such as --${name}=${defaults[name]}.`);
      options[name] = value;
    } else {
      if (text === undefined) throw new Error(`--${name} needs a value, such as --${name}=${defaults[name]}.`);
      options[name] = text;
    }
  }
  return options as Defaults;
}

/** Formats `--help`: the usage line, then each option with its default and what it sets. */
export function formatHelp<Defaults extends Record<string, number | string | boolean>>(usage: string, defaults: Defaults, help: Record<keyof Defaults, string>): string {
  const lines = Object.entries(defaults).map(([name, value]) => `  --${name}=${value}`.padEnd(28) + help[name as keyof Defaults]);
  return `${usage}\n\nOptions, with their defaults:\n${lines.join("\n")}`;
}
