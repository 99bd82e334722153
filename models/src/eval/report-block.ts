/** The hotspot evaluation writes its results into REPORT.md between these markers; the models eval keeps them. */
export const HOTSPOT_BLOCK_START = '<!-- hotspot-eval:start -->';
export const HOTSPOT_BLOCK_END = '<!-- hotspot-eval:end -->';

/** `next` with the hotspot-eval block of `prev` (markers included, byte for byte) appended; `next` alone without one. */
export function withHotspotBlock(prev: string | null, next: string): string {
  if (!prev) return next;
  const a = prev.indexOf(HOTSPOT_BLOCK_START);
  const b = prev.indexOf(HOTSPOT_BLOCK_END, a);
  if (a < 0 || b < 0) return next;
  return `${next}\n${prev.slice(a, b + HOTSPOT_BLOCK_END.length)}\n`;
}
