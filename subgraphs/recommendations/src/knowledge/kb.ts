// The knowledge base shipped with the plugin: decarbonisation measures with their sources, validated at load and
// indexed for BM25+ search (minisearch) over title, description and tags.
import fs from 'node:fs';
import { z } from 'zod';
import MiniSearch from 'minisearch';
import { CAUSES, type Cause } from '../domain/diagnosis.ts';

export const CATEGORIES = ['transport', 'factory', 'warehouse', 'delivery'] as const;
export const VEHICLE_CLASSES = ['truck', 'van', 'bike', 'forklift'] as const;
export const FUEL_CLASSES = ['diesel', 'petrol', 'gas', 'electric', 'hvo', 'biodiesel'] as const;
export const SIGNALS = [
  'refrigerated',
  'idling',
  'high speed',
  'long haul',
  'urban',
  'electricity',
  'low load',
] as const;

export const measureSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(5),
    description: z.string().min(20),
    category: z.enum(CATEGORIES),
    /** Typical reduction of the emissions the measure acts on, percent. */
    reductionPct: z
      .object({ min: z.number().min(0).max(100), max: z.number().min(0).max(100) })
      .refine((r) => r.min <= r.max, 'min must be ≤ max'),
    /** Typical share of a supplier's emissions the measure acts on, percent. */
    affectedSharePct: z.number().gt(0).max(100),
    costLevel: z.enum(['LOW', 'MEDIUM', 'HIGH']),
    feasibility: z.number().min(0).max(1),
    appliesTo: z.object({
      categories: z.array(z.enum(CATEGORIES)).min(1),
      vehicleTypes: z.array(z.enum(VEHICLE_CLASSES)),
      fuelTypes: z.array(z.enum(FUEL_CLASSES)),
      requires: z.array(z.enum(SIGNALS)),
    }),
    tags: z.array(z.string().min(2)).min(2),
    source: z.object({
      publisher: z.string().min(2),
      title: z.string().min(5),
      year: z.number().int().min(1990).max(2030),
      url: z.string().url().optional(),
    }),
    figures: z.string().min(10),
    /** The diagnosed causes this measure answers (src/domain/diagnosis.ts). */
    addresses: z.array(z.enum(CAUSES as [Cause, ...Cause[]])).min(1),
    /** emissions: reduces the emissions it acts on by reductionPct; excess: corrects the excess attributed to its cause. */
    actsOn: z.enum(['emissions', 'excess']).default('emissions'),
    /** orchestration `simulate` input that models this measure (the hotspot id is added). */
    simulate: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

export type Measure = z.infer<typeof measureSchema>;

export const knowledgeFileSchema = z.object({
  version: z.string(),
  note: z.string(),
  measures: z.array(measureSchema).min(1),
});

export const DEFAULT_KB_PATH = new URL('../../knowledge/measures.json', import.meta.url);

export function loadMeasures(path: URL | string = DEFAULT_KB_PATH): Measure[] {
  const raw = JSON.parse(fs.readFileSync(path, 'utf8'));
  const r = knowledgeFileSchema.safeParse(raw);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`knowledge base ${String(path)}: ${i.path.join('.')}: ${i.message}`);
  }
  const ids = new Set<string>();
  for (const m of r.data.measures) {
    if (ids.has(m.id)) throw new Error(`knowledge base ${String(path)}: duplicate measure id ${m.id}`);
    ids.add(m.id);
  }
  return r.data.measures;
}

export function citation(m: Measure): string {
  return `${m.source.publisher}, "${m.source.title}" (${m.source.year})${m.source.url ? ` ${m.source.url}` : ''} — typical range ${m.reductionPct.min}–${m.reductionPct.max} %`;
}

const STOP = new Set([
  'the',
  'a',
  'an',
  'and',
  'or',
  'of',
  'to',
  'in',
  'on',
  'for',
  'with',
  'by',
  'at',
  'is',
  'are',
  'be',
  'as',
  'so',
  'from',
  'per',
  'than',
  'that',
  'this',
  'it',
  'its',
  'not',
  'no',
  'e',
  'g',
]);

export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 1 && !STOP.has(t));
}

export interface SearchHit {
  measure: Measure;
  /** BM25+ score */
  relevance: number;
}

export class KnowledgeBase {
  readonly measures: Measure[];
  readonly byId: Map<string, Measure>;
  private index: MiniSearch<{ id: string; title: string; description: string; tags: string }>;

  constructor(measures: Measure[]) {
    this.measures = measures;
    this.byId = new Map(measures.map((m) => [m.id, m]));
    this.index = new MiniSearch({
      fields: ['title', 'description', 'tags'],
      idField: 'id',
      tokenize: (t) => tokens(t),
      processTerm: (t) => (STOP.has(t) ? null : t.toLowerCase()),
      searchOptions: {
        boost: { title: 2, tags: 1.5 },
        combineWith: 'OR',
        prefix: (term) => term.length > 4,
        fuzzy: (term) => (term.length > 6 ? 0.15 : false),
      },
    });
    this.index.addAll(
      measures.map((m) => ({ id: m.id, title: m.title, description: m.description, tags: m.tags.join(' ') })),
    );
  }

  static load(path?: URL | string): KnowledgeBase {
    return new KnowledgeBase(loadMeasures(path));
  }

  /** BM25+ search; `filter` narrows the candidates before scoring is returned. */
  search(query: string, filter?: (m: Measure) => boolean): SearchHit[] {
    if (!query.trim()) return [];
    return this.index
      .search(query)
      .map((r) => ({ measure: this.byId.get(String(r.id))!, relevance: r.score }))
      .filter((h) => h.measure && (!filter || filter(h.measure)));
  }

  /** Browse: search when given, else all (optionally one category), in file order. */
  browse(search: string | null | undefined, category: string | null | undefined): SearchHit[] {
    const inCategory = (m: Measure) =>
      !category || m.category === category || (m.appliesTo.categories as readonly string[]).includes(category);
    if (search && search.trim()) return this.search(search, inCategory);
    return this.measures.filter(inCategory).map((measure) => ({ measure, relevance: Number.NaN }));
  }
}
