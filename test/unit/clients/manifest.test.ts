import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { documentId, operationsFromDocuments } from '../../../gateway/clients/documents.ts';
import { buildManifest, MANIFEST_FORMAT, printManifest, readManifest } from '../../../gateway/clients/manifest.ts';

const APOLLO = readFileSync(new URL('../../fixtures/clients/apollo-generated-manifest.json', import.meta.url), 'utf8');
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

describe('document ids', () => {
  it("are the SHA-256 of the body, as Apollo's tools compute them", () => {
    // Published ids: Apollo iOS's manifest template test, and Apollo's persisted queries docs.
    expect(documentId('query TestQuery { test }')).toBe('8ed9fcbb8ef3c853ad0ecdc920eb8216608bd7c3b32258744e9289ec0372eb30');
    expect(documentId('query UniversalQuery { __typename }')).toBe('dc67510fb4289672bea757e862d6b00e83db5d3cbbcfb15260601b6f29bb2b8f');
  });

  it('of a document: the operation first, its fragments sorted by name, printed by graphql-js', () => {
    const { operations, problems } = operationsFromDocuments([
      { file: 'a.graphql', text: 'fragment Z on User { name }\nquery Me { me { ...Z ...A } }' },
      { file: 'b.graphql', text: 'fragment A on User { id }\nfragment Unused on User { email }' },
    ]);
    expect(problems).toEqual([]);
    const [me] = operations;
    expect(me?.body).toBe('query Me {\n  me {\n    ...Z\n    ...A\n  }\n}\n\nfragment A on User {\n  id\n}\n\nfragment Z on User {\n  name\n}');
    expect(me?.id).toBe(sha256(me?.body ?? ''));
    expect(me).toMatchObject({ name: 'Me', type: 'query', file: 'a.graphql', line: 2 });
  });
});

describe('apollo-persisted-query-manifest', () => {
  it('reads a manifest written by Apollo tooling, extra keys and all', () => {
    const { operations, problems } = readManifest(APOLLO, 'm.json');
    expect(problems).toEqual([]);
    expect(operations.map((o) => o.name)).toEqual(['TopProducts', 'ProductPage']);
    for (const op of operations) expect(op.id).toBe(sha256(op.body));
    // The line of each entry's body: where a report about it points.
    const lines = APOLLO.split('\n');
    for (const op of operations) expect(lines[op.line - 1]).toContain(`"body": ${JSON.stringify(op.body).slice(0, 20)}`);
  });

  it('round-trips: import, export, import again gives the same operations and the same bytes', () => {
    const imported = readManifest(APOLLO, 'm.json').operations;
    const exported = printManifest(buildManifest(imported));
    const again = readManifest(exported, 'm.json');
    expect(again.problems).toEqual([]);
    const strip = (ops: typeof imported) => ops.map(({ id, name, type, body }) => ({ id, name, type, body }));
    expect(strip(again.operations)).toEqual(strip(imported).sort((a, b) => a.name.localeCompare(b.name)));
    expect(printManifest(buildManifest(again.operations))).toBe(exported);
    expect(JSON.parse(exported)).toEqual({ format: MANIFEST_FORMAT, version: 1, operations: expect.any(Array) });
    expect(Object.keys((JSON.parse(exported) as { operations: object[] }).operations[0] ?? {})).toEqual(['id', 'name', 'type', 'body']);
  });

  it('refuses an id that is not the SHA-256 of its body, at the line of the entry', () => {
    const body = 'query Me { me { id } }';
    const text = printManifest({ format: MANIFEST_FORMAT, version: 1, operations: [{ id: sha256('something else'), name: 'Me', type: 'query', body }] });
    const { operations, problems } = readManifest(text, 'm.json');
    expect(operations).toEqual([]);
    const bodyLine = text.split('\n').findIndex((l) => l.includes('"body"')) + 1;
    expect(problems).toEqual([expect.objectContaining({ file: 'm.json', line: bodyLine, operations: ['Me'], message: expect.stringContaining(`is not the SHA-256 of its body (${sha256(body)})`) })]);
  });

  it('refuses a body that is not exactly the named operation', () => {
    const entries = [
      { name: 'Two', type: 'query' as const, body: 'query Two { a } query Other { b }' },
      { name: 'Named', type: 'query' as const, body: 'query Wrong { a }' },
      { name: 'Kind', type: 'mutation' as const, body: 'query Kind { a }' },
      { name: 'Broken', type: 'query' as const, body: 'query Broken { a' },
    ];
    const { operations, problems } = readManifest(printManifest(buildManifest(entries)), 'm.json');
    expect(operations).toEqual([]);
    expect(problems.map((p) => p.operations[0]).sort()).toEqual(['Broken', 'Kind', 'Named', 'Two']);
    expect(problems.find((p) => p.operations[0] === 'Two')?.message).toContain('found: query Two, query Other');
  });

  it('says what is wrong with a file that is not a manifest', () => {
    expect(readManifest('{ "format": "apollo-persisted-query-manifest",\n  "version": 2, "operations": [] }', 'm.json').problems).toEqual([
      expect.objectContaining({ line: 2, message: expect.stringContaining('version') }),
    ]);
    expect(readManifest('{"operations": [', 'm.json').problems[0]?.message).toMatch(/^not JSON/);
    expect(readManifest('{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": "x"}]}', 'm.json').problems.length).toBeGreaterThan(0);
  });
});
