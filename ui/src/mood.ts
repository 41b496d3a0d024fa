// Data for the mood timeline: one series per emotion, one point per day.

import { EMOTION_LABELS, type EmotionDay, type EmotionLabel } from "./types";

export interface MoodPoint {
  day: string;
  label: EmotionLabel;
  count: number;
  x: number;
  y: number;
}

export interface MoodSeries {
  label: EmotionLabel;
  points: MoodPoint[];
}

export interface MoodPlot {
  days: string[];
  maxCount: number;
  series: MoodSeries[];
}

/**
 * Places each emotion's daily counts on a `width` x `height` plot, days in
 * date order left to right. Emotions never seen are left out.
 */
export function buildMoodPlot(days: EmotionDay[], width: number, height: number, padding = 24): MoodPlot {
  const sorted = [...days].sort((a, b) => a.day.localeCompare(b.day));
  const maxCount = Math.max(1, ...sorted.flatMap((day) => EMOTION_LABELS.map((label) => day.counts[label] ?? 0)));
  const span = Math.max(1, sorted.length - 1);
  const x = (index: number) => (sorted.length === 1 ? width / 2 : padding + (index * (width - 2 * padding)) / span);
  const y = (count: number) => height - padding - (count * (height - 2 * padding)) / maxCount;

  const series = EMOTION_LABELS.map((label) => ({
    label,
    points: sorted.map((day, index) => {
      const count = day.counts[label] ?? 0;
      return { day: day.day, label, count, x: x(index), y: y(count) };
    }),
  })).filter((entry) => entry.points.some((point) => point.count > 0));

  return { days: sorted.map((day) => day.day), maxCount, series };
}
