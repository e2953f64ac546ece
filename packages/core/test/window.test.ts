import { describe, expect, it } from "vitest";
import { createOffPeakWindow } from "@logmk/workqueue";

const at = (iso: string) => new Date(iso);

describe("off-peak window", () => {
  const berlin = createOffPeakWindow({ start: "01:00", end: "05:00", timeZone: "Europe/Berlin" });

  it("follows local time in winter and summer", () => {
    expect(berlin.contains(at("2026-01-15T00:00:00Z"))).toBe(true);
    expect(berlin.contains(at("2026-01-15T03:59:59Z"))).toBe(true);
    expect(berlin.contains(at("2026-01-15T04:00:00Z"))).toBe(false);
    expect(berlin.contains(at("2026-07-15T23:00:00Z"))).toBe(true);
    expect(berlin.contains(at("2026-07-15T22:59:00Z"))).toBe(false);
    expect(berlin.contains(at("2026-07-16T03:00:00Z"))).toBe(false);
  });

  it("is three hours long the night clocks go forward", () => {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST.
    const start = berlin.nextStart(at("2026-03-28T12:00:00Z"));
    const end = berlin.endAfter(start);

    expect(start.toISOString()).toBe("2026-03-29T00:00:00.000Z");
    expect(end.toISOString()).toBe("2026-03-29T03:00:00.000Z");
  });

  it("is five hours long the night clocks go back", () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00-03:00 happens twice.
    const start = berlin.nextStart(at("2026-10-24T12:00:00Z"));
    const end = berlin.endAfter(start);

    expect(start.toISOString()).toBe("2026-10-24T23:00:00.000Z");
    expect(end.toISOString()).toBe("2026-10-25T04:00:00.000Z");
    expect(berlin.contains(at("2026-10-25T00:30:00Z"))).toBe(true);
    expect(berlin.contains(at("2026-10-25T01:30:00Z"))).toBe(true);
    expect(berlin.endAfter(at("2026-10-25T01:30:00Z")).toISOString()).toBe("2026-10-25T04:00:00.000Z");
  });

  it("opens at the jump when its start time is skipped", () => {
    const window = createOffPeakWindow({ start: "02:30", end: "04:00", timeZone: "Europe/Berlin" });

    expect(window.nextStart(at("2026-03-28T22:00:00Z")).toISOString()).toBe("2026-03-29T01:00:00.000Z");
    expect(window.nextStart(at("2026-03-29T03:00:00Z")).toISOString()).toBe("2026-03-30T00:30:00.000Z");
  });

  it("ends at the second pass of a repeated end time only when inside it", () => {
    const window = createOffPeakWindow({ start: "01:00", end: "02:30", timeZone: "Europe/Berlin" });

    // The first 02:30 (CEST) ends the window; the hour after it is outside, although the clock shows 02:xx again.
    expect(window.endAfter(at("2026-10-25T00:10:00Z")).toISOString()).toBe("2026-10-25T00:30:00.000Z");
    expect(window.contains(at("2026-10-25T01:10:00Z"))).toBe(true);
    expect(window.endAfter(at("2026-10-25T01:10:00Z")).toISOString()).toBe("2026-10-25T01:30:00.000Z");
  });

  it("runs past midnight when the end is before the start", () => {
    const window = createOffPeakWindow({ start: "22:00", end: "04:00", timeZone: "UTC" });

    expect(window.contains(at("2026-05-01T23:00:00Z"))).toBe(true);
    expect(window.contains(at("2026-05-02T03:00:00Z"))).toBe(true);
    expect(window.contains(at("2026-05-02T12:00:00Z"))).toBe(false);
    expect(window.nextStart(at("2026-05-02T12:00:00Z")).toISOString()).toBe("2026-05-02T22:00:00.000Z");
    expect(window.endAfter(at("2026-05-01T23:00:00Z")).toISOString()).toBe("2026-05-02T04:00:00.000Z");
    expect(window.nextStart(at("2026-05-02T03:00:00Z")).toISOString()).toBe("2026-05-02T03:00:00.000Z");
  });

  it("follows a zone south of the equator", () => {
    // Australia/Sydney goes from +11 to +10 on 2026-04-05 at 03:00 local.
    const sydney = createOffPeakWindow({ start: "01:00", end: "05:00", timeZone: "Australia/Sydney" });

    expect(sydney.nextStart(at("2026-04-04T06:00:00Z")).toISOString()).toBe("2026-04-04T14:00:00.000Z");
    expect(sydney.endAfter(at("2026-04-04T14:00:00Z")).toISOString()).toBe("2026-04-04T19:00:00.000Z");
  });

  it("rejects invalid windows with the value and the fix", () => {
    expect(() => createOffPeakWindow({ start: "1am", end: "05:00", timeZone: "UTC" })).toThrow(/start must be a time of day in HH:MM form/);
    expect(() => createOffPeakWindow({ start: "01:00", end: "25:00", timeZone: "UTC" })).toThrow(/end must be a time of day/);
    expect(() => createOffPeakWindow({ start: "01:00", end: "05:00", timeZone: "Mars/Olympus" })).toThrow(/Unknown time zone "Mars\/Olympus"/);
    expect(() => createOffPeakWindow({ start: "03:00", end: "03:00", timeZone: "UTC" })).toThrow(/starts and ends at 03:00/);
  });
});
