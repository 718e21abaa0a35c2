import { parseArgs, type ParseArgsConfig } from 'node:util';
import { signDevToken } from '../auth/dev-identity.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import { tierNames } from '../rate-limit/config.ts';

/** The tiers a user can hold (`anonymous` is the tier of having no token). */
const TOKEN_TIERS = tierNames.filter((t) => t !== 'anonymous');

const USAGE = `Usage: npm run token -- [options]

Prints a JWT signed by the embedded dev identity provider; a gateway started with
auth.devKeys (the default outside production) accepts it.

  --sub <id>        subject (user id). Default u1
  --scope <scopes>  space-separated scopes; repeatable
  --role <role>     a role; repeatable
  --tier <tier>     rate-limit tier (${TOKEN_TIERS.join('|')}). Default: none (standard)
  --ttl <span>      lifetime: seconds, or 30m, 1h, 7d. Default 1h
  --aud <aud>       audience. Default: the first of auth.audience
  --iss <iss>       issuer. Default: the first of auth.issuer
  -h, --help        this text

Example:
  curl -H "authorization: Bearer $(npm run -s token -- --role admin)" ...`;

const OPTIONS = {
  sub: { type: 'string', default: 'u1' },
  scope: { type: 'string', multiple: true, default: [] },
  role: { type: 'string', multiple: true, default: [] },
  tier: { type: 'string' },
  ttl: { type: 'string', default: '1h' },
  aud: { type: 'string' },
  iss: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

const TTL = /^\d+[smhd]?$/;

/** A mistake in the command line: exit 2 with the reason and the usage, as CLIs do. */
class UsageError extends Error {}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  checkArguments(args);
  const { values } = parseArgs({ args, options: OPTIONS, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (values.tier !== undefined && !TOKEN_TIERS.some((t) => t === values.tier)) {
    // The gateway would take an unknown tier as `rateLimit.fallbackTier` (free), silently.
    throw new UsageError(`--tier "${values.tier}" is not a tier; use one of ${TOKEN_TIERS.join(', ')}`);
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

/**
 * Refuses what `parseArgs` would (an unknown option, a missing value, a stray argument)
 * with a message that lists the valid options, instead of its own advice on positionals.
 */
function checkArguments(args: readonly string[]): void {
  const valid = Object.keys(OPTIONS).map((name) => `--${name}`).join(', ');
  const byName = new Map<string, { readonly type: 'string' | 'boolean' }>(Object.entries(OPTIONS));
  const { tokens } = parseArgs({ args: [...args], options: OPTIONS, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind === 'positional') throw new UsageError(`unexpected argument "${token.value}"; options are ${valid}`);
    if (token.kind !== 'option') continue;
    const option = byName.get(token.name);
    if (option === undefined) throw new UsageError(`unknown option ${token.rawName}; options are ${valid}`);
    if (option.type === 'string' && token.value === undefined) throw new UsageError(`${token.rawName} needs a value`);
    if (option.type === 'boolean' && token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
