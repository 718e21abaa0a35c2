import { runMain } from '../kit/run-main.ts';
import { startInventorySubgraph } from './index.ts';

runMain(startInventorySubgraph);
