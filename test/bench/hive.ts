import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startProcess, type Child } from './child.ts';
import { freePort, waitReady } from '../helpers/net.ts';

/**
 * Hive Gateway for the workload rows, installed on demand into a folder of its own
 * (node_modules/.cache/bench-hive/, git-ignored with node_modules): the project's
 * package.json and lockfile never hear of it. Versions are pinned here; changing them
 * reinstalls.
 */
export const HIVE_PACKAGES: Readonly<Record<string, string>> = {
  '@graphql-hive/gateway': '2.15.1',
  '@graphql-hive/router-runtime': '1.4.23',
  graphql: '16.15.0',
};

export const HIVE_DIR = fileURLToPath(new URL('../../node_modules/.cache/bench-hive/', import.meta.url));
const INSTALL_TIMEOUT_MS = 6 * 60_000;
const BIN = join(HIVE_DIR, 'node_modules/@graphql-hive/gateway/dist/bin.js');
const STAMP = join(HIVE_DIR, 'node_modules/.bench-installed.json');

export type HiveInstall = { readonly ok: true; readonly version: string } | { readonly ok: false; readonly reason: string };

/** Installs the pinned packages unless the folder already holds exactly them. */
export async function ensureHiveInstalled(log: (line: string) => void): Promise<HiveInstall> {
  const manifest = `${JSON.stringify(
    {
      name: 'bench-hive',
      private: true,
      description: 'Written by test/bench/hive.ts: Hive Gateway for the bench workload rows, outside the project dependencies.',
      dependencies: HIVE_PACKAGES,
    },
    null,
    2,
  )}\n`;
  try {
    mkdirSync(HIVE_DIR, { recursive: true });
    const installed = existsSync(STAMP) && existsSync(BIN) && readFileSync(STAMP, 'utf8') === manifest;
    if (!installed) {
      writeFileSync(join(HIVE_DIR, 'package.json'), manifest);
      log(`installing ${Object.entries(HIVE_PACKAGES).map(([n, v]) => `${n}@${v}`).join(' ')} into ${HIVE_DIR} (once)`);
      await npmInstall();
      if (!existsSync(BIN)) return { ok: false, reason: `npm install finished but ${BIN} is missing` };
      writeFileSync(STAMP, manifest);
    }
    const pkg = JSON.parse(readFileSync(join(HIVE_DIR, 'node_modules/@graphql-hive/gateway/package.json'), 'utf8')) as { version: string };
    return { ok: true, version: pkg.version };
  } catch (error) {
    return { ok: false, reason: `cannot install Hive Gateway: ${String((error as Error)?.message ?? error)}` };
  }
}

function npmInstall(): Promise<void> {
  // npm run passes its own config down as npm_* variables; this install must not inherit
  // the project's (prefix, workspace, …).
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error', '--prefix', HIVE_DIR], { cwd: HIVE_DIR, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), INSTALL_TIMEOUT_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`npm install exited with ${code ?? signal}${signal === 'SIGKILL' ? ` (over ${INSTALL_TIMEOUT_MS / 1000} s)` : ''}\n${err}`));
    });
  });
}

export type HiveMode = 'jit' | 'router-runtime';

/**
 * One Hive Gateway in its own process (`hive-gateway supergraph <file>`, one worker: `--fork 1`
 * is a single process, so its RSS is the gateway's), configured as the public benchmark
 * runs it: NODE_ENV=production, `inboundInflightRequestDeduplication: true`, and `--jit`
 * or the Rust query planner (`--hive-router-runtime`, @graphql-hive/router-runtime).
 */
export async function startHive(mode: HiveMode, supergraphPath: string, dedup = true): Promise<{ url: string; child: Child }> {
  // `dedup: false` is Hive's own default, the like-for-like row for ours with dedup off.
  const config = join(HIVE_DIR, `gateway.config.${dedup ? 'dedup' : 'plain'}.mjs`);
  writeFileSync(config, `export const gatewayConfig = { inboundInflightRequestDeduplication: ${String(dedup)} };\n`);
  const port = await freePort();
  const child = await startProcess(
    process.execPath,
    [BIN, 'supergraph', supergraphPath, mode === 'jit' ? '--jit' : '--hive-router-runtime', '--fork', '1', '--config-path', config, '--host', '127.0.0.1', '--port', String(port)],
    // No usage reporting or tracing: none of their options is given.
    { NODE_ENV: 'production', LOG_LEVEL: 'warn' },
    null,
    { cwd: HIVE_DIR },
  );
  try {
    await waitReady(`http://127.0.0.1:${port}/readiness`);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${port}/graphql`, child };
}
