import { dirname, resolve } from 'node:path';
import ts from 'typescript';

/**
 * The doc comments of a zod schema's keys, read from its TypeScript source by the type
 * checker, keyed by path (`server.port`, `routes[].name`, `upstreams.*`, `auth.doors.rest|2.anyOf`).
 *
 * The why-comments on each key are the config's documentation and stay in the source as
 * JSDoc, where an editor shows them on hover in a `defineConfig` file. Copying them into
 * `.describe()` strings would keep two texts of every comment that drift apart; instead
 * the checker follows the schema's type (zod keeps each object's shape in it, and a
 * shape's properties are the object literal's, with their JSDoc) through every module the
 * sections come from, `.extend()` and helper functions included.
 *
 * Path segments: `.key` for an object's key, `[]` for array items, `.*` for record values,
 * `|i` for the i-th option of a union, as `walkSchema` walks the JSON Schema. `<path>#` is
 * the doc of the named schema a key's value is built from (`accessRequirementSchema`),
 * for the shared definitions.
 */
export function schemaDocs(sourceFile: string, exportName: string, tsconfigPath = 'tsconfig.json'): Map<string, string> {
  const program = ts.createProgram([sourceFile], compilerOptions(tsconfigPath));
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(sourceFile);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  const schema = moduleSymbol && checker.getExportsOfModule(moduleSymbol).find((s) => s.name === exportName);
  if (!schema) throw new Error(`${sourceFile} exports no ${exportName}`);

  const docs = new Map<string, string>();
  const propertyType = (type: ts.Type, name: string): ts.Type | undefined => {
    const symbol = type.getProperty(name);
    return symbol && checker.getTypeOfSymbol(symbol);
  };
  const seen = new Set<ts.Type>();
  const walk = (type: ts.Type | undefined, path: string): void => {
    const internals = type && propertyType(type, '_zod');
    const def = internals && propertyType(internals, 'def');
    const kind = def && propertyType(def, 'type');
    if (!def || !kind?.isStringLiteral()) return;
    switch (kind.value) {
      case 'object': {
        const shape = propertyType(def, 'shape');
        // A recursive schema would loop; ours has none, but the walk must end regardless.
        if (!shape || seen.has(shape)) return;
        seen.add(shape);
        for (const property of shape.getProperties()) {
          const key = path === '' ? property.name : `${path}.${property.name}`;
          const { own, named } = docOf(property, checker);
          if (own || named) docs.set(key, own || named);
          if (named) docs.set(`${key}#`, named);
          walk(checker.getTypeOfSymbol(property), key);
        }
        seen.delete(shape);
        return;
      }
      case 'default':
      case 'prefault':
      case 'optional':
      case 'nullable':
      case 'nonoptional':
      case 'readonly':
      case 'catch':
        return walk(propertyType(def, 'innerType'), path);
      case 'pipe':
        walk(propertyType(def, 'in'), path);
        return walk(propertyType(def, 'out'), path);
      case 'array':
        return walk(propertyType(def, 'element'), `${path}[]`);
      case 'record':
        return walk(propertyType(def, 'valueType'), `${path}.*`);
      case 'union': {
        const options = propertyType(def, 'options');
        if (options && checker.isTupleType(options)) {
          checker.getTypeArguments(options as ts.TypeReference).forEach((option, i) => walk(option, `${path}|${i}`));
        }
        return;
      }
      default:
        return;
    }
  };
  walk(checker.getTypeOfSymbol(schema), '');
  return docs;
}

/**
 * A key's own JSDoc, and, when its value is a named schema of our source (`retry:
 * retrySchema.prefault({})`), that schema's JSDoc (the key's doc when it has none).
 */
function docOf(property: ts.Symbol, checker: ts.TypeChecker): { own: string; named: string } {
  // The shape's property is the checker's copy of the literal's: its declarations are the literal's.
  const declaration = property.declarations?.find(ts.isPropertyAssignment);
  if (!declaration) return { own: '', named: '' };
  const own = jsDocText(declaration);
  let expression: ts.Expression = declaration.initializer;
  while (ts.isCallExpression(expression) || ts.isPropertyAccessExpression(expression)) expression = expression.expression;
  if (!ts.isIdentifier(expression)) return { own, named: '' };
  let symbol = checker.getSymbolAtLocation(expression);
  if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
  const named = symbol?.valueDeclaration;
  if (!named || !ts.isVariableDeclaration(named) || named.getSourceFile().fileName.includes('/node_modules/')) return { own, named: '' };
  return { own, named: jsDocText(named) };
}

/**
 * The text of the JSDoc block right before `node`, as written: the comments are prose, and
 * one that starts with a package name (`@apollo/gateway's …`) is not a JSDoc tag. Wrapped
 * lines are joined; blank lines stay paragraph breaks.
 */
function jsDocText(node: ts.Node): string {
  const block = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc).at(-1);
  if (!block) return '';
  const lines = block
    .getText()
    .replace(/^\/\*\*/, '')
    .replace(/\*\/$/, '')
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, '').trim());
  return lines
    .join('\n')
    .trim()
    .split(/\n{2,}/)
    .map((paragraph) => paragraph.replace(/\n(?=- )/g, '\u0000').replace(/\n/g, ' ').replace(/\u0000/g, '\n'))
    .join('\n\n');
}

function compilerOptions(tsconfigPath: string): ts.CompilerOptions {
  const read = ts.readConfigFile(tsconfigPath, (path) => ts.sys.readFile(path));
  if (read.error) throw new Error(ts.flattenDiagnosticMessageText(read.error.messageText, '\n'));
  return ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(resolve(tsconfigPath))).options;
}
