import { runMain } from '../kit/run-main.ts';
import { startRecommendationsService } from './index.ts';

runMain(startRecommendationsService);
