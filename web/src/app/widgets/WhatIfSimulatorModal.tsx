// What-if (orchestration simulate): vehicle type, fuel, load change, modal shift -> new value, delta, explanation.
import { useState } from 'react';
import { useMutation } from '@apollo/client';
import { graphql } from '../../gql';
import { Modal, Chip, Icon, ErrorState } from '../ui/ui.tsx';
import { kg, num, pct } from '../lib/format.ts';
import { useSuppliers } from '../lib/suppliers.ts';
import type { WhatIfPrefill } from '../lib/dashboard.ts';

const Simulate = graphql(`
  mutation Simulate($input: SimulationInput!) {
    simulate(input: $input) {
      id baselineValue newValue delta deltaPct explanation basisEvents model modelVersion
      changes { feature from to note }
    }
  }
`);

// What the simulator's models cover (orchestration validates the same lists).
const VEHICLES: Record<string, [string, string][]> = {
  TRANSPORT: [
    ['', 'Keep current'],
    ['rigid_diesel', 'Rigid truck (diesel)'],
    ['articulated_diesel', 'Articulated truck (diesel)'],
    ['van_diesel', 'Van (diesel)'],
    ['van_ev', 'Van (electric)'],
    ['ev', 'Electric truck'],
  ],
  DELIVERY: [
    ['', 'Keep current'],
    ['van_diesel', 'Van (diesel)'],
    ['van_ev', 'Van (electric)'],
    ['ecargo_bike', 'E-cargo bike'],
  ],
};
const FUELS: [string, string][] = [
  ['', 'Keep current'],
  ['diesel', 'Diesel'],
  ['electric', 'Battery-electric'],
];
type Activity = 'TRANSPORT' | 'DELIVERY' | 'FACTORY' | 'WAREHOUSE';

export function WhatIfSimulatorModal({ prefill, onClose }: { prefill: WhatIfPrefill; onClose: () => void }) {
  const suppliers = useSuppliers();
  const [supplierId, setSupplierId] = useState(prefill.supplierId ?? '');
  const [vehicleType, setVehicle] = useState('');
  const [fuelType, setFuel] = useState('');
  const [loadChange, setLoad] = useState(0);
  const [railShare, setRail] = useState(0);
  const [run, { data, loading, error, reset }] = useMutation(Simulate);
  const r = data?.simulate;
  const sid = supplierId || suppliers.list[0]?.id || '';
  const activity = (suppliers.byId.get(sid)?.category ?? 'TRANSPORT') as Activity;
  const vehicles = VEHICLES[activity];
  const transport = activity === 'TRANSPORT';

  const submit = () => {
    void run({
      variables: {
        input: {
          supplierId: sid || null,
          activity,
          vehicleType: (vehicles && vehicleType) || null,
          fuelType: (vehicles && fuelType) || null,
          loadChange: loadChange || null,
          modalShift: transport && railShare > 0 ? { kind: 'ROAD_TO_RAIL', sharePct: railShare } : null,
        },
      },
    }).catch(() => {});
  };

  return (
    <Modal title="What-if simulator" onClose={onClose} testId="whatif-modal">
      <form
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
        onChange={() => r && reset()}
      >
        <label className="field">
          <span>Supplier (basis: its last 7 days of {activity.toLowerCase()} activity)</span>
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
        {vehicles && (
        <div className="form__row">
          <label className="field">
            <span>Vehicle type</span>
            <select className="input" value={vehicleType} onChange={(e) => setVehicle(e.target.value)} aria-label="Vehicle type">
              {vehicles.map(([v, l]) => (
                <option key={v} value={v}>{l}</option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>Fuel</span>
            <select className="input" value={fuelType} onChange={(e) => setFuel(e.target.value)} aria-label="Fuel">
              {FUELS.map(([v, l]) => (
                <option key={v} value={v}>{l}</option>
              ))}
            </select>
          </label>
        </div>
        )}
        <label className="field">
          <span>
            {activity === 'TRANSPORT' ? 'Load' : activity === 'DELIVERY' ? 'Parcels' : 'Output'} change per trip <strong>{loadChange > 0 ? '+' : ''}{loadChange} %</strong>
          </span>
          <input type="range" min={-50} max={50} step={5} value={loadChange} onChange={(e) => setLoad(Number(e.target.value))} aria-label="Load change, percent" />
        </label>
        {transport && (
        <label className="field">
          <span>
            Modal shift road → rail <strong>{railShare} %</strong> of tonne-km
          </span>
          <input type="range" min={0} max={100} step={5} value={railShare} onChange={(e) => setRail(Number(e.target.value))} aria-label="Modal shift to rail, percent of tonne-km" />
        </label>
        )}
        <div className="form__actions">
          <button type="button" className="btn btn--ghost" onClick={onClose}>Close</button>
          <button type="submit" className="btn btn--primary" disabled={loading || !sid} data-testid="whatif-run">
            <Icon name="flask" size={16} /> {loading ? 'Simulating…' : 'Simulate'}
          </button>
        </div>
      </form>
      {error && <ErrorState error={error} />}
      {r && (
        <section className="whatif-result" aria-live="polite" data-testid="whatif-result">
          <div className="kpis">
            <div className="kpi"><span>Current</span><strong>{kg(r.baselineValue)}</strong></div>
            <div className="kpi"><span>Scenario</span><strong>{kg(r.newValue)}</strong></div>
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
                  <Chip tone="neutral">{c.feature}</Chip> {num(c.from, 2)} → {num(c.to, 2)} {c.note ? <span className="muted">· {c.note}</span> : null}
                </li>
              ))}
            </ul>
          )}
          <p className="muted small">
            Basis: {r.basisEvents} events · {r.model}
            {r.modelVersion ? `@${r.modelVersion}` : ''} · kg CO2e
          </p>
        </section>
      )}
    </Modal>
  );
}
