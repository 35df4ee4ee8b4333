import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { ReramError } from '../../../shared/errors';
import { createDispatcher } from '../../api/dispatcher';
import { EventHub } from '../../services/events';
import { createServices } from '../../api/services';
import { installProcessSafety } from '../../services/bench';
import { appRoot, rendererDistDir } from '../../paths';
import { openUrl } from '../../system/open-url';
import { startWebServer } from '../../web/server';
import { cliDbPath } from '../db';
import { log, printLine, UsageError } from '../output';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('browser mode: serve the app on 127.0.0.1 with a per-start access token')
    .option('--port <n>', 'TCP port (0 picks a free one)', '0')
    .option('--db <file>', 'SQLite database (default: the OS user-data folder)')
    .option('--open', 'open the URL in the desktop browser, where there is one')
    .action(async (options: { port: string; db?: string; open?: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw new UsageError(`--port must be 0..65535, got ${options.port}`);
      ensureRenderer();
      const events = new EventHub();
      const services = createServices({
        mode: 'browser',
        events,
        dbPath: cliDbPath(options.db),
      });
      // Crashes switch every output off; signals shut down in order below.
      installProcessSafety({ handleSignals: false, beforeExit: () => services.store.close() });
      const server = await startWebServer({
        dispatch: createDispatcher(services.handlers),
        events,
        staticDir: rendererDistDir(),
        port,
      });
      log(
        `ReRAM Bench browser mode on 127.0.0.1:${server.port} (loopback only), database ${services.store.path}. Open this URL:`,
      );
      printLine(server.url);
      if (options.open) openUrl(server.url);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          log(`${signal}: leaving instruments safe and shutting down`);
          void services
            .dispose()
            .then(() => server.close())
            .finally(resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
    });
}

/**
 * A fresh checkout has no built renderer: build it, as `npm start` does, so `serve` works from a
 * clone. The build's output goes to stderr (stdout carries the URL).
 */
function ensureRenderer(): void {
  if (existsSync(join(rendererDistDir(), 'index.html'))) return;
  const vite = join(appRoot(), 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite))
    throw new ReramError(
      'NOT_FOUND',
      `The app's pages are missing from ${rendererDistDir()}; reinstall ReRAM Bench.`,
    );
  log('building the app pages (first start from this checkout)…');
  const built = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn'], {
    cwd: appRoot(),
    stdio: ['ignore', 2, 2],
  });
  if (built.status !== 0)
    throw new ReramError(
      'INTERNAL',
      `Building the app pages failed (vite exit ${built.status}); run npm run build:renderer to see why.`,
    );
}
