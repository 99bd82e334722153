// Which fields a resolver's result is asked for (through inline fragments and fragment spreads), so a batch query
// can leave out columns nobody reads (e.g. the per-prediction explanation JSON on list views).
import type { GraphQLResolveInfo, SelectionSetNode } from 'graphql';

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Set<string> {
  const out = new Set<string>();
  const walk = (set: SelectionSetNode | undefined) => {
    for (const s of set?.selections ?? []) {
      if (s.kind === 'Field') out.add(s.name.value);
      else if (s.kind === 'InlineFragment') walk(s.selectionSet);
      else walk(info.fragments[s.name.value]?.selectionSet);
    }
  };
  for (const f of info.fieldNodes) walk(f.selectionSet);
  return out;
}
