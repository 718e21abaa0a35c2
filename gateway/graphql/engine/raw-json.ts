/**
 * JSON text already written (a fetch's representations, see representations.ts), to be
 * embedded as is where a subgraph request's variables are serialized, instead of being
 * parsed back into objects only to be written again.
 */
export class RawJson {
  constructor(readonly text: string) {}

  static list(texts: readonly string[]): RawJson {
    return new RawJson(`[${texts.join(',')}]`);
  }
}

/** `JSON.stringify(variables)`, with `RawJson` values written as they are. */
export function variablesJson(variables: Readonly<Record<string, unknown>>): string {
  let text = '';
  for (const name of Object.keys(variables)) {
    const value = variables[name];
    if (value === undefined) continue;
    text += `${text === '' ? '{' : ','}${JSON.stringify(name)}:${value instanceof RawJson ? value.text : JSON.stringify(value)}`;
  }
  return text === '' ? '{}' : `${text}}`;
}
