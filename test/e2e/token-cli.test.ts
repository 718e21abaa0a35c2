import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';

const run = promisify(execFile);
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
const tokenArgs = (pkg.scripts.token ?? '').split(' ').slice(1);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** `npm run token -- <args>` as npm runs it, without npm's own start-up. */
async function token(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [...tokenArgs, ...args], { env: { ...process.env, GATEWAY_CONFIG: '' } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const OPTIONS = '--sub, --scope, --role, --tier, --ttl, --aud, --iss, --help';

/** The dev-token CLI refuses what it cannot honour instead of signing something else. */
describe('npm run token', () => {
  it('signs a token with the tier asked for', async () => {
    const { code, stdout } = await token('--sub', 'u7', '--tier', 'premium');
    expect(code).toBe(0);
    expect(decodeJwt(stdout.trim())).toMatchObject({ sub: 'u7', tier: 'premium' });
  });

  it('refuses a tier that does not exist, listing the ones that do (exit 2)', async () => {
    const { code, stdout, stderr } = await token('--tier', 'gold');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toBe('--tier "gold" is not a tier; use one of free, standard, premium, enterprise');
    expect(stderr).toContain('Usage: npm run token');
  });

  it('refuses an unknown option, a missing value and a stray argument, listing the options (exit 2)', async () => {
    const cases: Array<[string[], string]> = [
      [['--teir', 'free'], `unknown option --teir; options are ${OPTIONS}`],
      [['-x'], `unknown option -x; options are ${OPTIONS}`],
      [['--tier'], '--tier needs a value'],
      [['--help=yes'], '--help takes no value'],
      [['u1'], `unexpected argument "u1"; options are ${OPTIONS}`],
      [['--ttl', 'soon'], '--ttl "soon": use seconds or a number with s, m, h or d'],
    ];
    for (const [args, message] of cases) {
      const outcome = await token(...args);
      expect(outcome.code, args.join(' ')).toBe(2);
      expect(outcome.stdout).toBe('');
      expect(outcome.stderr.split('\n')[0]).toBe(message);
    }
  });
});
