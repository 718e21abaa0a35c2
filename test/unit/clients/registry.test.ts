import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Kind, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { clientsOfDoor, findClient, findVersion, loadClientRegistry, parseDoor, type ClientRegistry, type ClientVersion } from '../../../gateway/clients/registry.ts';
import { buildBffSchema } from '../../../schema/check/bff-contracts.ts';
import { collectUsage } from '../../../schema/check/usage.ts';

const ROOT = new URL('../../..', import.meta.url).pathname;
const BROKEN = new URL('../../fixtures/clients/', import.meta.url).pathname;
const sha256 = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

function versionOf(registry: ClientRegistry, client: string, version: string): ClientVersion | undefined {
  const found = findClient(registry, client);
  return found ? findVersion(found, version) : undefined;
}

describe("the project's client registry (schema/clients)", () => {
  it('loads without problems: every client, its door, its versions', async () => {
    const registry = await loadClientRegistry({ root: ROOT, bffs: ['admin', 'mobile', 'web'] });
    expect(registry.problems).toEqual([]);
    expect(registry.clients.map((c) => [c.name, c.door.path, c.versions.map((v) => v.version)])).toEqual([
      ['admin', '/bff/admin/graphql', ['1.0']],
      ['mobile', '/bff/mobile/graphql', ['1.0', '2.0']],
      ['web', '/bff/web/graphql', ['1.0']],
      ['web-graphql', '/graphql', ['1.0']],
    ]);
    expect(clientsOfDoor(registry, '/graphql').map((c) => c.name)).toEqual(['web-graphql']);
    for (const client of registry.clients) {
      for (const version of client.versions) {
        expect(version.operations.length).toBeGreaterThan(0);
        for (const op of version.operations) expect(op.id).toBe(sha256(op.body));
      }
    }
  });

  it('mobile 1.0 reads a field of the mobile BFF that 2.0 no longer reads: the version a retirement unblocks', async () => {
    const registry = await loadClientRegistry({ root: ROOT });
    const schema = buildBffSchema(await readFile(`${ROOT}bffs/mobile/schema.graphql`, 'utf8'), 'bffs/mobile/schema.graphql');
    const reads = (version: string): Set<string> =>
      new Set(versionOf(registry, 'mobile', version)?.operations.flatMap((op) => [...collectUsage(schema, op.document).keys()]) ?? []);
    expect(reads('1.0').has('ActiveOrder.itemCount')).toBe(true);
    expect(reads('2.0').has('ActiveOrder.itemCount')).toBe(false);
  });

  it('a document operation carries its fragments and its source location; a manifest operation its entry line', async () => {
    const registry = await loadClientRegistry({ root: ROOT });
    const order = versionOf(registry, 'mobile', '2.0')?.operations.find((o) => o.name === 'MobileOrder');
    expect(order).toMatchObject({ origin: 'document', file: 'schema/clients/mobile/2.0/order.graphql', type: 'query' });
    expect(order?.document.definitions.map((d) => d.kind)).toEqual([Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION]);
    expect(order?.body).toBe(print(order?.document ?? { kind: Kind.DOCUMENT, definitions: [] }));
    const catalog = findClient(registry, 'web-graphql')?.versions[0]?.operations ?? [];
    const manifest = await readFile(`${ROOT}schema/clients/web-graphql/1.0/persisted-query-manifest.json`, 'utf8');
    for (const op of catalog) {
      expect(op.origin).toBe('manifest');
      expect(manifest.split('\n')[op.line - 1]).toContain(`"body": "${op.type} ${op.name}`);
    }
  });
});

describe('registry problems', () => {
  it('reports each problem with its file and line, and still loads what is valid', async () => {
    const registry = await loadClientRegistry({ root: BROKEN, dir: 'broken-registry', bffs: ['mobile'] });
    const problem = (pattern: RegExp) => registry.problems.find((p) => pattern.test(p.message));
    expect(registry.clients.map((c) => c.name)).toEqual(['app']);
    expect(findClient(registry, 'app')?.versions.map((v) => v.version)).toEqual(['1.0', '3.0']);
    expect(versionOf(registry, 'app', '1.0')?.operations.map((o) => o.name)).toEqual(['Fine']);

    expect(problem(/has no client\.yaml/)).toMatchObject({ file: 'broken-registry/nodoor/client.yaml', client: 'nodoor' });
    expect(problem(/client folder "Bad_Name"/)).toBeDefined();
    expect(problem(/door "\/api\/v1\/orders"/)).toMatchObject({ file: 'broken-registry/baddoor/client.yaml', line: 3 });
    expect(problem(/there is no BFF "ghost"/)).toMatchObject({ file: 'broken-registry/ghost/client.yaml', line: 1 });
    expect(problem(/needs a name/)).toMatchObject({ file: 'broken-registry/app/1.0/ops.graphql', line: 7, client: 'app', version: '1.0' });
    expect(problem(/operation "Fine" is also defined at broken-registry\/app\/1\.0\/ops\.graphql:1/)).toMatchObject({ line: 11 });
    expect(problem(/fragment "Me" is also defined/)).toMatchObject({ line: 19 });
    expect(problem(/is not the SHA-256 of its body/)).toMatchObject({ file: 'broken-registry/app/1.0/forged.json', operations: ['Forged'] });
    expect(problem(/not a client document/)).toMatchObject({ file: 'broken-registry/app/1.0/notes.txt' });
    expect(problem(/version 2\.0 of app registers no operations/)).toMatchObject({ version: '2.0' });
    expect(registry.problems).toHaveLength(10);
  });

  it('is empty, without problems, when the folder does not exist', async () => {
    expect(await loadClientRegistry({ root: BROKEN, dir: 'no-such-folder' })).toEqual({ dir: 'no-such-folder', clients: [], problems: [] });
  });

  it('parses doors', () => {
    expect(parseDoor('/graphql')).toEqual({ kind: 'supergraph', path: '/graphql' });
    expect(parseDoor('/bff/mobile/graphql')).toEqual({ kind: 'bff', bff: 'mobile', path: '/bff/mobile/graphql' });
    expect(parseDoor('/bff/Mobile/graphql')).toBeUndefined();
    expect(parseDoor('/api/v1/orders')).toBeUndefined();
  });
});
