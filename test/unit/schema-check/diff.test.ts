import { readFileSync } from 'node:fs';
import { buildSchema, type GraphQLOutputType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { apiSchemaOfSupergraph } from '../../../schema/check/api-schema.ts';
import { changeKinds } from '../../../schema/check/diff/change-kinds.ts';
import { diffSchemas } from '../../../schema/check/diff/diff-schemas.ts';
import { compareTypes } from '../../../schema/check/diff/type-compat.ts';

const kinds = (before: string, after: string): string[] => diffSchemas(buildSchema(before), buildSchema(after)).map((c) => `${c.kind} ${c.coordinate}`);

describe('diffSchemas', () => {
  it('finds nothing between a schema and itself', () => {
    const sdl = readFileSync(new URL('../../fixtures/schema-changes/workspace/schema/supergraph.graphql', import.meta.url), 'utf8');
    expect(diffSchemas(apiSchemaOfSupergraph(sdl), apiSchemaOfSupergraph(sdl))).toEqual([]);
  });

  it('ignores built-in directives and scalars', () => {
    expect(kinds('type Query { a: Int }', 'type Query { a: Int b: Float }')).toEqual(['FIELD_ADDED Query.b']);
  });

  it('says only that the kind changed, not what changed inside', () => {
    expect(kinds('type Query { a: A } type A { x: Int }', 'type Query { a: A } interface A { y: Int }')).toEqual(['TYPE_KIND_CHANGED A']);
  });

  it('reports a mixed nullability change on an output as breaking', () => {
    expect(kinds('type Query { a: [Int!] }', 'type Query { a: [Int]! }')).toEqual(['FIELD_MADE_NULLABLE Query.a']);
  });

  it('reports a mixed nullability change on an input as a type change', () => {
    expect(kinds('type Query { a(x: [Int]!): Int }', 'type Query { a(x: [Int!]): Int }')).toEqual(['ARG_TYPE_CHANGED Query.a(x:)']);
  });

  it('reports removing a deprecated field as breaking all the same', () => {
    const changes = diffSchemas(buildSchema('type Query { a: Int @deprecated b: Int }'), buildSchema('type Query { b: Int }'));
    expect(changes).toMatchObject([{ kind: 'FIELD_REMOVED', criticality: 'breaking', message: 'field Query.a was removed (it was deprecated)' }]);
  });

  it('has a reason for every kind', () => {
    for (const spec of Object.values(changeKinds)) expect(spec.reason.length).toBeGreaterThan(10);
  });
});

describe('compareTypes', () => {
  const types = 'interface N { id: ID } type A implements N { id: ID } type B { id: ID }';
  const schema = buildSchema(`type Query { n: N } ${types}`);
  /** A type reference as written in SDL, e.g. `[A!]`. */
  const t = (reference: string): GraphQLOutputType => {
    const field = buildSchema(`type Query { x: ${reference} } ${types}`).getQueryType()?.getFields().x;
    if (!field) throw new Error(`cannot build ${reference}`);
    return field.type;
  };

  it('sees narrowing to an implementation', () => {
    expect(compareTypes(t('N'), t('A'), schema)).toMatchObject({ narrowed: true, incompatible: false });
  });
  it('sees an unrelated type as incompatible', () => {
    expect(compareTypes(t('N'), t('B'), schema)).toMatchObject({ incompatible: true });
  });
  it('tells an outermost non-null from an inner one', () => {
    expect(compareTypes(t('[A]'), t('[A]!'), schema)).toMatchObject({ stricter: true, stricterOutermostOnly: true });
    expect(compareTypes(t('[A]'), t('[A!]'), schema)).toMatchObject({ stricter: true, stricterOutermostOnly: false });
  });
});
