/** The app itself: version and first-run state, the bundled models and data sets, native files. */
import { ReramError } from '../../../shared/errors';
import { BUILTIN_DATA, BUILTIN_MODELS } from '../../nn/resources';
import { appVersion } from '../../paths';
import type { FeatureHandlers, HandlerContext } from './context';

function unsupported(what: string): never {
  throw new ReramError(
    'UNSUPPORTED',
    `${what} is only available in the desktop app; browser mode downloads and uploads instead.`,
  );
}

export const systemHandlers = ({ mode, store }: HandlerContext) =>
  ({
    'system.info': async () => ({
      appVersion: appVersion(),
      mode,
      platform: process.platform,
      nodeVersion: process.versions.node,
      dbPath: store.path,
      firstRun: store.runs.listRuns(1).length === 0 && store.profiles.count() === 0,
    }),
    'resources.list': async () => ({
      models: Object.entries(BUILTIN_MODELS).map(([id, m]) => ({ id, title: m.title, data: m.data })),
      datasets: Object.entries(BUILTIN_DATA).map(([id, d]) => ({ id, title: d.title, format: d.format })),
    }),
    'files.save': async () => unsupported('Saving through a native dialog'),
    'files.open': async () => unsupported('Opening through a native dialog'),
  }) satisfies FeatureHandlers;
