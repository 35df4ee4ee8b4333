/**
 * The API handlers, shared by Electron (IPC) and browser mode (WebSocket). Each is a thin call
 * into a service; the dispatcher has validated the input already.
 */
import { chipStatistics } from '../services/statistics';
import { fileSafeName } from '../../shared/text';
import type { ApiHandlers } from '../../shared/api';
import { UNASSIGNED_SAMPLE } from '../../shared/cell-guard';
import { buildChipProfile } from '../services/chip-profile';
import { ReramError } from '../../shared/errors';
import { BUILTIN_DATA, BUILTIN_MODELS } from '../nn/resources';
import { appVersion, defaultDbPath } from '../paths';
import { assessLevelTable } from '../../shared/levels/quality';
import { fitRun, profileFromTable } from '../services/fitting';
import { InstrumentService } from '../services/instrument-service';
import { smuModelSummaries } from '../services/bench';
import { openDatabase, type Store } from '../services/database';
import { listSerialPorts } from '../services/discovery';
import { runCsvName, runToCsv } from '../services/exports';
import { placeOnTable } from '../services/placement';
import { cellSummaries } from '../services/cells';
import { detectImportFormat, exportInterop, importInteropFiles } from '../services/interop';
import { PredictionService } from '../services/predictions';
import { QueueService } from '../services/queues';
import { ProfileLibrary } from '../services/profiles';
import type { EventHub } from '../services/events';

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

function unsupported(what: string): never {
  throw new ReramError(
    'UNSUPPORTED',
    `${what} is only available in the desktop app; browser mode downloads and uploads instead.`,
  );
}

export function createServices(options: ServiceOptions): Services {
  const store = openDatabase(options.dbPath ?? defaultDbPath());
  const instrument = new InstrumentService(store, options.events);
  const library = new ProfileLibrary(store);
  const predictions = new PredictionService(store, options.events, library, options.predictionPool);
  const queues = new QueueService(store, options.events, instrument);

  const handlers: ApiHandlers = {
    'system.info': async () => ({
      appVersion: appVersion(),
      mode: options.mode,
      platform: process.platform,
      nodeVersion: process.versions.node,
      dbPath: store.path,
      firstRun: store.listRuns(1).length === 0 && store.profiles.count() === 0,
    }),

    'instrument.ports': async () => listSerialPorts(),
    'instrument.connect': (request) => instrument.connect(request),
    'instrument.disconnect': () => instrument.disconnect(),
    'instrument.status': async () => instrument.status(),
    'instrument.models': async () => smuModelSummaries(),
    'instrument.abort': () => instrument.abort(),
    'instrument.allowHost': async ({ host }) => ({ hosts: instrument.allowHost(host) }),
    'instrument.check': () => instrument.check(),

    'runs.start': async ({ params, acknowledgeCellState }) =>
      instrument.startRun(params, { acknowledgeCellState }),
    'instrument.sample': async (sample) => instrument.setSample(sample),
    'runs.cancel': async () => {
      await instrument.cancel();
      return { ok: true as const };
    },
    'runs.list': async ({ limit }) => store.listRuns(limit),
    'runs.get': async ({ runId }) => store.getRun(runId),
    'runs.query': async (query) => store.queryRuns(query),
    'runs.settings': async ({ runId }) => store.runSettings(runId),
    'runs.trace': async ({ runId }) => store.runTrace(runId),
    'runs.hide': async ({ runIds, hidden }) => {
      store.setRunsHidden(runIds, hidden);
      return { ok: true as const };
    },
    'runs.delete': async ({ runIds }) => {
      const active = instrument.status().activeRun?.runId;
      if (active !== undefined && runIds.includes(active))
        throw new ReramError('CONFLICT', `Run ${active} is recording; cancel it before deleting it.`);
      for (const id of runIds) store.getRun(id);
      for (const id of runIds) store.deleteRun(id);
      return { ok: true as const };
    },
    'runs.csv': async ({ runId }) => {
      const run = store.getRun(runId);
      return {
        fileName: runCsvName(run),
        text: runToCsv(run, store.runSettings(runId), store.iteratePoints(runId)),
        mime: 'text/csv',
      };
    },
    'runs.points': async ({ runId, afterSeq, limit }) => {
      store.getRun(runId);
      return store.getPoints(runId, {
        ...(afterSeq !== undefined ? { afterSeq } : {}),
        ...(limit !== undefined ? { limit } : {}),
      });
    },

    'recipes.list': async () => queues.recipes(),
    'recipes.save': async (recipe) => queues.saveRecipe(recipe),
    'recipes.delete': async ({ name }) => {
      queues.deleteRecipe(name);
      return { ok: true as const };
    },
    'queue.start': async (request) =>
      queues.start({
        ...(request.recipe ? { recipe: request.recipe } : {}),
        ...(request.resume !== undefined ? { resume: request.resume } : {}),
      }),
    'queue.stop': async ({ id, now }) => {
      queues.stop(id, now);
      return { ok: true as const };
    },
    'queue.answer': async ({ id, position, run }) => {
      queues.answer(id, position, run);
      return { ok: true as const };
    },
    'queue.continue': async ({ id }) => {
      queues.continue(id);
      return { ok: true as const };
    },
    'queue.list': async ({ limit }) => queues.list(limit),
    'cells.summary': async ({ cells }) =>
      cellSummaries(store, cells, instrument.status().sample ?? UNASSIGNED_SAMPLE),

    'stats.chip': async ({ cells }) =>
      chipStatistics(store, instrument.status().sample ?? UNASSIGNED_SAMPLE, cells),

    'levels.fit': async ({ runId, bits, spacing }) => {
      const result = fitRun(store, runId, { spacing, ...(bits !== undefined ? { bits } : {}) });
      const full = bits === undefined ? result.table : fitRun(store, runId).table;
      return {
        table: result.table,
        warnings: result.warnings,
        run: result.run,
        quality: assessLevelTable(result.table),
        fullLevels: full.levels.length,
      };
    },

    'levels.place': async ({ runId, model, bits, tolerance, margin }) =>
      placeOnTable(fitRun(store, runId).table, {
        model: `builtin:${model}`,
        bits,
        sigma: 'verify',
        tolerance,
        margin,
      }),

    'profiles.list': async () => library.list(),
    'profiles.get': async ({ name }) => library.get(name),
    'profiles.fromRun': async ({ runId, name, bits, spacing, materialStack, notes, overwrite }) => {
      const fit = fitRun(store, runId, { name, spacing, ...(bits !== undefined ? { bits } : {}) });
      const profile = profileFromTable(fit.table, { name, materialStack, notes, run: fit.run });
      library.save(profile, { overwrite });
      return profile;
    },
    'profiles.build': async ({ cells, name, bits, overwrite }) => {
      const sample = instrument.status().sample ?? UNASSIGNED_SAMPLE;
      const all = Array.from({ length: cells }, (_, k) => k);
      const result = buildChipProfile(store, sample, all, { name, ...(bits !== undefined ? { bits } : {}) });
      library.save(result.profile, { overwrite });
      const table = result.profile.tables[0]!;
      return {
        profile: result.profile.name,
        kept: result.kept,
        excluded: result.excluded,
        d2dOverC2c: result.d2dOverC2c,
        levels: table.levels.length,
        driftLaw: table.drift !== undefined,
      };
    },
    'profiles.delete': async ({ name }) => {
      library.delete(name);
      return { ok: true as const };
    },
    'profiles.import': async ({ fileName, text, name, readVoltage, overwrite }) =>
      library.import(text, fileName, {
        ...(name ? { name } : {}),
        ...(readVoltage ? { readVoltage } : {}),
        overwrite,
      }),
    'profiles.importFiles': async ({ fileName, files, format, name, overwrite }) => {
      const byName = new Map(files.map((f) => [f.name.split(/[\\/]/).pop()!, f.text]));
      const chosen = format ?? detectImportFormat(byName);
      if (!chosen)
        throw new ReramError(
          'INVALID_INPUT',
          `${fileName}: not a simulator export ReRAM Bench can read back (a CrossSim set.csv, aihwkit.json or neurosim-mlp.json).`,
        );
      const profile = importInteropFiles(byName, chosen, {
        source: fileName,
        name: name ?? fileName.replace(/\.(json|csv|zip)$/i, ''),
        named: name !== undefined,
      });
      library.save(profile, { overwrite });
      return profile;
    },
    'profiles.exportFor': async ({ name, table, format, bits }) => ({
      files: exportInterop(store, { profile: name, table }, format, bits),
    }),
    'profiles.export': async ({ name, format, table }) => {
      const base = fileSafeName(name);
      return {
        fileName: `${base}.${format}`,
        text: library.export(name, format, table),
        mime: format === 'json' ? 'application/json' : 'text/csv',
      };
    },

    'resources.list': async () => ({
      models: Object.entries(BUILTIN_MODELS).map(([id, m]) => ({ id, title: m.title, data: m.data })),
      datasets: Object.entries(BUILTIN_DATA).map(([id, d]) => ({ id, title: d.title, format: d.format })),
    }),

    'predictions.start': async (request) => predictions.start(request),
    'predictions.cancel': async ({ id }) => {
      predictions.cancel(id);
      return { ok: true as const };
    },
    'predictions.active': async () => predictions.activeProgress(),
    'predictions.list': async ({ limit }) => predictions.list(limit),
    'predictions.get': async ({ id }) => predictions.get(id),
    'predictions.delete': async ({ id }) => {
      predictions.delete(id);
      return { ok: true as const };
    },

    'files.save': async () => unsupported('Saving through a native dialog'),
    'files.open': async () => unsupported('Opening through a native dialog'),
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
