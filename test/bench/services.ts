import { closeAllServices, startAllServices } from '../../subgraphs/catalog.ts';

/** Bench upstreams in their own process, so they don't share a core's event loop with a gateway. */
const services = await startAllServices({ ports: 'free' });
process.stdout.write(`SERVICES ${JSON.stringify(services.map((s) => ({ name: s.name, kind: s.kind, url: s.url })))}\n`);
const stop = (): void => void closeAllServices(services).then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
