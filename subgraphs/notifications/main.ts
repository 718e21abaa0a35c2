import { runMain } from '../kit/run-main.ts';
import { startNotificationsService } from './index.ts';

runMain(startNotificationsService);
