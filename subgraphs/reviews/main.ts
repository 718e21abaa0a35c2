import { runMain } from '../kit/run-main.ts';
import { startReviewsSubgraph } from './index.ts';

runMain(startReviewsSubgraph);
