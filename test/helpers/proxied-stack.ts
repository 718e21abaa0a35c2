import { closeAllServices, startAllServices } from '../../subgraphs/catalog.ts';
import { demoConfig } from '../../gateway/cli/demo-config.ts';
import type { GatewayConfigInput } from '../../gateway/config/index.ts';
import { deepMerge, type PlainObject } from '../../gateway/config/merge.ts';
import { startGateway } from './gateway.ts';
import { startRecordingProxy, type RecordingProxy } from './recording-proxy.ts';
import type { Stack } from './stack.ts';

export interface ProxiedStack extends Stack {
  /** Every subgraph and REST service is reached through it. */
  readonly proxy: RecordingProxy;
}

/**
 * The whole demo stack like `startStack`, with a recording proxy between the gateway and
 * every upstream: each subgraph URL and REST route target points at the proxy, which
 * forwards to the real service.
 */
export async function startProxiedStack(overrides: GatewayConfigInput = {}): Promise<ProxiedStack> {
  const services = await startAllServices({ ports: 'free' });
  let proxy: RecordingProxy | undefined;
  try {
    proxy = await startRecordingProxy(Object.fromEntries(services.map((s) => [s.name, s.url])));
    const through = proxy;
    const config = deepMerge(
      demoConfig(services.map((s) => ({ name: s.name, kind: s.kind, url: through.urlFor(s.name) }))) as PlainObject,
      overrides as PlainObject,
    ) as GatewayConfigInput;
    const gateway = await startGateway(config);
    return {
      gateway,
      services,
      proxy: through,
      service: (name) => {
        const s = services.find((x) => x.name === name);
        if (!s) throw new Error(`no service ${name}`);
        return s;
      },
      close: async () => {
        await gateway.close();
        await through.close();
        await closeAllServices(services);
      },
    };
  } catch (error) {
    await proxy?.close();
    await closeAllServices(services);
    throw error;
  }
}
