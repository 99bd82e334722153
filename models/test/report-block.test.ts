import { describe, expect, it } from 'vitest';
import { HOTSPOT_BLOCK_END, HOTSPOT_BLOCK_START, withHotspotBlock } from '../src/eval/report-block.js';

describe('REPORT.md rewrite keeps the hotspot evaluation block', () => {
  it('copies the block verbatim (markers included) after the new report, and nothing else of the old one', () => {
    const block = `${HOTSPOT_BLOCK_START}\n## Hotspots\n| a | b |\n|---|---|\n| 1 | 2 |  \n${HOTSPOT_BLOCK_END}`;
    const prev = `# old report\nstale numbers\n\n${block}\ntrailing text`;
    const next = withHotspotBlock(prev, '# new report\nfresh numbers');
    expect(next).toBe(`# new report\nfresh numbers\n${block}\n`);
    // running it again keeps exactly one copy
    expect(withHotspotBlock(next, '# newer')).toBe(`# newer\n${block}\n`);
  });
  it('without a previous file or block the report is written as is', () => {
    expect(withHotspotBlock(null, '# r')).toBe('# r');
    expect(withHotspotBlock('# old, no block', '# r')).toBe('# r');
    expect(withHotspotBlock(`${HOTSPOT_BLOCK_START} unterminated`, '# r')).toBe('# r');
  });
});
