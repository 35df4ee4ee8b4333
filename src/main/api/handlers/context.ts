/** What every feature's handlers reach: the services, built once by createServices. */
import type { InstrumentService } from '../../services/instrument-service';
import type { PredictionService } from '../../services/predictions';
import type { ProfileLibrary } from '../../services/profiles';
import type { QueueService } from '../../services/queues';
import type { Store } from '../../services/database';
import type { ApiHandlers } from '../../../shared/api';

export interface HandlerContext {
  mode: 'electron' | 'browser';
  store: Store;
  instrument: InstrumentService;
  library: ProfileLibrary;
  predictions: PredictionService;
  queues: QueueService;
}

/** A feature's share of the API: some of the handlers, each typed by the contract. */
export type FeatureHandlers = Partial<ApiHandlers>;

export const OK = { ok: true as const };
