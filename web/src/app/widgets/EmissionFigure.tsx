// One event's emission figure as data-core computed it: the value, a method chip whose popover shows how (factors
// with id, version, source and boundary; the TTW/WTT split; why a default stood in), and ml-engine's model estimate
// beside a recorded figure. A MODEL figure still waiting for its estimate is marked pending, never shown as 0.
import { graphql } from '../../gql';
import type { EventFigureFragment } from '../../gql/graphql';
import { Chip, Popover } from '../ui/ui.tsx';
import { kg, num } from '../lib/format.ts';

export const EventFigure = graphql(`
  fragment EventFigure on Event {
    id co2eKg ttwKg wttKg method boundary methodNote pending factorSet dataSource
    factors { id version activity unit value boundary source quantity result role }
    prediction { id co2eKg lowerKg upperKg model modelVersion }
  }
`);

export type FigureEvent = EventFigureFragment;

const METHOD_WORDS: Record<string, string> = {
  FUEL: 'measured fuel × the fuel’s tank-to-wheel + well-to-tank factors',
  ENERGY: 'metered energy × the grid (and gas) factors',
  ACTIVITY: 'distance (× load) × the vehicle class’s tank-to-wheel + well-to-tank factors',
  MODEL: 'ml-engine’s estimate where activity data is missing',
  GAP_FILL: 'a predicted fill for a missing supplier-hour',
};

const isPending = (e: FigureEvent) => e.pending || (e.co2eKg == null && e.method === 'MODEL');

/** Whether ml-engine's estimate is a second opinion beside a recorded figure (not the figure itself). */
const hasSecondOpinion = (e: FigureEvent) =>
  !!e.prediction && e.co2eKg != null && e.method !== 'MODEL' && e.method !== 'GAP_FILL';

/** "model estimate 119 kg, recorded 147 kg" */
export function modelBesideText(e: FigureEvent): string | null {
  if (!hasSecondOpinion(e)) return null;
  return `model estimate ${kg(e.prediction!.co2eKg)}, recorded ${kg(e.co2eKg)}`;
}

function denominator(unit: string): string {
  const parts = unit.split('/');
  return parts.length > 1 ? parts[parts.length - 1].trim() : '';
}

export function MethodDetails({ e }: { e: FigureEvent }) {
  const pending = isPending(e);
  const ttw = e.ttwKg ?? null;
  const wtt = e.wttKg ?? null;
  const split = ttw != null && wtt != null && ttw + wtt > 0 ? (ttw / (ttw + wtt)) * 100 : null;
  return (
    <div className="method" data-testid="method-details">
      <p className="method__head">
        <strong>{e.method ?? 'No method'}</strong>
        {e.method && METHOD_WORDS[e.method] ? <span> — {METHOD_WORDS[e.method]}</span> : null}
      </p>
      {pending ? (
        <p className="method__pending" data-testid="method-pending">
          Figure pending: ml-engine’s model estimate has not arrived yet. It is left out of totals until it does.
        </p>
      ) : (
        <>
          <p className="method__figure" data-testid="method-split">
            {kg(e.co2eKg)} CO2e {e.boundary ?? ''}
            {ttw != null && wtt != null ? (
              <>
                {' '}
                = {kg(ttw)} TTW (tank-to-wheel) + {kg(wtt)} WTT (well-to-tank)
              </>
            ) : null}
          </p>
          {split != null && (
            <div
              className="method__bar"
              role="img"
              aria-label={`Tank-to-wheel ${num(split, 0)} %, well-to-tank ${num(100 - split, 0)} %`}
            >
              <span className="method__ttw" style={{ width: `${split}%` }} />
              <span className="method__wtt" style={{ width: `${100 - split}%` }} />
            </div>
          )}
        </>
      )}
      {e.methodNote && (
        <p className="method__note" data-testid="method-note">
          {e.methodNote}
        </p>
      )}
      {e.factors.length > 0 && (
        <ul className="method__factors" aria-label="Factors applied">
          {e.factors.map((f, i) => (
            <li key={`${f.id}@${f.version}#${i}`} data-testid="method-factor">
              <div className="method__factor-head">
                <code>{f.id}</code>
                <span className="muted small">{f.version}</span>
                <Chip tone={f.role === 'BASIS' ? 'neutral' : f.boundary === 'WTT' ? 'info' : 'accent'}>
                  {f.role === 'BASIS' ? 'basis' : f.boundary}
                </Chip>
              </div>
              <div className="small">
                {num(f.quantity, 2)} {denominator(f.unit)} × {num(f.value, 5)} {f.unit} ={' '}
                <strong>{f.role === 'BASIS' ? `${num(f.result, 1)} kWh` : kg(f.result)}</strong>
              </div>
              <div className="muted small method__source">{f.source}</div>
            </li>
          ))}
        </ul>
      )}
      {e.factorSet && <p className="muted small">Factor set {e.factorSet}</p>}
      {e.prediction && (
        <p className="small" data-testid="method-model">
          {e.method === 'MODEL' ? 'The figure is' : 'Model estimate beside it:'} {kg(e.prediction.co2eKg)}
          {e.prediction.lowerKg != null && e.prediction.upperKg != null
            ? ` (80 % interval ${kg(e.prediction.lowerKg)}–${kg(e.prediction.upperKg)})`
            : ''}{' '}
          by {e.prediction.model} {e.prediction.modelVersion}
          {hasSecondOpinion(e) ? `; recorded ${kg(e.co2eKg)} by ${e.method}` : ''}. A model estimate never replaces a
          recorded figure.
        </p>
      )}
    </div>
  );
}

/** The method chip: opens the details. */
export function MethodChip({ e }: { e: FigureEvent }) {
  const pending = isPending(e);
  const method = e.method ?? (e.dataSource === 'GAP_FILL' ? 'GAP_FILL' : null);
  if (!method) return null;
  const word = method === 'GAP_FILL' ? 'predicted' : method.toLowerCase();
  return (
    <Popover
      label={`How this figure was computed: ${method}${pending ? ', pending' : ''}`}
      trigger={pending ? `${word} · pending` : word}
      className={`chip chip--button ${pending ? 'chip--warn' : method === 'GAP_FILL' ? 'chip--neutral' : 'chip--accent'}`}
      testId="method-chip"
      panelTestId="method-popover"
    >
      <MethodDetails e={e} />
    </Popover>
  );
}

/** ml-engine's estimate as a second opinion, for a line of its own ("model estimate 119 kg"). */
export function ModelBeside({ e, className }: { e: FigureEvent; className?: string }) {
  const beside = modelBesideText(e);
  if (!beside) return null;
  return (
    <span className={className ?? 'figure__model muted'} data-testid="figure-model" title={beside}>
      model estimate {kg(e.prediction!.co2eKg)}
    </span>
  );
}

/** The figure, with the model estimate under it when it is a second opinion (`withModel`). */
export function FigureValue({ e, withModel = true }: { e: FigureEvent; withModel?: boolean }) {
  if (isPending(e))
    return (
      <span className="figure" data-testid="figure-pending">
        <Chip
          tone="warn"
          title="Figure pending: ml-engine's model estimate has not arrived yet (not in totals until it does)"
        >
          pending
        </Chip>
      </span>
    );
  return (
    <span className="figure">
      <span className="figure__value" data-testid="figure-value">
        {kg(e.co2eKg)}
      </span>
      {withModel && <ModelBeside e={e} />}
    </span>
  );
}
