import { Source, buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { assessChanges, usageOf } from '../../../schema/check/assess.ts';
import { diffSchemas } from '../../../schema/check/diff/diff-schemas.ts';
import type { KnownOperation } from '../../../schema/check/operations.ts';
import type { AssessedChange } from '../../../schema/check/result.ts';
import { SubgraphIndex } from '../../../schema/check/subgraph-index.ts';

/**
 * Usage precision: a breaking change fails exactly the operations it breaks. For changes
 * that break by validation, the oracle is graphql-js itself: an operation is reported as
 * using the change if and only if it no longer validates against the new schema.
 */
function operations(documents: Record<string, string>): KnownOperation[] {
  return Object.entries(documents).map(([name, text]) => ({ name, type: 'query', file: `${name}.graphql`, line: 1, document: parse(new Source(text, `${name}.graphql`)) }));
}

function check(before: string, after: string, documents: Record<string, string>): { changes: AssessedChange[]; invalidAfter: string[] } {
  const [oldSchema, newSchema] = [buildSchema(before), buildSchema(after)];
  const ops = operations(documents);
  for (const op of ops) expect(validate(oldSchema, op.document), `${op.name} must be valid before the change`).toEqual([]);
  const none = new SubgraphIndex([], false);
  const changes = assessChanges(diffSchemas(oldSchema, newSchema), usageOf(ops, [oldSchema, newSchema]), none, none, new Map());
  const invalidAfter = ops.filter((op) => validate(newSchema, op.document).length > 0).map((op) => op.name);
  return { changes, invalidAfter };
}

function usersOf(changes: readonly AssessedChange[], kind: string): string[] {
  const found = changes.filter((c) => c.kind === kind);
  expect(found.length, `one ${kind} change`).toBe(1);
  return (found[0]?.usedBy ?? []).map((u) => u.operation).sort();
}

describe('usage precision', () => {
  it('a removed directive location fails only operations using the directive there', () => {
    const { changes, invalidAfter } = check(
      'directive @lower on FIELD | FRAGMENT_SPREAD type Query { me: User } type User { name: String }',
      'directive @lower on FIELD type Query { me: User } type User { name: String }',
      {
        OnField: '{ me { name @lower } }',
        OnSpread: '{ me { ...N @lower } } fragment N on User { name }',
        Without: '{ me { name } }',
      },
    );
    expect(usersOf(changes, 'DIRECTIVE_LOCATION_REMOVED')).toEqual(['OnSpread']);
    expect(invalidAfter).toEqual(['OnSpread']);
  });

  it('a directive no longer repeatable fails only operations repeating it', () => {
    const { changes, invalidAfter } = check(
      'directive @tag(name: String) repeatable on FIELD type Query { a: Int b: Int }',
      'directive @tag(name: String) on FIELD type Query { a: Int b: Int }',
      {
        Once: '{ a @tag(name: "x") b @tag(name: "y") }',
        Twice: '{ a @tag(name: "x") @tag(name: "y") }',
      },
    );
    expect(usersOf(changes, 'DIRECTIVE_REPEATABLE_REMOVED')).toEqual(['Twice']);
    expect(invalidAfter).toEqual(['Twice']);
  });

  it('an argument made required fails the operations that omit it or may pass null, not those that pass a value', () => {
    const { changes, invalidAfter } = check('type Query { users(first: Int): [Int] }', 'type Query { users(first: Int!): [Int] }', {
      Literal: '{ users(first: 5) }',
      RequiredVariable: 'query RequiredVariable($n: Int!) { users(first: $n) }',
      Omitted: '{ users }',
      NullLiteral: '{ users(first: null) }',
      NullableVariable: 'query NullableVariable($n: Int) { users(first: $n) }',
    });
    expect(usersOf(changes, 'ARG_MADE_REQUIRED')).toEqual(['NullLiteral', 'NullableVariable', 'Omitted']);
    expect(invalidAfter.sort()).toEqual(['NullLiteral', 'NullableVariable', 'Omitted']);
  });

  it('an argument made non-null with a default fails only operations that may pass null', () => {
    const { changes } = check('type Query { users(first: Int): [Int] }', 'type Query { users(first: Int! = 10): [Int] }', {
      Omitted: '{ users }',
      NullLiteral: '{ users(first: null) }',
      // Valid against the new schema, but a client sending {"n": null} is refused at run time.
      DefaultedVariable: 'query DefaultedVariable($n: Int = 5) { users(first: $n) }',
    });
    expect(usersOf(changes, 'ARG_MADE_REQUIRED')).toEqual(['DefaultedVariable', 'NullLiteral']);
  });

  it('an input field and a directive argument made required: the same rule', () => {
    const { changes, invalidAfter } = check(
      'directive @fmt(style: String) on FIELD input F { tier: String name: String } type Query { users(filter: F): [Int] me: String }',
      'directive @fmt(style: String!) on FIELD input F { tier: String! name: String } type Query { users(filter: F): [Int] me: String }',
      {
        SendsTier: '{ users(filter: { tier: "gold" }) }',
        OmitsTier: '{ users(filter: { name: "a" }) }',
        WholeVariable: 'query WholeVariable($f: F) { users(filter: $f) }',
        PassesStyle: '{ me @fmt(style: "short") }',
        OmitsStyle: '{ me @fmt }',
      },
    );
    expect(usersOf(changes, 'INPUT_FIELD_MADE_REQUIRED')).toEqual(['OmitsTier', 'WholeVariable']);
    expect(usersOf(changes, 'DIRECTIVE_ARG_MADE_REQUIRED')).toEqual(['OmitsStyle']);
    // A variable's JSON is not validated ahead of time: WholeVariable may still be refused at run time.
    expect(invalidAfter.sort()).toEqual(['OmitsStyle', 'OmitsTier']);
  });

  it('a changed default matters only to operations that leave the argument out', () => {
    const { changes } = check('type Query { users(first: Int = 10): [Int] }', 'type Query { users(first: Int = 20): [Int] }', {
      Passes: '{ users(first: 3) }',
      Omits: '{ users }',
      MaybeUnset: 'query MaybeUnset($n: Int) { users(first: $n) }',
    });
    expect(usersOf(changes, 'ARG_DEFAULT_CHANGED')).toEqual(['MaybeUnset', 'Omits']);
  });

  it('an output narrowed from an abstract type to one member is breaking for the fragments on the other members', () => {
    const types = 'interface Playable { id: ID! } type Episode implements Playable { id: ID! season: Int } type Movie implements Playable { id: ID! runtime: Int }';
    const { changes, invalidAfter } = check(
      `type Query { playlist: [Playable!]! featured: Playable } ${types}`,
      `type Query { playlist: [Episode!]! featured: Playable } ${types}`,
      {
        MovieInline: '{ playlist { id ... on Movie { runtime } } }',
        MovieNamed: '{ playlist { ...M } } fragment M on Movie { runtime }',
        MovieUnderTypelessFragment: '{ playlist { ... { ... on Movie { runtime } } } }',
        EpisodeOnly: '{ playlist { id ... on Episode { season } } }',
        InterfaceOnly: '{ playlist { id ... on Playable { id } } }',
        OtherField: '{ featured { ... on Movie { runtime } } }',
      },
    );
    const narrowed = changes.find((c) => c.kind === 'FIELD_TYPE_NARROWED');
    expect(narrowed).toMatchObject({ criticality: 'breaking', severity: 'error', coordinate: 'Query.playlist' });
    expect(usersOf(changes, 'FIELD_TYPE_NARROWED')).toEqual(['MovieInline', 'MovieNamed', 'MovieUnderTypelessFragment']);
    expect(invalidAfter.sort()).toEqual(['MovieInline', 'MovieNamed', 'MovieUnderTypelessFragment']);
  });

  it('a union narrowed to one member: fragments on the other members and on overlapping interfaces', () => {
    const types = 'interface Node { id: ID! } type User implements Node { id: ID! } type Product { sku: String } union Hit = User | Product';
    const { changes, invalidAfter } = check(`type Query { search: [Hit] } ${types}`, `type Query { search: [User] } ${types}`, {
      OnProduct: '{ search { ... on Product { sku } } }',
      OnNode: '{ search { ... on Node { id } } }',
      OnUser: '{ search { ... on User { id } } }',
    });
    expect(changes.find((c) => c.kind === 'FIELD_TYPE_NARROWED')?.message).toContain('fragments on Product no longer apply');
    expect(usersOf(changes, 'FIELD_TYPE_NARROWED')).toEqual(['OnProduct']);
    expect(invalidAfter).toEqual(['OnProduct']);
  });
});
