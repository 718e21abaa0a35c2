import { isRecord } from '../kit/json-http.ts';
import { NOTIFICATION_KINDS, type Notification, type NotificationKind } from './data.ts';
import type { NotificationDraft } from './store.ts';

const MAX_TITLE = 200;
const MAX_BODY = 2000;

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

/** POST body: userId, title and body are required; kind defaults to system, read to false. */
export function checkDraft(input: unknown): Checked<NotificationDraft> {
  if (!isRecord(input)) return fail('the body must be a JSON object');
  if (typeof input.userId !== 'string' || input.userId.trim() === '') return fail('userId: required, a non-empty string');
  const fields = checkEditable(input, { kind: 'system', title: undefined, body: undefined, read: false });
  if (!fields.ok) return fields;
  return { ok: true, value: { userId: input.userId, ...fields.value } };
}

/**
 * PUT body: the editable fields (kind, title, body, read). A field left out keeps its
 * value, so `{ "read": true }` marks a notification read; userId may be repeated but not changed.
 */
export function checkReplacement(input: unknown, current: Notification): Checked<Pick<Notification, 'kind' | 'title' | 'body' | 'read'>> {
  if (!isRecord(input)) return fail('the body must be a JSON object');
  if (input.userId !== undefined && input.userId !== current.userId) return fail('userId: cannot be changed');
  return checkEditable(input, current);
}

function checkEditable(
  input: Record<string, unknown>,
  defaults: { kind: NotificationKind; title: string | undefined; body: string | undefined; read: boolean },
): Checked<Pick<Notification, 'kind' | 'title' | 'body' | 'read'>> {
  const kind = input.kind ?? defaults.kind;
  if (typeof kind !== 'string' || !(NOTIFICATION_KINDS as readonly string[]).includes(kind)) {
    return fail(`kind: one of ${NOTIFICATION_KINDS.join(', ')}`);
  }
  const title = input.title ?? defaults.title;
  if (typeof title !== 'string' || title.trim() === '' || title.length > MAX_TITLE) return fail(`title: required, 1 to ${MAX_TITLE} characters`);
  const body = input.body ?? defaults.body;
  if (typeof body !== 'string' || body.length > MAX_BODY) return fail(`body: required, a string of at most ${MAX_BODY} characters`);
  const read = input.read ?? defaults.read;
  if (typeof read !== 'boolean') return fail('read: a boolean');
  return { ok: true, value: { kind: kind as NotificationKind, title, body, read } };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}
