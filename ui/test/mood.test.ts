import { describe, expect, it } from "vitest";
import { buildMoodPlot } from "../src/mood";
import type { EmotionDay } from "../src/types";

const zero = { anger: 0, disgust: 0, fear: 0, joy: 0, neutral: 0, sadness: 0, surprise: 0 };

describe("buildMoodPlot", () => {
  it("orders days and keeps only emotions seen", () => {
    const days: EmotionDay[] = [
      { day: "2026-12-03", counts: { ...zero, joy: 2 } },
      { day: "2026-12-01", counts: { ...zero, sadness: 1, joy: 1 } },
    ];
    const plot = buildMoodPlot(days, 200, 100, 10);
    expect(plot.days).toEqual(["2026-12-01", "2026-12-03"]);
    expect(plot.series.map((series) => series.label)).toEqual(["joy", "sadness"]);
    expect(plot.maxCount).toBe(2);
  });

  it("places points from left to right and by count", () => {
    const days: EmotionDay[] = [
      { day: "2026-12-01", counts: { ...zero, joy: 1 } },
      { day: "2026-12-02", counts: { ...zero, joy: 2 } },
    ];
    const [joy] = buildMoodPlot(days, 200, 100, 10).series;
    expect(joy.points[0].x).toBe(10);
    expect(joy.points[1].x).toBe(190);
    expect(joy.points[1].y).toBe(10);
    expect(joy.points[0].y).toBe(50);
  });

  it("centres a single day", () => {
    const [only] = buildMoodPlot([{ day: "2026-12-01", counts: { ...zero, fear: 1 } }], 200, 100).series;
    expect(only.points[0].x).toBe(100);
  });

  it("is empty without emotions", () => {
    expect(buildMoodPlot([], 200, 100).series).toEqual([]);
  });
});
