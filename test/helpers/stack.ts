import { closeAllServices, startAllServices, type StartedService } from '../../subgraphs/catalog.ts';
import type { Gateway, GatewayOptions } from '../../gateway/app.ts';
import type { GatewayConfigInput } from '../../gateway/config/index.ts';
import { deepMerge, type PlainObject } from '../../gateway/config/merge.ts';
import { demoConfig } from '../../gateway/cli/demo-config.ts';
import { startGateway } from './gateway.ts';

export interface Stack {
  readonly gateway: Gateway;
  readonly services: StartedService[];
  service(name: string): StartedService;
  close(): Promise<void>;
}

/** The whole demo stack (every subgraph and REST service, then the gateway) on free loopback ports. */
export async function startStack(overrides: GatewayConfigInput = {}, options: GatewayOptions = {}): Promise<Stack> {
  const services = await startAllServices({ ports: 'free' });
  try {
    const config = deepMerge(demoConfig(services) as PlainObject, overrides as PlainObject) as GatewayConfigInput;
    const gateway = await startGateway(config, options);
    return {
      gateway,
      services,
      service: (name) => {
        const s = services.find((x) => x.name === name);
        if (!s) throw new Error(`no service ${name}`);
        return s;
      },
      close: async () => {
        await gateway.close();
        await closeAllServices(services);
      },
    };
  } catch (error) {
    await closeAllServices(services);
    throw error;
  }
}

export interface GraphQLResult {
  status: number;
  headers: Headers;
  body: { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }> };
}

/** POSTs a GraphQL operation and returns status, headers and the parsed body. */
export async function postGraphQL(url: string, query: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}): Promise<GraphQLResult> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResult['body'] };
}
