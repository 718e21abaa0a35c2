import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { print } from 'graphql';
import ts from 'typescript';
import { loadOperations } from '../../../../schema/check/operations.ts';

/** One operation of a corpus, as a client sends it. */
export interface CorpusOperation {
  /** Unique within its corpus: the test's title. */
  readonly name: string;
  /** Where it comes from (a file, or `generated #n`). */
  readonly from: string;
  readonly query: string;
  readonly variables?: Readonly<Record<string, unknown>> | undefined;
  readonly operationName?: string | undefined;
  readonly method?: 'POST' | 'GET' | undefined;
}

export const ROOT = new URL('../../../../', import.meta.url).pathname;

/**
 * Every document the e2e suites send to POST /graphql (test/e2e/*.ts), with their
 * variables. `e2eDocumentsInSource()` finds them in the test files, and the suite fails
 * when one there is missing here, so this list cannot silently fall behind.
 */
export const E2E_OPERATIONS: readonly CorpusOperation[] = [
  {
    name: 'e2e FirstOrder (users → orders → products → reviews → users)',
    from: 'test/e2e/supergraph.test.ts',
    query: `query FirstOrder($id: ID!) {
        user(id: $id) {
          name
          email
          orders(first: 1, status: [DELIVERED]) {
            id status totalCents
            items { quantity product { id name priceCents reviews(first: 2) { rating author { id name } } } }
          }
        }
      }`,
    variables: { id: 'u1' },
  },
  {
    name: 'e2e order o1 across three subgraphs',
    from: 'test/e2e/supergraph.test.ts',
    query: `{ order(id: "o1") { id status totalCents user { id name }
           items { quantity product { id name priceCents reviews(first: 1) { rating author { id name } } } } } }`,
  },
  {
    name: 'e2e @requires shipping estimate',
    from: 'test/e2e/supergraph.test.ts',
    query: `{ product(id: "p1") { id priceCents weightGrams shippingEstimateCents inStock } p6: product(id: "p6") { shippingEstimateCents } }`,
  },
  { name: 'e2e GET query', from: 'test/e2e/supergraph.test.ts', query: '{ product(id: "p1") { name } }', method: 'GET' },
  { name: 'e2e user name (subgraph URL from env)', from: 'test/e2e/npm-start.test.ts', query: '{ user(id: "u1") { name } }' },
  { name: 'e2e POST of the GET query', from: 'test/e2e/supergraph.test.ts', query: '{ product(id: "p1") { name } }' },
  { name: 'e2e GET mutation (refused)', from: 'test/e2e/supergraph.test.ts', query: 'mutation { cancelOrder(id: "o4") { id } }', method: 'GET' },
  { name: 'e2e root __typename', from: 'test/e2e/supergraph.test.ts, auth.test.ts, rate-limit.test.ts', query: '{ __typename }' },
  { name: 'e2e averageRating (reviews)', from: 'test/e2e/supergraph.test.ts', query: '{ product(id: "p1") { id name averageRating } }' },
  { name: 'e2e me, phone, product', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { id name phone } product(id: "p1") { name } }' },
  { name: 'e2e me with phone', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { id name phone } }' },
  { name: 'e2e users phone list', from: 'test/e2e/graphql-authorization.test.ts', query: '{ users(ids: ["u1", "u2"]) { id phone } }' },
  { name: 'e2e me twice, aliased', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { id } again: me { name } topProducts(first: 1) { id } }' },
  { name: 'e2e user email (non-null guarded)', from: 'test/e2e/graphql-authorization.test.ts', query: '{ user(id: "u2") { id name email } product(id: "p1") { name } }' },
  { name: 'e2e orders root (non-null guarded)', from: 'test/e2e/graphql-authorization.test.ts', query: '{ orders { id } product(id: "p1") { name } }' },
  { name: 'e2e me phone only', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { phone } product(id: "p1") { name } }' },
  {
    name: 'e2e Contact fragments and aliases',
    from: 'test/e2e/graphql-authorization.test.ts',
    query: `query Contact($id: ID!) { someone: user(id: $id) { ...Card } }
      fragment Card on User { id contact: phone ... on User { mail: email } }`,
    variables: { id: 'u2' },
  },
  {
    name: 'e2e Q orders with variables',
    from: 'test/e2e/graphql-authorization.test.ts',
    query: 'query Q($u: ID, $n: Int) { orders(userId: $u, first: $n) { id } product(id: "p1") { name } }',
    variables: { u: 'u1', n: 1 },
  },
  { name: 'e2e Profile', from: 'test/e2e/graphql-authorization.test.ts', query: 'query Profile { me { id email phone } }' },
  { name: 'e2e me id name', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { id name } }' },
  { name: 'e2e user u2 orders with name', from: 'test/e2e/graphql-authorization.test.ts', query: '{ user(id: "u2") { name orders { id } } }' },
  { name: 'e2e user u2 orders', from: 'test/e2e/graphql-authorization.test.ts', query: '{ user(id: "u2") { orders { id } } }' },
  { name: 'e2e me id phone', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { id phone } }' },
  { name: 'e2e me email', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { email } }' },
  { name: 'e2e product and me (reject mode)', from: 'test/e2e/graphql-authorization.test.ts', query: '{ product(id: "p1") { name } me { id phone email } }' },
  { name: 'e2e me id', from: 'test/e2e/graphql-authorization.test.ts', query: '{ me { id } }' },
  // bff-admin.test.ts sends these to /bff/admin/graphql, whose schema mirrors the
  // supergraph's here: they are valid supergraph operations too. The mutations leave the
  // store as it was (o26 is SHIPPED, so not cancellable; o30 is CANCELLED, which is final).
  { name: 'e2e admin searchUsers', from: 'test/e2e/bff-admin.test.ts', query: '{ searchUsers(term: "ar") { id name email tier createdAt } }' },
  { name: 'e2e admin cancelOrder o26 (refused)', from: 'test/e2e/bff-admin.test.ts', query: 'mutation { cancelOrder(id: "o26") { id status } }' },
  { name: 'e2e admin updateOrderStatus o30 (refused)', from: 'test/e2e/bff-admin.test.ts', query: 'mutation { updateOrderStatus(id: "o30", status: PAID) { id status } }' },
  { name: 'e2e admin searchUsers first 51', from: 'test/e2e/bff-admin.test.ts', query: '{ searchUsers(term: "a", first: 51) { id } }' },
  {
    name: 'e2e stock executor Top (products → inventory @requires → reviews → users)',
    from: 'test/e2e/stock-executor.test.ts',
    query: 'query Top { topProducts(first: 3) { name priceCents inStock shippingEstimateCents reviews(first: 2) { rating author { name } } } }',
  },
  { name: 'e2e stock executor user email (anonymous: UNAUTHENTICATED)', from: 'test/e2e/stock-executor.test.ts', query: '{ user(id: "u1") { name email } }' },
];

/**
 * Variables for each BFF supergraph operation, from the seed data (subgraphs/*\/data.ts):
 * u1 owns o1..o24, u2 o25/o26; o1 is DELIVERED, o2 SHIPPED, o4 PENDING, o6 CANCELLED;
 * p13 is out of stock, p6 and up ship free; u12 has no phone and no reviews.
 * Mutations are sent only with variables that leave the orders store as it was (a status it
 * already has, a final order, an unknown id): both gateways send theirs to the same
 * subgraph process, so a mutation that changed it would answer the second one differently.
 */
export const BFF_VARIABLES: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>> = {
  AdminUserOrders: [
    { userId: 'u1', status: ['DELIVERED', 'PAID'], first: 3 },
    { userId: 'u2', status: null, first: 5 },
    { userId: 'u12', first: 2 },
  ],
  AdminUpdateOrderStatus: [
    { id: 'o1', status: 'DELIVERED' },
    { id: 'o1', status: 'SHIPPED' },
    { id: 'o404', status: 'PAID' },
  ],
  AdminCancelOrder: [{ id: 'o1' }, { id: 'o6' }, { id: 'o404' }],
  AdminSearchUsers: [
    { term: 'a', first: 3 },
    { term: 'HOPPER', first: 5 },
    { term: '', first: 5 },
    { term: 'a', first: -1 },
  ],
  AdminUser: [{ id: 'u1' }, { id: 'u12' }, { id: 'u404' }],
  MobileHomeUser: [{}],
  MobileActiveOrders: [
    { userId: 'u1', first: 5 },
    { userId: 'u2', first: 1 },
  ],
  MobileOrder: [{ id: 'o1' }, { id: 'o25' }, { id: 'o404' }],
  WebProfile: [{}],
  WebRecentOrders: [{ userId: 'u1', first: 3 }, { userId: 'u3', first: 10 }],
  WebOrder: [{ id: 'o2' }, { id: 'o404' }],
  WebCustomers: [{ ids: ['u1', 'u2', 'u404', 'u1'] }, { ids: [] }],
  WebProductCards: [{ ids: ['p1', 'p2', 'p404', 'p1'] }],
  WebProductAvailability: [{ ids: ['p1', 'p5', 'p6', 'p13', 'p404'] }],
};

/** Every operation in bffs/<client>/operations/*.graphql, once per variable set of BFF_VARIABLES. */
export async function bffOperations(): Promise<{ operations: CorpusOperation[]; withoutVariables: string[] }> {
  const known = await loadOperations(ROOT);
  const operations: CorpusOperation[] = [];
  const withoutVariables: string[] = [];
  for (const op of known.operations.filter((o) => o.file.startsWith('bffs/'))) {
    const sets = BFF_VARIABLES[op.name];
    if (!sets) {
      withoutVariables.push(op.name);
      continue;
    }
    sets.forEach((variables, i) =>
      operations.push({ name: `bff ${op.name} #${i + 1}`, from: op.file, query: print(op.document), operationName: op.name, variables }),
    );
  }
  return { operations, withoutVariables };
}

/** The README's `curl … /graphql … -d '{"query": …}'` examples (not the BFF ones), as printed there. */
export function readmeOperations(): CorpusOperation[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const out: CorpusOperation[] = [];
  const curl = /curl [^\n]*\/graphql(?:\s|\?)[\s\S]*?-d '(\{[^']*\})'/g;
  for (const m of readme.matchAll(curl)) {
    if (/\/bff\//.test(m[0])) continue;
    const body = JSON.parse(m[1] ?? '{}') as { query: string; variables?: Record<string, unknown>; operationName?: string };
    out.push({ name: `README example ${out.length + 1}`, from: 'README.md', query: body.query, variables: body.variables, operationName: body.operationName });
  }
  return out;
}

/**
 * Every string in test/e2e/*.ts that parses as a GraphQL document: the suite keeps only the
 * ones that validate against the supergraph's API schema (BFF documents do not) and checks
 * each is in E2E_OPERATIONS.
 */
export function e2eStringLiterals(): Array<{ file: string; text: string }> {
  const dir = join(ROOT, 'test/e2e');
  const out: Array<{ file: string; text: string }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
    const source = ts.createSourceFile(file, readFileSync(join(dir, file), 'utf8'), ts.ScriptTarget.ES2022, true);
    const visitNode = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
        if (node.text.includes('{')) out.push({ file: `test/e2e/${file}`, text: node.text });
        // A JSON body (`'{"query":"{ __typename }"}'`) carries its document inside.
        try {
          const parsed: unknown = JSON.parse(node.text);
          if (parsed !== null && typeof parsed === 'object' && typeof (parsed as { query?: unknown }).query === 'string') {
            out.push({ file: `test/e2e/${file}`, text: (parsed as { query: string }).query });
          }
        } catch {
          // not JSON
        }
      }
      ts.forEachChild(node, visitNode);
    };
    visitNode(source);
  }
  return out;
}
