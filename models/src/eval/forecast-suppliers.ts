/**
 * Seeded synthetic suppliers for the forecast evaluation: the situations a supply-chain portfolio shows — steady
 * 24/7 freight, business-hours plants with idle nights and weekends, growth, a lost contract (level shift down), a
 * won contract (shift up), spiky and noisy small suppliers — and their total (hourly sum), 8 weeks hourly each.
 */
import { seasonalSeries, type SeriesPoint } from '../synth/series.js';
import { Rng } from '../synth/random.js';

export interface EvalSupplier {
  name: string;
  description: string;
  series: SeriesPoint[];
}

const WEEKS = 8;
const START = '2025-01-06T00:00:00Z';

function modify(base: SeriesPoint[], f: (v: number, i: number, t: Date) => number): SeriesPoint[] {
  return base.map((p, i) => ({ t: p.t, value: Math.max(0, f(p.value, i, new Date(p.t))) }));
}

export function evalSuppliers(): EvalSupplier[] {
  const n = WEEKS * 168;
  const out: EvalSupplier[] = [
    {
      name: 'steady-freight',
      description: '24/7 road freight, mild daily pattern',
      series: seasonalSeries({ weeks: WEEKS, seed: 9101, level: 180, trendPerWeek: 0, noiseSigma: 0.06, start: START }),
    },
    {
      name: 'business-hours-plant',
      description: 'factory producing 06–22 h on weekdays, idle (zero) nights and weekends',
      series: modify(
        seasonalSeries({ weeks: WEEKS, seed: 9102, level: 400, trendPerWeek: 0, noiseSigma: 0.05, start: START }),
        (v, _i, t) => {
          const wd = t.getUTCDay() >= 1 && t.getUTCDay() <= 5;
          return wd && t.getUTCHours() >= 6 && t.getUTCHours() < 22 ? v : 0;
        },
      ),
    },
    {
      name: 'growing-3pl',
      description: 'warehouse operator growing 3 % per week',
      series: seasonalSeries({
        weeks: WEEKS,
        seed: 9103,
        level: 90,
        trendPerWeek: 0.03,
        noiseSigma: 0.05,
        start: START,
      }),
    },
    {
      name: 'lost-contract',
      description: 'level drops 40 % five weeks before the end (before every backtest origin)',
      series: modify(seasonalSeries({ weeks: WEEKS, seed: 9104, level: 220, trendPerWeek: 0, start: START }), (v, i) =>
        i >= n - 35 * 24 ? v * 0.6 : v,
      ),
    },
    {
      name: 'won-contract',
      description: 'level doubles ten days before the end (inside the second-to-last backtest week)',
      series: modify(seasonalSeries({ weeks: WEEKS, seed: 9105, level: 120, trendPerWeek: 0, start: START }), (v, i) =>
        i >= n - 10 * 24 ? v * 2 : v,
      ),
    },
    {
      name: 'spiky-carrier',
      description: 'carrier with rare multi-fold spikes (1 % of hours × 3–8)',
      series: (() => {
        const r = new Rng(9106);
        return modify(seasonalSeries({ weeks: WEEKS, seed: 9106, level: 60, trendPerWeek: 0, start: START }), (v) =>
          r.next() < 0.01 ? v * r.uniform(3, 8) : v,
        );
      })(),
    },
    {
      name: 'noisy-small',
      description: 'small supplier, 25 % hour-to-hour noise',
      series: seasonalSeries({
        weeks: WEEKS,
        seed: 9107,
        level: 12,
        trendPerWeek: 0,
        noiseSigma: 0.25,
        arPhi: 0.3,
        start: START,
      }),
    },
  ];
  const total = out[0]!.series.map((p, i) => ({ t: p.t, value: out.reduce((a, s) => a + s.series[i]!.value, 0) }));
  out.push({ name: 'total', description: 'sum of the suppliers above', series: total });
  return out;
}
