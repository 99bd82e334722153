// What-if (orchestration simulate, recomputed by data-core's method engine): vehicle class, fuel (HVO, CNG, LNG,
// battery-electric), load, distance, load factor, modal shift — for a supplier's recent activity or a hotspot's window.
// Opened from a recommendation, it starts from the recommendation's own simulation input, runs it at once and shows
// the simulated delta beside the recommendation's estimate (and hands the result back to its card).
import { useEffect, useRef, useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import type { SimulationActivity } from '../../gql/graphql';
import { Modal, Chip, Icon, ErrorState } from '../ui/ui.tsx';
import { kg, num, pct } from '../lib/format.ts';
import { useSuppliers } from '../lib/suppliers.ts';
import type { SimulatedOutcome, WhatIfPrefill } from '../lib/dashboard.ts';

const Simulate = graphql(`
  mutation Simulate($input: SimulationInput!) {
    simulate(input: $input) {
      id baselineValue newValue delta deltaPct explanation basisEvents model modelVersion notes hotspotId windowStart windowEnd
      changes { feature from to note }
      before { co2eKg methods { method events co2eKg } factors { id version source co2eKg } }
      after { co2eKg methods { method events co2eKg } factors { id version source co2eKg } }
    }
  }
`);

const VehicleClasses = graphql(`
  query WhatIfVehicleClasses {
    vehicleClasses { id label mode electric }
  }
`);

const FUELS: [string, string][] = [
  ['', 'Keep current'],
  ['diesel', 'Diesel'],
  ['hvo', 'HVO (renewable diesel)'],
  ['cng', 'CNG'],
  ['lng', 'LNG'],
  ['electric', 'Battery-electric (same class)'],
];
const LOAD_FACTORS = [0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1];
type Side = {
  co2eKg: number;
  methods: { method: string; events: number; co2eKg: number }[];
  factors: { id: string; version: string; source: string; co2eKg: number }[];
};

function SideSummary({ title, side, testId }: { title: string; side: Side; testId: string }) {
  return (
    <div className="whatif-side" data-testid={testId}>
      <h4>{title}</h4>
      <ul className="changes">
        {side.methods.map((m) => (
          <li key={m.method}>
            <Chip tone="neutral">{m.method}</Chip> {m.events} events · {kg(m.co2eKg)}
          </li>
        ))}
      </ul>
      <ul className="changes small">
        {side.factors.slice(0, 4).map((f) => (
          <li key={`${f.id}@${f.version}`} title={f.source}>
            <code>{f.id}</code> <span className="muted">{f.version}</span> · {kg(f.co2eKg)}
          </li>
        ))}
      </ul>
    </div>
  );
}

const signedKg = (v: number) => `${v > 0 ? '+' : v < 0 ? '−' : ''}${kg(Math.abs(v))}`;

export function WhatIfSimulatorModal({
  prefill,
  onClose,
  onRecommendationResult,
}: {
  prefill: WhatIfPrefill;
  onClose: () => void;
  onRecommendationResult?: (recommendationId: string, outcome: SimulatedOutcome) => void;
}) {
  const sim = prefill.simulation;
  const rec = prefill.recommendation;
  const suppliers = useSuppliers();
  const classes = useQuery(VehicleClasses);
  const [supplierId, setSupplierId] = useState(prefill.supplierId ?? '');
  const [fromHotspot, setFromHotspot] = useState(!!prefill.hotspotId);
  const [vehicleType, setVehicle] = useState(sim?.vehicleType ?? '');
  const [fuelType, setFuel] = useState(sim?.fuelType ?? '');
  const [loadChange, setLoad] = useState(sim?.loadChange ?? 0);
  const [distanceChange, setDistance] = useState(sim?.distanceChange ?? 0);
  const [loadFactor, setLoadFactor] = useState<number | null>(sim?.loadFactor ?? null);
  const [railShare, setRail] = useState(sim?.modalShiftPct ?? 0);
  // The form still holds the recommendation's own input (its result may go back to the card).
  const [pristine, setPristine] = useState(!!sim && !!rec);
  const [run, { data, loading, error, reset }] = useMutation(Simulate);
  const r = data?.simulate;
  const hotspotId = fromHotspot && prefill.hotspotId ? prefill.hotspotId : null;
  const sid = supplierId || (hotspotId ? '' : suppliers.list[0]?.id) || '';
  const category = suppliers.byId.get(sid)?.category;
  const activity = (sim?.activity ?? category ?? 'TRANSPORT') as SimulationActivity;
  const road = activity === 'TRANSPORT' || activity === 'DELIVERY';
  const transport = activity === 'TRANSPORT';
  const mode = activity === 'DELIVERY' ? 'van' : 'hgv';
  const vehicles = (classes.data?.vehicleClasses ?? []).filter((c) => c.mode === mode && !c.electric);
  const canRun = !!(hotspotId || sid);

  const submit = (usePristine: boolean) => {
    void run({
      variables: {
        input: {
          supplierId: hotspotId ? null : sid || null,
          hotspotId,
          activity,
          vehicleType: (road && vehicleType) || null,
          fuelType: (road && fuelType) || null,
          loadChange: (road && loadChange) || null,
          distanceChange: (road && distanceChange) || null,
          loadFactor: (transport && loadFactor) || null,
          modalShift: transport && railShare > 0 ? { kind: 'ROAD_TO_RAIL', sharePct: railShare } : null,
        },
      },
    })
      .then((res) => {
        const s = res.data?.simulate;
        if (s && usePristine && rec)
          onRecommendationResult?.(rec.id, {
            scenarioId: s.id,
            delta: s.delta,
            deltaPct: s.deltaPct,
            baselineValue: s.baselineValue,
            newValue: s.newValue,
            basisEvents: s.basisEvents,
          });
      })
      .catch((e: Error) => {
        // shown in the modal; the card says it too, so its estimate is not read as confirmed
        if (usePristine && rec) onRecommendationResult?.(rec.id, { error: e.message });
      });
  };

  // Opened from a recommendation: run its input at once.
  const ran = useRef(false);
  useEffect(() => {
    if (ran.current || !sim || !canRun) return;
    ran.current = true;
    submit(pristine);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [canRun]);

  const hotspotLabel = prefill.supplierName ?? 'the hotspot';
  return (
    <Modal title={rec ? `What-if: ${rec.title}` : 'What-if simulator'} onClose={onClose} testId="whatif-modal" wide>
      {rec && (
        <p className="whatif-rec" data-testid="whatif-rec-note">
          {pristine ? "Simulating the recommendation's own input" : 'Changed from the recommendation’s input'} on{' '}
          {hotspotId ? `the hotspot's window (${hotspotLabel})` : 'recent activity'}. Its estimate:{' '}
          <strong>−{kg(rec.co2ImpactKg)} CO2e avoided</strong>.
        </p>
      )}
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit(pristine);
        }}
        onChange={() => {
          setPristine(false);
          if (r) reset();
        }}
      >
        {prefill.hotspotId && (
          <label className="field field--inline">
            <input
              type="checkbox"
              checked={fromHotspot}
              onChange={(e) => setFromHotspot(e.target.checked)}
              aria-label="Start from the hotspot"
            />
            <span>Start from the hotspot (its events and detection window)</span>
          </label>
        )}
        <label className="field">
          <span>
            Supplier (basis:{' '}
            {hotspotId ? "the hotspot's detection window" : `its last 7 days of ${activity.toLowerCase()} activity`})
          </span>
          <select
            className="input"
            value={sid}
            disabled={!!hotspotId}
            onChange={(e) => {
              setSupplierId(e.target.value);
              setVehicle('');
              setFuel('');
            }}
            aria-label="Supplier"
          >
            {(!suppliers.list.length || (hotspotId && !sid)) && (
              <option value="">{hotspotId ? hotspotLabel : 'No suppliers'}</option>
            )}
            {suppliers.list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {s.category.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        {road && (
          <div className="form__row">
            <label className="field">
              <span>Vehicle class</span>
              <select
                className="input"
                value={vehicleType}
                onChange={(e) => setVehicle(e.target.value)}
                aria-label="Vehicle type"
              >
                <option value="">Keep current</option>
                {vehicleType && !vehicles.some((v) => v.id === vehicleType) && (
                  <option value={vehicleType}>{vehicleType}</option>
                )}
                {vehicles.map((v) => (
                  <option key={v.id} value={v.id}>
                    {v.label}
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Fuel</span>
              <select className="input" value={fuelType} onChange={(e) => setFuel(e.target.value)} aria-label="Fuel">
                {fuelType && !FUELS.some(([v]) => v === fuelType) && <option value={fuelType}>{fuelType}</option>}
                {FUELS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        {road && (
          <div className="form__row">
            <label className="field">
              <span>
                Load change per trip{' '}
                <strong>
                  {loadChange > 0 ? '+' : ''}
                  {loadChange} %
                </strong>
              </span>
              <input
                type="range"
                min={-50}
                max={50}
                step={5}
                value={loadChange}
                onChange={(e) => setLoad(Number(e.target.value))}
                aria-label="Load change, percent"
              />
            </label>
            <label className="field">
              <span>
                Distance change{' '}
                <strong>
                  {distanceChange > 0 ? '+' : ''}
                  {num(distanceChange, 1)} %
                </strong>
              </span>
              <input
                type="range"
                min={-50}
                max={50}
                step={2.5}
                value={distanceChange}
                onChange={(e) => setDistance(Number(e.target.value))}
                aria-label="Distance change, percent"
              />
            </label>
          </div>
        )}
        {transport && (
          <div className="form__row">
            <label className="field">
              <span>Target load factor (same tonnage, fewer fuller trips)</span>
              <select
                className="input"
                value={loadFactor ?? ''}
                onChange={(e) => setLoadFactor(e.target.value ? Number(e.target.value) : null)}
                aria-label="Target load factor"
              >
                <option value="">Keep current</option>
                {loadFactor != null && !LOAD_FACTORS.includes(loadFactor) && (
                  <option value={loadFactor}>{pct(loadFactor * 100)}</option>
                )}
                {LOAD_FACTORS.map((f) => (
                  <option key={f} value={f}>
                    {pct(f * 100)} of the class payload
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>
                Modal shift road → rail <strong>{railShare} %</strong> of tonne-km
              </span>
              <input
                type="range"
                min={0}
                max={100}
                step={5}
                value={railShare}
                onChange={(e) => setRail(Number(e.target.value))}
                aria-label="Modal shift to rail, percent of tonne-km"
              />
            </label>
          </div>
        )}
        {!road && (
          <p className="muted small">
            Factory and warehouse figures come from metered energy or a model estimate: the current value is shown;
            vehicle, fuel and load changes apply to transport and delivery.
          </p>
        )}
        <div className="form__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="btn btn--primary" disabled={loading || !canRun} data-testid="whatif-run">
            <Icon name="flask" size={16} /> {loading ? 'Simulating…' : 'Simulate'}
          </button>
        </div>
      </form>
      {error && <ErrorState error={error} />}
      {r && (
        <section className="whatif-result" aria-live="polite" data-testid="whatif-result">
          <div className="kpis">
            <div className="kpi">
              <span>Current (stored figures)</span>
              <strong data-testid="whatif-current">{kg(r.baselineValue)}</strong>
            </div>
            <div className="kpi">
              <span>Scenario</span>
              <strong>{kg(r.newValue)}</strong>
            </div>
            <div className={`kpi kpi--${r.delta <= 0 ? 'good' : 'bad'}`}>
              <span>Delta</span>
              <strong data-testid="whatif-delta">
                {r.delta > 0 ? '+' : ''}
                {kg(r.delta)} ({r.deltaPct > 0 ? '+' : ''}
                {pct(r.deltaPct, 1)})
              </strong>
            </div>
            {rec && (
              <div className="kpi" data-testid="whatif-rec-estimate">
                <span>Recommendation&apos;s estimate</span>
                <strong>−{kg(rec.co2ImpactKg)}</strong>
              </div>
            )}
          </div>
          {rec && pristine && (
            <p className="small" data-testid="whatif-rec-compare">
              Simulated {signedKg(r.delta)} against the recommendation&apos;s −{kg(rec.co2ImpactKg)}: the estimate is
              bounded as its card says (the excess attributed to the cause, or the measure&apos;s published range); the
              simulation applies the change to every event of the basis.
            </p>
          )}
          <p className="whatif-result__explain">{r.explanation}</p>
          {r.changes.length > 0 && (
            <ul className="changes">
              {r.changes.map((c, i) => (
                <li key={i}>
                  <Chip tone="neutral">{c.feature}</Chip> {c.from != null ? `${num(c.from, 2)} → ${num(c.to, 2)}` : ''}{' '}
                  {c.note ? <span className="muted">· {c.note}</span> : null}
                </li>
              ))}
            </ul>
          )}
          <div className="whatif-sides">
            <SideSummary title="Before: methods and factors" side={r.before} testId="whatif-before" />
            <SideSummary title="After: methods and factors" side={r.after} testId="whatif-after" />
          </div>
          {r.notes.length > 0 && (
            <ul className="changes small muted" data-testid="whatif-notes">
              {r.notes.map((n, i) => (
                <li key={i}>{n}</li>
              ))}
            </ul>
          )}
          <p className="muted small">
            Basis:{' '}
            {r.hotspotId ? `hotspot window ${r.windowStart?.slice(11, 16)}–${r.windowEnd?.slice(11, 16)} UTC · ` : ''}
            {r.basisEvents} events · {r.model}
            {r.modelVersion ? ` (factor set ${r.modelVersion})` : ''} · kg CO2e well-to-wheel
          </p>
        </section>
      )}
    </Modal>
  );
}
