// Which hotspot does a detection window speak for? A hotspot is an episode: its [windowStart, windowEnd) spans the
// detection windows that found it. A window only ever moves episodes FORWARD in time, so detection over past windows
// (a backfill, detectHotspotsRange, detectHotspots with a past window) never touches what later windows found:
//  - the window ends strictly inside an existing hotspot's span (any status)  -> already covered: nothing changes;
//  - else the entity's hotspot that ends latest at or before the window's end is active -> the window continues it:
//    resolve (under the lowest threshold), escalate (a higher level, with evidence), or update in place;
//  - else (none, or that one is resolved): with a level and evidence -> a new hotspot for this window.
// So a live hotspot keeps its id, alerts and recommendations whatever past windows are (re-)examined, and examining
// the same past range twice adds nothing the second time.
import { levelRank, type Level } from './severity.ts';

export interface EpisodeHotspot {
  id: string;
  status: string;
  severity: string;
  windowStart: Date;
  windowEnd: Date;
}

export type Decision =
  | { kind: 'covered' }
  | { kind: 'create' }
  | { kind: 'none' }
  | { kind: 'resolve' | 'escalate' | 'update'; hotspot: EpisodeHotspot };

export const isActive = (status: string) => status === 'open' || status === 'acknowledged';

/**
 * @param covering a hotspot of the entity whose span strictly contains the window's end (if any)
 * @param previous the entity's hotspot with the latest windowEnd ≤ the window's end (if any)
 */
export function decide(
  m: { level: Level | null; significant: boolean },
  covering: EpisodeHotspot | undefined,
  previous: EpisodeHotspot | undefined,
): Decision {
  if (covering) return { kind: 'covered' };
  if (previous && isActive(previous.status)) {
    if (!m.level) return { kind: 'resolve', hotspot: previous };
    if (m.significant && levelRank(m.level) > levelRank(previous.severity))
      return { kind: 'escalate', hotspot: previous };
    return { kind: 'update', hotspot: previous };
  }
  return m.level && m.significant ? { kind: 'create' } : { kind: 'none' };
}
