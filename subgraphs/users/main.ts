import { runMain } from '../kit/run-main.ts';
import { startUsersSubgraph } from './index.ts';

runMain(startUsersSubgraph);
