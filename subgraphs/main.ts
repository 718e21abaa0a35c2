import { runMain } from './kit/run-main.ts';
import { startAllServices } from './catalog.ts';

// Every demo upstream at its default port (PORT is ignored: seven services cannot share one).
runMain((options) => startAllServices({ ports: 'default', ...(options.host ? { host: options.host } : {}) }));
