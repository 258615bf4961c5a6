// Label and field selectors for list and watch (k8s.io/apimachinery/pkg/labels/selector.go and
// pkg/fields/selector.go), with the field labels each kind supports (pkg/registry/core/*/strategy.go
// ToSelectableFields / GetAttrs).
import { newBadRequest } from '../../k8s/api-errors.js';
import type { KubeObject } from './store.js';

type Json = Record<string, unknown>;
export type Predicate = (object: KubeObject) => boolean;

interface Requirement {
  key: string;
  op: 'exists' | '!' | '=' | '!=' | 'in' | 'notin' | 'gt' | 'lt';
  values: string[];
}

/** Parses a label selector; an empty one selects everything. Bad syntax is 400 BadRequest. */
export function parseLabelSelector(selector: string | null): Predicate {
  if (!selector || selector.trim() === '') return () => true;
  const requirements: Requirement[] = [];
  for (const term of splitTerms(selector)) {
    const t = term.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^\s!=<>(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(t))) {
      requirements.push({
        key: m[1] ?? '',
        op: m[2] as 'in' | 'notin',
        values: (m[3] ?? '')
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== ''),
      });
    } else if ((m = /^([^\s!=<>(),]+)\s*(==|=|!=)\s*([^\s!=<>(),]*)$/.exec(t))) {
      requirements.push({ key: m[1] ?? '', op: m[2] === '!=' ? '!=' : '=', values: [m[3] ?? ''] });
    } else if ((m = /^([^\s!=<>(),]+)\s*(>|<)\s*(-?\d+)$/.exec(t))) {
      requirements.push({ key: m[1] ?? '', op: m[2] === '>' ? 'gt' : 'lt', values: [m[3] ?? ''] });
    } else if ((m = /^!\s*([^\s!=<>(),]+)$/.exec(t))) {
      requirements.push({ key: m[1] ?? '', op: '!', values: [] });
    } else if ((m = /^([^\s!=<>(),]+)$/.exec(t))) {
      requirements.push({ key: m[1] ?? '', op: 'exists', values: [] });
    } else {
      throw newBadRequest(`unable to parse requirement: found '${t}', expected: identifier`);
    }
  }
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const value = labels[r.key];
      switch (r.op) {
        case 'exists':
          return has;
        case '!':
          return !has;
        case '=':
        case 'in':
          return has && r.values.includes(value ?? '');
        case '!=':
        case 'notin':
          return !has || !r.values.includes(value ?? '');
        case 'gt':
          return has && Number(value) > Number(r.values[0]);
        case 'lt':
          return has && Number(value) < Number(r.values[0]);
      }
    });
  };
}

function splitTerms(selector: string): string[] {
  // Commas inside "in (a,b)" do not separate terms.
  const out: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of selector) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.filter((t) => t.trim() !== '');
}

const get = (object: Json, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (typeof v === 'object' && v !== null ? (v as Json)[k] : undefined), object);
const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** The selectable fields of an object: metadata.name/namespace for all, plus the kind's own. */
function selectableFields(kind: string, object: KubeObject): Record<string, string> {
  const o = object as unknown as Json;
  const fields: Record<string, string> = { 'metadata.name': str(object.metadata.name) };
  if (object.metadata.namespace !== undefined || kind !== 'Namespace') fields['metadata.namespace'] = str(object.metadata.namespace);
  const pick = (...paths: string[]): void => {
    for (const p of paths) fields[p] = str(get(o, p));
  };
  switch (kind) {
    case 'Pod': // pkg/registry/core/pod/strategy.go ToSelectableFields
      pick('spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName');
      fields['spec.hostNetwork'] = String(get(o, 'spec.hostNetwork') === true);
      break;
    case 'Event': // pkg/registry/core/event/strategy.go ToSelectableFields
      pick(
        'involvedObject.kind',
        'involvedObject.namespace',
        'involvedObject.name',
        'involvedObject.uid',
        'involvedObject.apiVersion',
        'involvedObject.resourceVersion',
        'involvedObject.fieldPath',
        'reason',
        'reportingComponent',
        'source',
        'type',
      );
      fields['source'] = str(get(o, 'source.component'));
      break;
    case 'Secret': // pkg/registry/core/secret/strategy.go SelectableFields
      pick('type');
      break;
    case 'Namespace': // pkg/registry/core/namespace/strategy.go NamespaceToSelectableFields
      pick('status.phase');
      fields['name'] = str(object.metadata.name);
      break;
    case 'Node': // pkg/registry/core/node/strategy.go NodeToSelectableFields
      fields['spec.unschedulable'] = String(get(o, 'spec.unschedulable') === true);
      break;
  }
  return fields;
}

/** Parses a field selector for a kind; a field the kind does not support is upstream's 400. */
export function parseFieldSelector(kind: string, selector: string | null): Predicate {
  if (!selector || selector.trim() === '') return () => true;
  const terms: { field: string; value: string; equal: boolean }[] = [];
  for (const term of selector.split(',')) {
    const m = /^([^=!]+?)(==|=|!=)(.*)$/.exec(term.trim());
    if (!m) throw newBadRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    terms.push({ field: m[1] ?? '', value: m[3] ?? '', equal: m[2] !== '!=' });
  }
  const supported = Object.keys(selectableFields(kind, { metadata: { name: '', namespace: '' } }));
  for (const t of terms) {
    // pkg/registry/generic/registry/store.go via fields.Requirements conversion errors.
    if (!supported.includes(t.field)) throw newBadRequest(`field label not supported: ${t.field}`);
  }
  return (object) => {
    const fields = selectableFields(kind, object);
    return terms.every((t) => (fields[t.field] === t.value) === t.equal);
  };
}

/** Both selectors of a list or watch request. */
export function selectorPredicate(kind: string, query: URLSearchParams): Predicate {
  const labels = parseLabelSelector(query.get('labelSelector'));
  const fields = parseFieldSelector(kind, query.get('fieldSelector'));
  return (object) => labels(object) && fields(object);
}
