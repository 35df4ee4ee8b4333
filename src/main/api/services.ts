/**
 * The API, shared by Electron (IPC) and browser mode (WebSocket): the services, built once, and
 * each feature's handlers (api/handlers/), each a thin call into a service; the dispatcher has
 * validated the input already.
 */
import type { ApiHandlers } from '../../shared/api';
import { defaultDbPath } from '../paths';
import { openDatabase, type Store } from '../services/database';
import type { EventHub } from '../services/events';
import { InstrumentService } from '../services/instrument-service';
import { PredictionService } from '../services/predictions';
import { ProfileLibrary } from '../services/profiles';
import { QueueService } from '../services/queues';
import { chipHandlers } from './handlers/chip';
import type { HandlerContext } from './handlers/context';
import { instrumentHandlers } from './handlers/instrument';
import { levelHandlers } from './handlers/levels';
import { predictionHandlers } from './handlers/predictions';
import { profileHandlers } from './handlers/profiles';
import { queueHandlers } from './handlers/queue';
import { runHandlers } from './handlers/runs';
import { systemHandlers } from './handlers/system';

export interface ServiceOptions {
  mode: 'electron' | 'browser';
  events: EventHub;
  /** SQLite file; defaults to the OS user-data folder. */
  dbPath?: string;
  /** Prediction workers and their threads (default: one single-threaded worker per core). */
  predictionPool?: { workers?: number; threads?: number };
}

export interface Services {
  handlers: ApiHandlers;
  instrument: InstrumentService;
  predictions: PredictionService;
  store: Store;
  /** Leaves every instrument safe, stops the virtual SMU and closes the database. */
  dispose(): Promise<void>;
}

export function createServices(options: ServiceOptions): Services {
  const store = openDatabase(options.dbPath ?? defaultDbPath());
  const instrument = new InstrumentService(store, options.events);
  const library = new ProfileLibrary(store);
  const predictions = new PredictionService(store, options.events, library, options.predictionPool);
  const queues = new QueueService(store, options.events, instrument);
  const context: HandlerContext = { mode: options.mode, store, instrument, library, predictions, queues };

  const handlers: ApiHandlers = {
    ...systemHandlers(context),
    ...instrumentHandlers(context),
    ...runHandlers(context),
    ...queueHandlers(context),
    ...chipHandlers(context),
    ...levelHandlers(context),
    ...profileHandlers(context),
    ...predictionHandlers(context),
  };

  return {
    handlers,
    instrument,
    predictions,
    store,
    dispose: async () => {
      await queues.dispose();
      await predictions.dispose();
      await instrument.dispose();
      store.close();
    },
  };
}
