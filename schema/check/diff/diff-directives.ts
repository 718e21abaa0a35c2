import { isSpecifiedDirective, type GraphQLDirective, type GraphQLSchema } from 'graphql';
import { directiveLocationKey, directiveRepeatedKey } from '../usage-keys.ts';
import { change, type SchemaChange } from './change-kinds.ts';
import { diffDescription } from './diff-docs.ts';
import { diffInputValues, directiveArgKinds } from './diff-input-values.ts';

/**
 * Diffs directive definitions. The built-in ones (@skip, @include, @deprecated, …) are left
 * out: they come with graphql itself, not with anyone's schema change.
 */
export function diffDirectives(oldSchema: GraphQLSchema, newSchema: GraphQLSchema): SchemaChange[] {
  const oldDirectives = custom(oldSchema);
  const newDirectives = custom(newSchema);
  const changes: SchemaChange[] = [];
  for (const [name, oldDirective] of oldDirectives) {
    const coordinate = `@${name}`;
    const newDirective = newDirectives.get(name);
    if (!newDirective) {
      changes.push(change('DIRECTIVE_REMOVED', coordinate, `directive ${coordinate} was removed`, [coordinate]));
      continue;
    }
    changes.push(...diffDirective(oldDirective, newDirective, newSchema));
  }
  for (const name of newDirectives.keys()) {
    if (oldDirectives.has(name)) continue;
    changes.push(change('DIRECTIVE_ADDED', `@${name}`, `directive @${name} was added`, []));
  }
  return changes;
}

function diffDirective(oldDirective: GraphQLDirective, newDirective: GraphQLDirective, newSchema: GraphQLSchema): SchemaChange[] {
  const coordinate = `@${oldDirective.name}`;
  const changes = diffDescription(oldDirective.description, newDirective.description, coordinate);
  const newLocations = new Set<string>(newDirective.locations);
  const oldLocations = new Set<string>(oldDirective.locations);
  for (const location of oldLocations) {
    if (newLocations.has(location)) continue;
    // Only uses at that location break; the directive stays valid everywhere else.
    changes.push(
      change('DIRECTIVE_LOCATION_REMOVED', coordinate, `directive ${coordinate} can no longer be used on ${location}`, [
        directiveLocationKey(oldDirective.name, location),
      ]),
    );
  }
  for (const location of newLocations) {
    if (oldLocations.has(location)) continue;
    changes.push(change('DIRECTIVE_LOCATION_ADDED', coordinate, `directive ${coordinate} can now be used on ${location}`, []));
  }
  if (oldDirective.isRepeatable && !newDirective.isRepeatable) {
    // A single use per node stays valid; only repeating it breaks.
    changes.push(
      change('DIRECTIVE_REPEATABLE_REMOVED', coordinate, `directive ${coordinate} is no longer repeatable`, [directiveRepeatedKey(oldDirective.name)]),
    );
  } else if (!oldDirective.isRepeatable && newDirective.isRepeatable) {
    changes.push(change('DIRECTIVE_REPEATABLE_ADDED', coordinate, `directive ${coordinate} is now repeatable`, []));
  }
  changes.push(
    ...diffInputValues(
      oldDirective.args,
      newDirective.args,
      { coordinateOf: (arg) => `${coordinate}(${arg}:)`, ownerKey: coordinate, label: 'directive argument' },
      directiveArgKinds,
      newSchema,
    ),
  );
  return changes;
}

function custom(schema: GraphQLSchema): Map<string, GraphQLDirective> {
  return new Map(schema.getDirectives().filter((d) => !isSpecifiedDirective(d)).map((d) => [d.name, d]));
}
