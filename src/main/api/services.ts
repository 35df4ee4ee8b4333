import type { ApiHandlers } from '../../shared/api';
import { appVersion } from '../paths';
import type { EventHub } from './events';

export interface ServiceOptions {
  mode: 'electron' | 'browser';
  events: EventHub;
  /** SQLite file; defaults to the OS user-data folder. */
  dbPath?: string;
}

export interface Services {
  handlers: ApiHandlers;
  /** Leaves every instrument safe and closes files; called on window close and process exit. */
  dispose(): Promise<void>;
}

export function createServices(options: ServiceOptions): Services {
  const handlers: ApiHandlers = {
    'system.info': async () => ({
      appVersion: appVersion(),
      mode: options.mode,
      platform: process.platform,
      nodeVersion: process.versions.node,
    }),
  };
  return { handlers, dispose: async () => {} };
}
