import { runMain } from '../kit/run-main.ts';
import { startProductsSubgraph } from './index.ts';

runMain(startProductsSubgraph);
