import { buildSchema } from 'graphql';
import type { QueryPlanSelectionNode } from '@apollo/query-planner';
import { describe, expect, it } from 'vitest';
import { compiledWriter, distinct, representationWriter, selectInputs } from '../../../gateway/graphql/engine/representations.ts';
import type { ResultObject } from '../../../gateway/graphql/engine/types.ts';

const schema = buildSchema(`
  interface Media { id: ID! }
  type Book implements Media { id: ID! isbn: String author: Author tags: [String] }
  type Movie implements Media { id: ID! title: String cast: [Author] }
  type Author { id: ID! name: String address: Address }
  type Address { city: String zip: Int }
  type Query { media: [Media] }
`);

const field = (name: string, selections?: QueryPlanSelectionNode[], alias?: string): QueryPlanSelectionNode =>
  ({ kind: 'Field', name, ...(alias ? { alias } : {}), ...(selections ? { selections } : {}) }) as QueryPlanSelectionNode;
const on = (typeCondition: string | undefined, selections: QueryPlanSelectionNode[]): QueryPlanSelectionNode =>
  ({ kind: 'InlineFragment', ...(typeCondition ? { typeCondition } : {}), selections }) as QueryPlanSelectionNode;

/** What the executor sent before the writers: the reference the compiled form must equal. */
function reference(requires: QueryPlanSelectionNode[], entity: ResultObject): string | null {
  const representation = selectInputs(schema, entity, requires);
  return representation && representation.__typename ? JSON.stringify(representation) : null;
}

const shapes: Record<string, QueryPlanSelectionNode[]> = {
  'key of one type': [on('Book', [field('__typename'), field('id')])],
  'keys of two types': [on('Book', [field('__typename'), field('isbn')]), on('Movie', [field('__typename'), field('id')])],
  '@requires with nested object and list': [
    on('Book', [field('__typename'), field('id'), field('tags'), field('author', [field('id'), field('address', [field('city'), field('zip')])])]),
    on('Movie', [field('__typename'), field('id'), field('cast', [field('id'), field('name')])]),
  ],
  'fields without fragments': [field('__typename'), field('id'), field('isbn', undefined, 'code')],
  'nested fragments': [on('Movie', [field('__typename'), field('id'), field('cast', [on('Author', [field('id')])])])],
};

/** Entities as merged data holds them: complete, missing inputs, nulls, odd values, other types. */
function entities(seed: number): ResultObject[] {
  let x = seed;
  const rand = (): number => ((x = (x * 1103515245 + 12345) % 2147483648) / 2147483648);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(rand() * values.length)] as T;
  const maybe = (value: unknown): Record<string, unknown> => (rand() < 0.15 ? {} : { v: value });
  const out: ResultObject[] = [];
  for (let i = 0; i < 400; i++) {
    const o: Record<string, unknown> = {};
    const set = (k: string, value: unknown): void => {
      const m = maybe(value);
      if ('v' in m) o[k] = m.v;
    };
    set('__typename', pick(['Book', 'Movie', 'Author', '', 'Unknown', 7, null]));
    set('id', pick(['1', '2', 'é"\\\n', 3, null]));
    set('isbn', pick(['x', null, '0-1']));
    set('code', pick(['c', null]));
    set('tags', pick([['a', 'b'], [], null, [null, 'z']]));
    set('title', pick(['T', null]));
    set('author', pick([null, 'scalar', [], { id: 'a1', address: { city: 'Oslo', zip: 1 } }, { id: 'a2' }, { id: 'a3', address: null }, { address: { city: 'x', zip: 2 } }]));
    set('cast', pick([null, [], [{ id: 'p', name: 'P' }, null, { name: 'no id' }, 'scalar', [{ id: 'nested' }]], { id: 'one' }]));
    out.push(o as ResultObject);
  }
  return out;
}

describe('representation writers', () => {
  for (const [name, requires] of Object.entries(shapes)) {
    it(`${name}: the compiled text is what selectInputs and JSON.stringify make, entity by entity`, () => {
      const write = compiledWriter(schema, requires);
      // The common shapes must not fall back (else this would compare the reference with itself).
      expect(write).not.toBeNull();
      let sent = 0;
      for (const entity of entities(name.length)) {
        const expected = reference(requires, entity);
        expect(write?.(entity) ?? null).toBe(expected);
        if (expected !== null) sent++;
      }
      expect(sent).toBeGreaterThan(20);
    });
  }

  it('shapes that need merging are left to selectInputs', () => {
    expect(compiledWriter(schema, [on('Media', [field('__typename'), field('id')])])).toBeNull();
    expect(compiledWriter(schema, [on('Book', [field('id')]), on('Book', [field('isbn')])])).toBeNull();
    expect(compiledWriter(schema, [field('id'), on('Book', [field('isbn')])])).toBeNull();
    expect(compiledWriter(schema, [field('id'), field('id')])).toBeNull();
    // And they still write what the reference does.
    const requires = [on('Media', [field('__typename'), field('id')])];
    const write = representationWriter(schema, requires, undefined);
    for (const entity of entities(3)) expect(write(entity)).toBe(reference(requires, entity));
  });

  it('input rewrites apply before the text is written', () => {
    const requires = [on('Book', [field('__typename'), field('id')])];
    const write = representationWriter(schema, requires, [{ kind: 'ValueSetter', path: ['... on Book', '__typename'], setValueTo: 'Media' }]);
    expect(write({ __typename: 'Book', id: '1' } as ResultObject)).toBe('{"__typename":"Media","id":"1"}');
  });

  it('distinct sends each text once and maps every representation to it', () => {
    const { sent, of } = distinct(['a', 'b', 'a', 'c', 'b'], true);
    expect(sent).toEqual(['a', 'b', 'c']);
    expect(of).toEqual([0, 1, 0, 2, 1]);
    expect(distinct(['a', 'a'], false)).toEqual({ sent: ['a', 'a'], of: [0, 1] });
  });
});
