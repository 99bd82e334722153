// What-if (orchestration simulate, recomputed by data-core's method engine): vehicle class, fuel (HVO, CNG, LNG,
// battery-electric), load change, modal shift — for a supplier's recent activity or a hotspot's window. Shows the
// current value (the stored figures), the scenario, and the methods and factors behind both.
import { useState } from 'react';
import { useMutation, useQuery } from '@apollo/client';
import { graphql } from '../../gql';
import { Modal, Chip, Icon, ErrorState } from '../ui/ui.tsx';
import { kg, num, pct } from '../lib/format.ts';
import { useSuppliers } from '../lib/suppliers.ts';
import type { WhatIfPrefill } from '../lib/dashboard.ts';

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
type Activity = 'TRANSPORT' | 'DELIVERY' | 'FACTORY' | 'WAREHOUSE';
type Side = { co2eKg: number; methods: { method: string; events: number; co2eKg: number }[]; factors: { id: string; version: string; source: string; co2eKg: number }[] };

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

export function WhatIfSimulatorModal({ prefill, onClose }: { prefill: WhatIfPrefill; onClose: () => void }) {
  const suppliers = useSuppliers();
  const classes = useQuery(VehicleClasses);
  const [supplierId, setSupplierId] = useState(prefill.supplierId ?? '');
  const [fromHotspot, setFromHotspot] = useState(!!prefill.hotspotId);
  const [vehicleType, setVehicle] = useState('');
  const [fuelType, setFuel] = useState('');
  const [loadChange, setLoad] = useState(0);
  const [railShare, setRail] = useState(0);
  const [run, { data, loading, error, reset }] = useMutation(Simulate);
  const r = data?.simulate;
  const sid = supplierId || suppliers.list[0]?.id || '';
  const activity = (suppliers.byId.get(sid)?.category ?? 'TRANSPORT') as Activity;
  const road = activity === 'TRANSPORT' || activity === 'DELIVERY';
  const transport = activity === 'TRANSPORT';
  const mode = activity === 'DELIVERY' ? 'van' : 'hgv';
  const vehicles = (classes.data?.vehicleClasses ?? []).filter((c) => c.mode === mode && !c.electric);
  const hotspotId = fromHotspot && prefill.hotspotId && sid === prefill.supplierId ? prefill.hotspotId : null;

  const submit = () => {
    void run({
      variables: {
        input: {
          supplierId: hotspotId ? null : sid || null,
          hotspotId,
          activity: hotspotId ? null : activity,
          vehicleType: (road && vehicleType) || null,
          fuelType: (road && fuelType) || null,
          loadChange: (road && loadChange) || null,
          modalShift: transport && railShare > 0 ? { kind: 'ROAD_TO_RAIL', sharePct: railShare } : null,
        },
      },
    }).catch(() => {});
  };

  return (
    <Modal title="What-if simulator" onClose={onClose} testId="whatif-modal" wide>
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onChange={() => r && reset()}
      >
        <label className="field">
          <span>Supplier (basis: {hotspotId ? "the hotspot's detection window" : `its last 7 days of ${activity.toLowerCase()} activity`})</span>
          <select
            className="input"
            value={sid}
            onChange={(e) => {
              setSupplierId(e.target.value);
              setVehicle('');
              setFuel('');
            }}
            aria-label="Supplier"
          >
            {!suppliers.list.length && <option value="">No suppliers</option>}
            {suppliers.list.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} · {s.category.toLowerCase()}
              </option>
            ))}
          </select>
        </label>
        {prefill.hotspotId && sid === prefill.supplierId && (
          <label className="field field--inline">
            <input type="checkbox" checked={fromHotspot} onChange={(e) => setFromHotspot(e.target.checked)} aria-label="Start from the hotspot" />
            <span>Start from the hotspot (its events and window)</span>
          </label>
        )}
        {road && (
          <div className="form__row">
            <label className="field">
              <span>Vehicle class</span>
              <select className="input" value={vehicleType} onChange={(e) => setVehicle(e.target.value)} aria-label="Vehicle type">
                <option value="">Keep current</option>
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
          <label className="field">
            <span>
              Load change per trip <strong>{loadChange > 0 ? '+' : ''}{loadChange} %</strong>
            </span>
            <input type="range" min={-50} max={50} step={5} value={loadChange} onChange={(e) => setLoad(Number(e.target.value))} aria-label="Load change, percent" />
          </label>
        )}
        {transport && (
          <label className="field">
            <span>
              Modal shift road → rail <strong>{railShare} %</strong> of tonne-km
            </span>
            <input type="range" min={0} max={100} step={5} value={railShare} onChange={(e) => setRail(Number(e.target.value))} aria-label="Modal shift to rail, percent of tonne-km" />
          </label>
        )}
        {!road && <p className="muted small">Factory and warehouse figures come from metered energy or a model estimate: the current value is shown; vehicle, fuel and load changes apply to transport and delivery.</p>}
        <div className="form__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>
            Close
          </button>
          <button type="submit" className="btn btn--primary" disabled={loading || !sid} data-testid="whatif-run">
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
          </div>
          <p className="whatif-result__explain">{r.explanation}</p>
          {r.changes.length > 0 && (
            <ul className="changes">
              {r.changes.map((c, i) => (
                <li key={i}>
                  <Chip tone="neutral">{c.feature}</Chip> {c.from != null ? `${num(c.from, 2)} → ${num(c.to, 2)}` : ''} {c.note ? <span className="muted">· {c.note}</span> : null}
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
            Basis: {r.hotspotId ? `hotspot window ${r.windowStart?.slice(11, 16)}–${r.windowEnd?.slice(11, 16)} UTC · ` : ''}
            {r.basisEvents} events · {r.model}
            {r.modelVersion ? ` (factor set ${r.modelVersion})` : ''} · kg CO2e well-to-wheel
          </p>
        </section>
      )}
    </Modal>
  );
}
