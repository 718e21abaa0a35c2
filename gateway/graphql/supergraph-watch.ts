import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { request } from 'undici';
import type { Logger } from '../telemetry/logger.ts';
import type { SupergraphFile, SupergraphUpdate } from './supergraph-file.ts';

export type ReloadSource = 'file' | 'url';
export type ReloadResult = 'success' | 'rejected' | 'error';

export interface SupergraphWatchOptions {
  readonly watchFile: boolean;
  readonly debounceMs: number;
  readonly pollUrl: string | undefined;
  readonly pollIntervalMs: number;
  readonly log: Logger;
  /** Every attempt that changed something or failed (metrics); unchanged content is not reported. */
  readonly onReload?: (source: ReloadSource, result: ReloadResult) => void;
}

/**
 * Hot reload of the supergraph: watches the file's directory (an atomic replace by `mv`
 * or an editor swaps the inode, which a watch on the file itself would miss) with a
 * debounce, and optionally polls a URL. Reloads run one at a time. Returns the stop function.
 */
export function watchSupergraph(file: SupergraphFile, options: SupergraphWatchOptions): () => void {
  const { log } = options;
  let stopped = false;
  let chain: Promise<void> = Promise.resolve();
  // One at a time, in order: a reload never races the one before it.
  const serially = (task: () => Promise<void>): void => {
    chain = chain.then(task, task);
  };

  const report = (source: ReloadSource, outcome: SupergraphUpdate): void => {
    if (outcome.result === 'unchanged') return;
    if (outcome.result === 'updated') {
      log.info({ source }, 'supergraph reloaded');
      options.onReload?.(source, 'success');
    } else {
      log.error({ source, reason: outcome.error.message }, 'supergraph rejected; the current one keeps serving');
      options.onReload?.(source, 'rejected');
    }
  };
  const failed = (source: ReloadSource, error: unknown): void => {
    log.warn({ source, reason: error instanceof Error ? error.message : String(error) }, 'supergraph could not be read; the current one keeps serving');
    options.onReload?.(source, 'error');
  };

  let watcher: FSWatcher | undefined;
  let debounce: NodeJS.Timeout | undefined;
  if (options.watchFile) {
    const name = basename(file.path);
    const reloadFile = async (): Promise<void> => {
      if (stopped) return;
      try {
        report('file', await file.reload());
      } catch (error) {
        // Mid-replace (the file briefly gone) is normal; the next event retries.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') failed('file', error);
      }
    };
    watcher = watch(dirname(file.path), { persistent: false }, (_event, changed) => {
      if (changed !== null && changed !== name) return;
      clearTimeout(debounce);
      debounce = setTimeout(() => serially(reloadFile), options.debounceMs);
      debounce.unref();
    });
    watcher.on('error', (error) => log.warn({ err: error }, 'supergraph watch failed; hot reload from the file is off'));
  }

  let poller: NodeJS.Timeout | undefined;
  const pollUrl = options.pollUrl;
  if (pollUrl) {
    const poll = async (): Promise<void> => {
      if (stopped) return;
      try {
        report('url', file.apply(await fetchSdl(pollUrl, Math.min(options.pollIntervalMs, 10_000))));
      } catch (error) {
        failed('url', error);
      }
    };
    poller = setInterval(() => serially(poll), options.pollIntervalMs);
    poller.unref();
  }

  return () => {
    stopped = true;
    clearTimeout(debounce);
    clearInterval(poller);
    watcher?.close();
  };
}

/** GET the SDL with the gateway's one HTTP client (undici); anything but a 200 is an error. */
async function fetchSdl(url: string, timeoutMs: number): Promise<string> {
  const res = await request(url, { method: 'GET', signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'text/plain, application/graphql, */*' } });
  if (res.statusCode !== 200) {
    await res.body.dump();
    throw new Error(`GET ${url} answered ${res.statusCode}`);
  }
  return res.body.text();
}
