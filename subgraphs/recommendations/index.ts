import { createServiceVerifier } from '../kit/gateway-signature.ts';
import { startHttpService } from '../kit/http-service.ts';
import { sendError, sendJson } from '../kit/json-http.ts';
import { router } from '../kit/route.ts';
import type { RunningRestService, StartOptions } from '../kit/running-service.ts';
import { DEFAULT_LIMIT, MAX_LIMIT, recommendFor } from './recommend.ts';

export const RECOMMENDATIONS_DEFAULT_PORT = 4011;

export async function startRecommendationsService(options: StartOptions = {}): Promise<RunningRestService> {
  const handle = router(
    [
      { method: 'GET', path: '/health', public: true, handler: (_req, res) => sendJson(res, 200, { status: 'ok', service: 'recommendations' }) },
      {
        method: 'GET',
        path: '/users/:id/recommendations',
        handler: (_req, res, { id = '' }, query) => {
          const raw = query.get('limit');
          const limit = raw === null ? DEFAULT_LIMIT : Number(raw);
          if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
            return sendError(res, 400, 'BAD_REQUEST', `limit: an integer from 1 to ${MAX_LIMIT}`);
          }
          sendJson(res, 200, { userId: id, productIds: recommendFor(id, limit) });
        },
      },
    ],
    createServiceVerifier(options.signature),
  );
  const http = await startHttpService({ host: options.host, port: options.port ?? RECOMMENDATIONS_DEFAULT_PORT }, handle);
  return { name: 'recommendations', kind: 'rest', url: http.origin, port: http.port, close: http.close };
}
