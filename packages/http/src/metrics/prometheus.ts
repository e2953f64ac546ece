/**
 * A minimal writer of the Prometheus text exposition format (version 0.0.4): counters, gauges
 * and histograms with labels. It needs no runtime modules, so it works wherever the app runs.
 */

export type Labels = Readonly<Record<string, string>>;

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export interface Counter {
  /** Adds `value` (default 1) to the series with these labels; a counter never goes down. */
  inc(labels?: Labels, value?: number): void;
}

export interface Gauge {
  set(value: number, labels?: Labels): void;
}

export interface Histogram {
  observe(value: number, labels?: Labels): void;
}

export interface MetricRegistry {
  counter(name: string, help: string, labelNames?: readonly string[]): Counter;
  gauge(name: string, help: string, labelNames?: readonly string[]): Gauge;
  /** `buckets` are the upper bounds, ascending; the `+Inf` bucket is added. */
  histogram(name: string, help: string, buckets: readonly number[], labelNames?: readonly string[]): Histogram;
  /** Renders the whole registry as exposition text, one family after the other in registration order. */
  render(): string;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

const escapeLabelValue = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (text: string) => text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return "";
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(",")}}`;
}

interface Family {
  name: string;
  help: string;
  type: "counter" | "gauge" | "histogram";
  lines(): string[];
}

/** Keeps one series per label combination, keyed in the order of the declared label names. */
function seriesMap<Series>(name: string, labelNames: readonly string[], create: () => Series) {
  for (const label of labelNames) {
    if (!LABEL_NAME.test(label) || label === "le") throw new Error(`Invalid label name ${JSON.stringify(label)} for metric ${name}.`);
  }
  const series = new Map<string, { pairs: Array<readonly [string, string]>; value: Series }>();
  return {
    get(labels: Labels = {}): Series {
      const pairs = labelNames.map((label) => [label, labels[label] ?? ""] as const);
      const key = JSON.stringify(pairs);
      let entry = series.get(key);
      if (!entry) {
        entry = { pairs, value: create() };
        series.set(key, entry);
      }
      return entry.value;
    },
    entries: () => [...series.values()],
  };
}

export function createMetricRegistry(): MetricRegistry {
  const families: Family[] = [];

  function register(family: Family): void {
    if (!METRIC_NAME.test(family.name)) throw new Error(`Invalid metric name ${JSON.stringify(family.name)}.`);
    if (families.some((existing) => existing.name === family.name)) throw new Error(`Metric ${family.name} is registered twice.`);
    families.push(family);
  }

  return {
    counter(name, help, labelNames = []) {
      const series = seriesMap(name, labelNames, () => ({ value: 0 }));
      register({ name, help, type: "counter", lines: () => series.entries().map(({ pairs, value }) => `${name}${formatLabels(pairs)} ${formatValue(value.value)}`) });
      return {
        inc(labels, value = 1) {
          if (!(value >= 0)) throw new Error(`Counter ${name} can only grow, but was given ${value}.`);
          series.get(labels).value += value;
        },
      };
    },

    gauge(name, help, labelNames = []) {
      const series = seriesMap(name, labelNames, () => ({ value: 0 }));
      register({ name, help, type: "gauge", lines: () => series.entries().map(({ pairs, value }) => `${name}${formatLabels(pairs)} ${formatValue(value.value)}`) });
      return {
        set(value, labels) {
          series.get(labels).value = value;
        },
      };
    },

    histogram(name, help, buckets, labelNames = []) {
      const bounds = [...buckets];
      if (bounds.some((bound, index) => !Number.isFinite(bound) || (index > 0 && bound <= bounds[index - 1]!))) {
        throw new Error(`Buckets of histogram ${name} must be finite and strictly ascending.`);
      }
      const series = seriesMap(name, labelNames, () => ({ counts: new Array<number>(bounds.length + 1).fill(0), sum: 0, count: 0 }));
      register({
        name,
        help,
        type: "histogram",
        lines: () =>
          series.entries().flatMap(({ pairs, value }) => {
            let cumulative = 0;
            const lines = bounds.map((bound, index) => {
              cumulative += value.counts[index]!;
              return `${name}_bucket${formatLabels([...pairs, ["le", formatValue(bound)]])} ${cumulative}`;
            });
            lines.push(`${name}_bucket${formatLabels([...pairs, ["le", "+Inf"]])} ${value.count}`);
            lines.push(`${name}_sum${formatLabels(pairs)} ${formatValue(value.sum)}`);
            lines.push(`${name}_count${formatLabels(pairs)} ${value.count}`);
            return lines;
          }),
      });
      return {
        observe(value, labels) {
          const entry = series.get(labels);
          const index = bounds.findIndex((bound) => value <= bound);
          entry.counts[index === -1 ? bounds.length : index]! += 1;
          entry.sum += value;
          entry.count += 1;
        },
      };
    },

    render() {
      const text: string[] = [];
      for (const family of families) {
        text.push(`# HELP ${family.name} ${escapeHelp(family.help)}`, `# TYPE ${family.name} ${family.type}`, ...family.lines());
      }
      return `${text.join("\n")}\n`;
    },
  };
}
