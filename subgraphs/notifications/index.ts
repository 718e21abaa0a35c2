import { createServiceVerifier } from '../kit/gateway-signature.ts';
import { startHttpService } from '../kit/http-service.ts';
import { sendJson } from '../kit/json-http.ts';
import { router } from '../kit/route.ts';
import type { RunningRestService, StartOptions } from '../kit/running-service.ts';
import { seedNotifications } from './data.ts';
import { notificationRoutes } from './routes.ts';
import { NotificationStore } from './store.ts';
import { testingRoutes } from './testing-routes.ts';

export const NOTIFICATIONS_DEFAULT_PORT = 4010;

/** Each start gets a fresh store from the seed. */
export async function startNotificationsService(options: StartOptions = {}): Promise<RunningRestService> {
  const store = new NotificationStore(seedNotifications());
  const handle = router(
    [
      { method: 'GET', path: '/health', public: true, handler: (_req, res) => sendJson(res, 200, { status: 'ok', service: 'notifications' }) },
      ...notificationRoutes(store),
      ...testingRoutes(),
    ],
    createServiceVerifier(options.signature),
  );
  const http = await startHttpService({ host: options.host, port: options.port ?? NOTIFICATIONS_DEFAULT_PORT }, handle);
  return { name: 'notifications', kind: 'rest', url: http.origin, port: http.port, close: http.close };
}
