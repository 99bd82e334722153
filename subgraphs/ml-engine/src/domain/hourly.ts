// Hourly series arithmetic for forecasts (pure).

const H = 3600_000;

/** Hourly series for an entity, contiguous (missing hours = 0), from its first non-empty hour to `end` (exclusive). */
export function contiguousHourly(
  points: { bucketStart: string; co2eKg: number }[],
  end: Date,
): { t: string; value: number }[] {
  if (!points.length) return [];
  const byT = new Map<number, number>();
  for (const p of points) byT.set(Date.parse(p.bucketStart), (byT.get(Date.parse(p.bucketStart)) ?? 0) + p.co2eKg);
  const first = Math.min(...byT.keys());
  const last = Math.floor(end.getTime() / H) * H;
  const out: { t: string; value: number }[] = [];
  for (let t = first; t < last; t += H) out.push({ t: new Date(t).toISOString(), value: byT.get(t) ?? 0 });
  return out;
}
