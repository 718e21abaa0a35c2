import { Kind, type ConstDirectiveNode, type DirectiveNode } from 'graphql';

/** One `@include` / `@skip` on a selection: a literal, or a variable read per request. */
export type Condition =
  | { readonly kind: 'literal'; readonly include: boolean }
  | { readonly kind: 'variable'; readonly name: string; readonly include: boolean };

export type VariableValues = Readonly<Record<string, unknown>>;

/** The conditions of a selection's directives; `@skip(if: x)` holds when x is false. */
export function conditionsOf(directives: ReadonlyArray<DirectiveNode | ConstDirectiveNode> | undefined): Condition[] {
  const out: Condition[] = [];
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name !== 'include' && name !== 'skip') continue;
    const include = name === 'include';
    const value = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    if (value?.kind === Kind.BOOLEAN) out.push({ kind: 'literal', include: value.value === include });
    else if (value?.kind === Kind.VARIABLE) out.push({ kind: 'variable', name: value.name.value, include });
  }
  return out;
}

/**
 * Whether every condition lets the selection through. The operation was validated, so a
 * variable used in `if:` is a Boolean (a default applies when it was not sent).
 */
export function conditionsHold(conditions: readonly Condition[], variables: VariableValues): boolean {
  for (const c of conditions) {
    if (c.kind === 'literal') {
      if (!c.include) return false;
    } else if ((variables[c.name] === true) !== c.include) return false;
  }
  return true;
}
