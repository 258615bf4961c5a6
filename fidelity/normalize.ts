// Normalizing and diffing the two servers' answers. Only values that differ on every run by construction are
// replaced (uids, timestamps, resourceVersions, generated-name suffixes, the server URL, ages in tables) and
// lists are put in a stable order; every other difference — including fields only one server has — is reported
// and must be either fixed or listed in known-differences.ts with its reason.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export interface NormalizeContext {
  /** The server URL on this side, replaced by `<server>`. */
  url: string;
}

/** Replaces run-specific values and sorts lists; returns plain JSON. */
export function normalize(value: unknown, ctx: NormalizeContext): Json {
  return walk(JSON.parse(JSON.stringify(value ?? null)) as Json, ctx, []);
}

/** A Table's Age cells ("5s", "2m3s") are run-specific like kubectl's AGE column; date cells are times. */
function normalizeTableCells(table: { [key: string]: Json }): void {
  const columns = table.columnDefinitions;
  if (!Array.isArray(columns) || !Array.isArray(table.rows)) return;
  const ageAt = new Set(columns.flatMap((c, i) => (c && typeof c === 'object' && !Array.isArray(c) && (c.name === 'Age' || c.type === 'date') ? [i] : [])));
  for (const row of table.rows) {
    if (!row || typeof row !== 'object' || Array.isArray(row) || !Array.isArray(row.cells)) continue;
    row.cells = row.cells.map((cell, i) => (ageAt.has(i) && typeof cell === 'string' ? '<age>' : cell));
  }
}

function walk(value: Json, ctx: NormalizeContext, path: string[]): Json {
  if (typeof value === 'string') return normalizeString(value, ctx);
  if (value && typeof value === 'object' && !Array.isArray(value) && value.kind === 'Table') normalizeTableCells(value);
  if (Array.isArray(value)) {
    const items = value.map((v, i) => walk(v, ctx, [...path, String(i)]));
    return sortList(items, path);
  }
  if (value === null || typeof value !== 'object') return value;
  const out: { [key: string]: Json } = {};
  const meta = value as { generateName?: Json; name?: Json };
  for (const key of Object.keys(value).sort()) {
    const v = value[key]!;
    if ((key === 'uid' || key === 'resourceVersion') && typeof v === 'string' && v !== '') out[key] = `<${key}>`;
    else if (key === 'continue' && typeof v === 'string' && v !== '') out[key] = '<continue>';
    else if (key === 'name' && typeof v === 'string' && typeof meta.generateName === 'string' && v.startsWith(meta.generateName) && v !== meta.generateName) {
      out[key] = `${meta.generateName}<random>`;
    } else out[key] = walk(v, ctx, [...path, key]);
  }
  return out;
}

function normalizeString(s: string, ctx: NormalizeContext): string {
  if (rfc3339.test(s)) return '<time>';
  return s.split(ctx.url).join('<server>');
}

/** Lists whose order a server does not promise are sorted: items by namespace/name, rows by their first cell. */
function sortList(items: Json[], path: string[]): Json[] {
  const last = path.at(-1);
  const key = (v: Json): string => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const m = v.metadata as { namespace?: string; name?: string } | undefined;
      if (m?.name !== undefined) return `${m.namespace ?? ''}/${m.name}`;
      if (last === 'rows' && Array.isArray(v.cells)) return JSON.stringify(v.cells[0] ?? '');
    }
    return JSON.stringify(v);
  };
  // Ordered lists (containers, args, ports, table columns, patches…) keep their order; sets and object lists are sorted.
  const unordered = new Set(['items', 'rows', 'resourceRules', 'nonResourceRules', 'verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs', 'finalizers', 'groups']);
  if (!last || !unordered.has(last)) return items;
  return [...items].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** kubectl's human output: the server URL and the AGE column are run-specific. */
export function normalizeText(text: string, ctx: NormalizeContext): string[] {
  const lines = text.split(ctx.url).join('<server>').split('\n');
  // `kubectl get a,b` prints one table per kind, each with its own header: the AGE column moves with it.
  let ageAt: number | undefined;
  return lines
    .map((line) => {
      if (/^(NAME|NAMESPACE)\s/.test(line)) ageAt = /\bAGE\b/.exec(line)?.index;
      return (
        line
          // ages as kubectl prints them (5s, 2m3s, 10m, 3h4m, 2d)
          .replace(/(?<=\s)(\d+[smhd])+(?=\s|$)/g, (m: string, _g: string, offset: number) => (offset === ageAt ? '<age>' : m))
          .replace(/(?<=Start Time:\s+).*/, '<time>')
          // table cells printed as timestamps (CREATED AT of roles and the default table): the two servers create
          // their objects a second apart under load; same width, so the columns stay aligned.
          .replace(/\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})(?=\s|$)/g, '<time>')
      );
    })
    .filter((line, i, all) => !(i === all.length - 1 && line === ''));
}

export interface Difference {
  path: string;
  real: Json | undefined;
  embedded: Json | undefined;
}

/** Every leaf where the two answers differ; a field only one side has is one difference at its path. */
export function diff(real: Json | undefined, embedded: Json | undefined, path = ''): Difference[] {
  if (JSON.stringify(real) === JSON.stringify(embedded)) return [];
  const isObj = (v: Json | undefined): v is { [k: string]: Json } => v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(real) && isObj(embedded)) {
    const keys = [...new Set([...Object.keys(real), ...Object.keys(embedded)])].sort();
    return keys.flatMap((k) => diff(real[k], embedded[k], path ? `${path}.${k}` : k));
  }
  if (Array.isArray(real) && Array.isArray(embedded)) {
    const n = Math.max(real.length, embedded.length);
    return Array.from({ length: n }, (_, i) => diff(real[i], embedded[i], `${path}[${i}]`)).flat();
  }
  return [{ path, real, embedded }];
}
