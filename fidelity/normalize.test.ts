// The normalizer only hides what differs on every run by construction; everything else must reach the diff.
import { describe, expect, it } from 'vitest';
import { classify } from './known-differences.js';
import { diff, normalize, normalizeText, type Json } from './normalize.js';

const ctx = { url: 'https://127.0.0.1:4443' };

describe('normalize', () => {
  it('replaces uids, resourceVersions, timestamps, generated-name suffixes and the server URL', () => {
    const pod = {
      metadata: { name: 'web-x7k2p', generateName: 'web-', uid: 'a-b-c', resourceVersion: '42', creationTimestamp: '2026-11-27T06:00:00Z' },
      status: { message: 'see https://127.0.0.1:4443/api' },
    };
    expect(normalize(pod, ctx)).toEqual({
      metadata: { name: 'web-<random>', generateName: 'web-', uid: '<uid>', resourceVersion: '<resourceVersion>', creationTimestamp: '<time>' },
      status: { message: 'see <server>/api' },
    });
  });

  it('sorts items and RBAC rule sets but keeps containers in order', () => {
    const list = { items: [{ metadata: { name: 'b' } }, { metadata: { name: 'a' } }], spec: { containers: [{ name: 'z' }, { name: 'y' }] } };
    expect(normalize(list, ctx)).toEqual({ items: [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }], spec: { containers: [{ name: 'z' }, { name: 'y' }] } });
  });

  it('hides the AGE column of each table, and only that column', () => {
    const text = 'NAME   ROLE   AGE\nr1     x      5s\n\nNAME   AGE\nrb1    2m3s\nrb2    10s\n';
    expect(normalizeText(text, ctx)).toEqual(['NAME   ROLE   AGE', 'r1     x      <age>', '', 'NAME   AGE', 'rb1    <age>', 'rb2    <age>']);
    expect(normalizeText('NAME   RESTARTS   AGE\np      5s         3s', ctx)).toEqual(['NAME   RESTARTS   AGE', 'p      5s         <age>']);
  });

  it('hides CREATED AT timestamps, which differ by a second between the servers under load (issue 13)', () => {
    const real = 'NAME           CREATED AT\ntenant-admin   2026-12-07T00:48:12Z\n';
    const embedded = 'NAME           CREATED AT\ntenant-admin   2026-12-07T00:48:13Z\n';
    expect(normalizeText(real, ctx)).toEqual(normalizeText(embedded, ctx));
    expect(normalizeText(real, ctx)).toEqual(['NAME           CREATED AT', 'tenant-admin   <time>']);
  });

  it("hides a Table's Age and date cells (the Table API's counterpart of the AGE column)", () => {
    const table = (age: string, created: string) => ({
      kind: 'Table',
      columnDefinitions: [
        { name: 'Name', type: 'string' },
        { name: 'Age', type: 'string' },
        { name: 'Created At', type: 'date' },
      ],
      rows: [{ cells: ['web', age, created] }],
    });
    const real = normalize(table('5s', '2026-12-07T00:48:12Z'), ctx);
    expect(real).toEqual(normalize(table('6s', '2026-12-07T00:48:13Z'), ctx));
    expect((real as { rows: { cells: Json[] }[] }).rows[0]!.cells).toEqual(['web', '<age>', '<age>']);
  });
});

describe('diff and classify', () => {
  it('reports a field only one side has, and classifies only listed differences', () => {
    const differences = diff({ metadata: { managedFields: [] }, spec: { priority: 0 } }, { metadata: {}, spec: {} });
    expect(differences.map((d) => d.path)).toEqual(['metadata.managedFields', 'spec.priority']);
    const { documented, undocumented } = classify('any', differences);
    expect(documented.map((d) => d.known.id)).toEqual(['managed-fields']);
    expect(undocumented.map((d) => d.path)).toEqual(['spec.priority']);
  });
});
