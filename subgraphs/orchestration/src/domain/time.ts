// Hour-of-week arithmetic (UTC, Monday 00:00 = 0) and window helpers.
export const HOUR_MS = 3_600_000;

export function hourOfWeek(d: Date): number {
  return ((d.getUTCDay() + 6) % 7) * 24 + d.getUTCHours();
}

export const floorHour = (d: Date) => new Date(Math.floor(d.getTime() / HOUR_MS) * HOUR_MS);

/** The hours a window overlaps, each with its overlap in hours (fractions at the edges). */
export function windowHours(start: Date, end: Date): { hourStart: Date; how: number; weight: number }[] {
  const out: { hourStart: Date; how: number; weight: number }[] = [];
  for (let h = floorHour(start).getTime(); h < end.getTime(); h += HOUR_MS) {
    const a = Math.max(h, start.getTime());
    const b = Math.min(h + HOUR_MS, end.getTime());
    if (b > a) out.push({ hourStart: new Date(h), how: hourOfWeek(new Date(h)), weight: (b - a) / HOUR_MS });
  }
  return out;
}

export function median(values: number[]): number {
  if (!values.length) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
