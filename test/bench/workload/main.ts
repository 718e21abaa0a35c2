import { startWorkloadSubgraphs } from './subgraphs.ts';

/**
 * The workload subgraphs in their own process (so they don't share an event loop with a
 * gateway under load). Prints `WORKLOAD {"accounts":"http://127.0.0.1:…/graphql",…}` when ready.
 */
const subgraphs = await startWorkloadSubgraphs();
process.stdout.write(`WORKLOAD ${JSON.stringify(subgraphs.urls)}\n`);
const stop = (): void => void subgraphs.close().then(() => process.exit(0));
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
