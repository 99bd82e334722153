import { describe, expect, it } from 'vitest';
import { loadModel, ModelInputError } from '../src/index.js';

const good = {
  distance_km: 120,
  load_kg: 9000,
  speed_kmh: 65,
  gradient_pct: 1,
  stops_per_100km: 3,
  idle_min: 15,
  refrigerated: 0,
  empty_share: 0.2,
  vehicle_class: 1,
  grid_factor_kg_per_kwh: 0.281,
};

describe('validate()', () => {
  it('accepts a valid row', async () => {
    const m = await loadModel('logistics');
    expect(m.validate(good)).toEqual([]);
  });

  it('names a missing feature', async () => {
    const m = await loadModel('logistics');
    const { load_kg: _omit, ...row } = good;
    const errs = m.validate(row);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatchObject({ feature: 'load_kg', code: 'missing' });
    expect(errs[0]!.message).toContain('load_kg');
  });

  it('rejects NaN and out-of-range values with the range and a unit hint', async () => {
    const m = await loadModel('logistics');
    const errs = m.validate({ ...good, speed_kmh: Number.NaN, distance_km: 250000, empty_share: 30 });
    const byFeature = Object.fromEntries(errs.map((e) => [e.feature, e]));
    expect(byFeature.speed_kmh?.code).toBe('not_a_number');
    expect(byFeature.distance_km?.code).toBe('out_of_range');
    expect(byFeature.distance_km?.message).toMatch(/distance_km = .* km is outside .*\[5, 1200\]/);
    expect(byFeature.distance_km?.message).toContain('did you pass m?');
    expect(byFeature.empty_share?.message).toContain('did you pass %?');
  });

  it('rejects unknown categories and unknown features', async () => {
    const m = await loadModel('logistics');
    const errs = m.validate({ ...good, vehicle_class: 17, refrigerated: 0.5, colour: 3 } as Record<string, number>);
    expect(errs.map((e) => [e.feature, e.code]).sort()).toEqual([
      ['colour', 'unknown_feature'],
      ['refrigerated', 'unknown_category'],
      ['vehicle_class', 'unknown_category'],
    ]);
    expect(errs.find((e) => e.feature === 'vehicle_class')!.message).toContain('3 = van ≤3.5 t GVW, battery-electric');
  });

  it('predictBatch throws a ModelInputError naming the row and the feature', async () => {
    const m = await loadModel('logistics');
    const rows = [good, { ...good, load_kg: -5 }, good];
    await expect(m.predictBatch(rows)).rejects.toThrow(ModelInputError);
    await expect(m.predictBatch(rows)).rejects.toThrow(/row 1: load_kg = -5 kg is outside/);
    const X = new Float32Array(20).fill(1);
    await expect(m.predictBatch(X, 2)).rejects.toThrow(/row 0: distance_km/);
  });

  it('unknown model names are reported with the available ones', async () => {
    await expect(loadModel('nope')).rejects.toThrow(
      /unknown model "nope" \(available: .*factory.*lastmile.*logistics.*warehouse/,
    );
  });
});
