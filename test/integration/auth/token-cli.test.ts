import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { authConfigSchema } from '../../../gateway/auth/config.ts';
import { createJwtVerifier } from '../../../gateway/auth/jwt-verifier.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** `npm run token -- …`, without npm: the same entry point, run the way the script runs it. */
async function token(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const env = { ...process.env };
  delete env.GATEWAY_CONFIG;
  delete env.NODE_ENV;
  return run(process.execPath, ['--import', 'tsx', 'gateway/cli/token.ts', ...args], { cwd: root, env, timeout: 15_000 });
}

describe('npm run token', () => {
  it('prints a dev token that the gateway (default config, devKeys on) verifies', async () => {
    const { stdout } = await token(['--sub', 'u1', '--scope', 'read orders:read', '--role', 'admin', '--role', 'ops', '--tier', 'premium', '--ttl', '1h']);
    const printed = stdout.trim();
    expect(printed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const claims = decodeJwt(printed);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(3600);

    // A verifier built like the gateway's: default config, default dev key file.
    const verifier = createJwtVerifier(authConfigSchema.parse({}), { env: {} });
    await expect(verifier.verify(printed)).resolves.toMatchObject({
      kind: 'user',
      subject: 'u1',
      scopes: ['read', 'orders:read'],
      roles: ['admin', 'ops'],
      tier: 'premium',
    });
  });

  // Bad arguments (exit 2, naming what is valid) are test/e2e/token-cli.test.ts's.
  it('--help prints usage', async () => {
    expect((await token(['--help'])).stdout).toMatch(/Usage: npm run token/);
  });
});
