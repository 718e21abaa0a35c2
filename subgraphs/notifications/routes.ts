import { readJson, sendError, sendJson } from '../kit/json-http.ts';
import type { Route } from '../kit/route.ts';
import type { NotificationStore } from './store.ts';
import { checkDraft, checkReplacement } from './validate.ts';

/** The notifications API (behind the gateway at /api/v1/notifications/...). */
export function notificationRoutes(store: NotificationStore): Route[] {
  return [
    {
      method: 'GET',
      path: '/notifications',
      handler: (_req, res, _params, query) => {
        const userId = query.get('userId') ?? undefined;
        sendJson(res, 200, { items: store.list({ userId, unreadOnly: query.get('unread') === 'true' }) });
      },
    },
    {
      method: 'POST',
      path: '/notifications',
      handler: async (req, res) => {
        const checked = checkDraft(await readJson(req));
        if (!checked.ok) return sendError(res, 400, 'BAD_REQUEST', checked.message);
        const created = store.create(checked.value);
        sendJson(res, 201, created, { location: `/notifications/${encodeURIComponent(created.id)}` });
      },
    },
    {
      method: 'GET',
      path: '/notifications/:id',
      handler: (_req, res, { id = '' }) => {
        const n = store.get(id);
        if (!n) return sendError(res, 404, 'NOT_FOUND', `no notification ${id}`);
        sendJson(res, 200, n);
      },
    },
    {
      method: 'PUT',
      path: '/notifications/:id',
      handler: async (req, res, { id = '' }) => {
        const body = await readJson(req);
        const current = store.get(id);
        if (!current) return sendError(res, 404, 'NOT_FOUND', `no notification ${id}`);
        const checked = checkReplacement(body, current);
        if (!checked.ok) return sendError(res, 400, 'BAD_REQUEST', checked.message);
        sendJson(res, 200, store.replace(id, checked.value));
      },
    },
    {
      method: 'DELETE',
      path: '/notifications/:id',
      handler: (_req, res, { id = '' }) => {
        if (!store.delete(id)) return sendError(res, 404, 'NOT_FOUND', `no notification ${id}`);
        res.writeHead(204).end();
      },
    },
    {
      method: 'GET',
      path: '/users/:id/unread-count',
      // The service does not own users: an id it has never seen simply has 0 unread.
      handler: (_req, res, { id = '' }) => sendJson(res, 200, { userId: id, unread: store.unreadCount(id) }),
    },
  ];
}
