import { createMemoryStore, createWorkQueue } from "@logmk/workqueue";
import { describe, expect, it } from "vitest";
import { createWorkQueueMetrics } from "../src/index.js";
import { createMetricRegistry, formatValue } from "../src/metrics/prometheus.js";

describe("Prometheus text writer", () => {
  it("writes counters and gauges with escaped labels", () => {
    const registry = createMetricRegistry();
    const counter = registry.counter("jobs_total", "Jobs seen.\nSecond line with \\ backslash.", ["type"]);
    const gauge = registry.gauge("queue_depth", "Items waiting.");
    counter.inc({ type: 'say "hi"\\\n' });
    counter.inc({ type: "plain" }, 2);
    counter.inc({ type: "plain" });
    gauge.set(7);

    expect(registry.render()).toBe(
      [
        "# HELP jobs_total Jobs seen.\\nSecond line with \\\\ backslash.",
        "# TYPE jobs_total counter",
        'jobs_total{type="say \\"hi\\"\\\\\\n"} 1',
        'jobs_total{type="plain"} 3',
        "# HELP queue_depth Items waiting.",
        "# TYPE queue_depth gauge",
        "queue_depth 7",
        "",
      ].join("\n"),
    );
  });

  it("writes cumulative histogram buckets with +Inf, sum and count", () => {
    const registry = createMetricRegistry();
    const histogram = registry.histogram("chunk_seconds", "Chunk duration.", [0.1, 1], ["target"]);
    for (const value of [0.05, 0.1, 0.5, 3]) histogram.observe(value, { target: "memory" });

    expect(registry.render().split("\n")).toEqual([
      "# HELP chunk_seconds Chunk duration.",
      "# TYPE chunk_seconds histogram",
      'chunk_seconds_bucket{target="memory",le="0.1"} 2',
      'chunk_seconds_bucket{target="memory",le="1"} 3',
      'chunk_seconds_bucket{target="memory",le="+Inf"} 4',
      'chunk_seconds_sum{target="memory"} 3.65',
      'chunk_seconds_count{target="memory"} 4',
      "",
    ]);
  });

  it("formats special values", () => {
    expect(formatValue(Infinity)).toBe("+Inf");
    expect(formatValue(-Infinity)).toBe("-Inf");
    expect(formatValue(Number.NaN)).toBe("NaN");
    expect(formatValue(0.25)).toBe("0.25");
  });

  it("rejects invalid names, buckets and decrements", () => {
    const registry = createMetricRegistry();
    expect(() => registry.counter("bad-name", "x")).toThrow(/Invalid metric name/);
    expect(() => registry.counter("ok_total", "x", ["le"])).toThrow(/Invalid label name/);
    expect(() => registry.histogram("h", "x", [1, 1])).toThrow(/strictly ascending/);
    const counter = registry.counter("jobs_total", "x");
    expect(() => registry.gauge("jobs_total", "x")).toThrow(/registered twice/);
    expect(() => counter.inc({}, -1)).toThrow(/can only grow/);
  });
});

describe("createWorkQueueMetrics options", () => {
  const queue = createWorkQueue({ store: createMemoryStore(), handlers: [] });

  it.each([
    [{ queue: {} }, "queue must be a work queue"],
    [{ queue, chunkDurationBuckets: [1, 0.5] }, "chunkDurationBuckets must be in strictly ascending order"],
    [{ queue, startLatencyBuckets: [] }, "startLatencyBuckets must contain at least one bucket bound"],
    [{ queue, startLatencyBuckets: [-1] }, "startLatencyBuckets must contain positive numbers of seconds"],
  ])("rejects %j", (options, message) => {
    expect(() => createWorkQueueMetrics(options as never)).toThrow(message);
  });
});
