import { parseArgs } from 'node:util';
import { signDevToken } from '../auth/dev-identity.ts';
import { ConfigError, loadConfig } from '../config/index.ts';

const USAGE = `Usage: npm run token -- [options]

Prints a JWT signed by the embedded dev identity provider; a gateway started with
auth.devKeys (the default outside production) accepts it.

  --sub <id>        subject (user id). Default u1
  --scope <scopes>  space-separated scopes; repeatable
  --role <role>     a role; repeatable
  --tier <tier>     rate-limit tier (free|standard|premium|enterprise). Default: none (standard)
  --ttl <span>      lifetime: seconds, or 30m, 1h, 7d. Default 1h
  --aud <aud>       audience. Default: the first of auth.audience
  --iss <iss>       issuer. Default: the first of auth.issuer

Example:
  curl -H "authorization: Bearer $(npm run -s token -- --role admin)" ...`;

const TTL = /^\d+[smhd]?$/;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string', default: 'u1' },
      scope: { type: 'string', multiple: true, default: [] },
      role: { type: 'string', multiple: true, default: [] },
      tier: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      aud: { type: 'string' },
      iss: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (!TTL.test(values.ttl)) throw new UsageError(`--ttl "${values.ttl}": use seconds or a number with s, m, h or d`);
  if (values.sub.length === 0) throw new UsageError('--sub must not be empty');

  // The same config the gateway loads (GATEWAY_CONFIG + env), so issuer and audience match it.
  const { auth } = loadConfig({ env: process.env });
  if (!auth.devKeys) process.stderr.write('warning: auth.devKeys is false; the gateway will not accept this token\n');
  const first = (v: string | readonly string[]): string => (typeof v === 'string' ? v : (v[0] ?? ''));

  const token = await signDevToken({
    sub: values.sub,
    scopes: values.scope.flatMap((s) => s.split(/\s+/)).filter((s) => s.length > 0),
    roles: values.role.filter((r) => r.length > 0),
    ...(values.tier === undefined ? {} : { tier: values.tier }),
    expiresIn: /^\d+$/.test(values.ttl) ? Number(values.ttl) : values.ttl,
    audience: values.aud ?? first(auth.audience),
    issuer: values.iss ?? first(auth.issuer),
  });
  process.stdout.write(`${token}\n`);
}

class UsageError extends Error {}

main().catch((error: unknown) => {
  const known = error instanceof UsageError || error instanceof ConfigError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`${known ? (error as Error).message : String((error as Error)?.stack ?? error)}\n`);
  if (error instanceof UsageError || (error as { code?: string })?.code?.startsWith('ERR_PARSE_ARGS')) process.stderr.write(`\n${USAGE}\n`);
  process.exit(1);
});
