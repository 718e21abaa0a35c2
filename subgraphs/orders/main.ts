import { runMain } from '../kit/run-main.ts';
import { startOrdersSubgraph } from './index.ts';

runMain(startOrdersSubgraph);
