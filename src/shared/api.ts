/**
 * The renderer ⇄ main contract, written once. Every request, response and event has a zod schema;
 * main validates each payload (IPC and WebSocket alike), and the preload, the IPC handlers, the
 * WebSocket bridge and the renderer client are all derived from these two tables.
 */
import { z } from 'zod';
import type { SerializedError } from './errors';
import { ConnectionSettings } from './connection';
import { CHIP_FIGURE_IDS, type ChipFigure } from './chip-stats';
import { LevelTable } from './levels/level-table';
import { ProcedureParams } from './procedures';
import { DeviceProfile, ProfileSummary } from './profile/schema';
import { MethodResult, PredictionReport, PredictSettings } from './rca/report';
import { QueueState, Recipe } from './recipes';
import { IMPORT_FORMATS, INTEROP_FORMAT_IDS, type InteropFormatId } from './interop/formats';
import { InstrumentIdentity, Point, RunQuery, RunSummary, RunTrace } from './run';

function method<I extends z.ZodType, O extends z.ZodType>(input: I, output: O, doc: string) {
  return { input, output, doc };
}

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });
const Bytes = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'expected bytes');

export const SystemInfo = z.object({
  appVersion: z.string(),
  mode: z.enum(['electron', 'browser']),
  platform: z.string(),
  nodeVersion: z.string(),
  dbPath: z.string(),
  /** True when the database has no runs and no saved profiles: show the guided first run. */
  firstRun: z.boolean(),
});
export type SystemInfo = z.infer<typeof SystemInfo>;

export const LINK_KINDS = ['serial', 'gpib', 'lan', 'usb'] as const;
export type LinkKind = (typeof LINK_KINDS)[number];

/** A source-measure unit model the app drives and simulates (main's model registry). */
export const SmuModelSummary = z.object({
  id: z.string(),
  label: z.string(),
  links: z.array(z.enum(LINK_KINDS)),
});
export type SmuModelSummary = z.infer<typeof SmuModelSummary>;

/** The sample the runs belong to (wafer and die, or a free id); empty: unassigned. */
export const Sample = z.object({
  wafer: z.string().trim().max(100).default(''),
  die: z.string().trim().max(100).default(''),
});

export const ConnectRequest = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('virtual'),
    /** A model id of `instrument.models`; main refuses others by name. */
    model: z.string().trim().min(1).default('2400'),
    preset: z.string().default('AlOx/HfO2'),
    cells: z.number().int().min(1).max(1024).default(16),
    seed: z.number().int().min(0).default(1),
    /** Wall seconds per instrument second (1: real time). */
    timeScale: z.number().min(0).max(100).default(1),
    /** Wear: median SET/RESET cycles to a 50 % window (default: the simulator's, 10,000). */
    endurance: z.number().int().min(1).max(1e9).optional(),
    /** Retention drift: median ν (default none). */
    drift: z.number().min(0).max(1).optional(),
  }),
  ConnectionSettings.extend({
    kind: z.literal('resource'),
    resource: z.string().trim().min(1).max(500),
    sample: Sample.optional(),
  }),
]);
export type ConnectRequest = z.input<typeof ConnectRequest>;

export const ActiveRun = z.object({
  runId: z.number().int(),
  procedure: z.string(),
  done: z.number(),
  total: z.number(),
});

export const InstrumentStatus = z.object({
  connected: z.boolean(),
  resource: z.string().nullable(),
  identity: InstrumentIdentity.nullable(),
  driver: z.string().nullable(),
  virtual: z.boolean(),
  /** Output state as last queried; null when unknown. */
  output: z.boolean().nullable(),
  activeRun: ActiveRun.nullable(),
  /** Problems reported by the instrument or the link, in its own words. */
  messages: z.array(z.string()),
  simulator: z
    .object({
      model: z.string(),
      preset: z.string(),
      timeScale: z.number(),
      cells: z.number().int(),
      /** Its TCP socket (the app may be on its pty): a second client can reach it there. */
      tcpResource: z.string().optional(),
    })
    .nullable(),
  /** The pulse widths the connected instrument can make (s), so forms check them before a run. */
  pulseWidth: z.object({ min: z.number(), max: z.number() }).nullable(),
  /** The integration times it takes (PLC). */
  nplc: z.object({ min: z.number(), max: z.number() }).nullable(),
  /** The sample the runs are recorded against (the virtual SMU's die, or what the user entered). */
  sample: z.object({ wafer: z.string(), die: z.string() }).nullable(),
  /** Cells the bench can reach: the virtual die's, or a switch matrix's rows × columns; null: the user says. */
  dieCells: z.number().int().nullable().optional(),
});
export type InstrumentStatus = z.infer<typeof InstrumentStatus>;

export const SerialPortsReply = z.object({
  ports: z.array(
    z.object({ path: z.string(), manufacturer: z.string().optional(), serialNumber: z.string().optional() }),
  ),
  warning: z.string().optional(),
});

export const FitQuality = z.object({
  verdict: z.enum(['good', 'poor', 'failed']),
  reasons: z.array(z.string()),
  suggestions: z.array(z.string()),
});
export const FitReply = z.object({
  table: LevelTable,
  warnings: z.array(z.string()),
  run: RunSummary,
  /** Whether the table is worth saving, and why not (src/shared/levels/quality.ts). */
  quality: FitQuality,
  /** Levels of the full table (every state): the most bits a selection can have is log2 of it. */
  fullLevels: z.number().int(),
});

export const ResourceList = z.object({
  models: z.array(z.object({ id: z.string(), title: z.string(), data: z.string() })),
  datasets: z.array(z.object({ id: z.string(), title: z.string(), format: z.enum(['idx', 'cifar10']) })),
});

export const FileFilter = z.object({ name: z.string(), extensions: z.array(z.string()) });

const FileName = z.string().trim().min(1).max(300);

/** Where a prediction's network comes from: a built-in one, or an ONNX file's bytes. */
export const ModelSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin'), id: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('file'), name: FileName, bytes: Bytes }),
]);
/** Its test set: a built-in one (default: the model's own), or uploaded IDX / CIFAR-10 files. */
export const DataSource = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('builtin'), id: z.string().min(1).max(100) }),
  z.object({ kind: z.literal('idx'), name: FileName, images: Bytes, labels: Bytes }),
  z.object({ kind: z.literal('cifar10'), name: FileName, bytes: Bytes }),
]);

export const PredictionRequest = z.object({
  profile: z.string().min(1).max(200),
  /** The profile's table: a kind (write-verify, open-loop) or a name; default the first. */
  table: z.string().max(200).optional(),
  model: ModelSource,
  data: DataSource.optional(),
  settings: PredictSettings,
});
export type PredictionRequest = z.input<typeof PredictionRequest>;

export const PREDICTION_STATUSES = ['running', 'completed', 'cancelled', 'failed', 'interrupted'] as const;

export const PredictionSummary = z.object({
  id: z.number().int(),
  createdAt: z.string(),
  endedAt: z.string().nullable(),
  status: z.enum(PREDICTION_STATUSES),
  title: z.string(),
  model: z.string(),
  dataset: z.string(),
  profile: z.string(),
  table: z.string().nullable(),
  /** Each method and bit width's accuracy (no per-chip lists), when finished. */
  results: z.array(MethodResult.omit({ accuracies: true })),
  chips: z.number().int().nullable(),
  elapsedS: z.number().nullable(),
  error: z.string().nullable(),
});
export type PredictionSummary = z.infer<typeof PredictionSummary>;

export const PredictionRecord = PredictionSummary.extend({
  /** The request as sent, files replaced by their name and size. */
  request: z.record(z.string(), z.unknown()),
  report: PredictionReport.nullable(),
});
export type PredictionRecord = z.infer<typeof PredictionRecord>;

export const PredictionProgress = z.object({
  id: z.number().int(),
  fraction: z.number(),
  message: z.string(),
  elapsedS: z.number(),
  remainingS: z.number().nullable(),
  imagesPerSecond: z.number().nullable(),
  partial: z.array(MethodResult),
});
export type PredictionProgress = z.infer<typeof PredictionProgress>;

/** A queue as the app shows it: its steps, and the cell it waits for (real probes move by hand). */
export const QueueView = QueueState.extend({
  waitingForCell: z.number().int().nullable(),
  /** The cell guard asks: run this step anyway, or skip it? */
  question: z
    .object({ position: z.number().int(), cell: z.number().int(), procedure: z.string(), reason: z.string() })
    .nullable(),
  /** "Stop after this step" was asked for: the running step finishes, then the queue stops. */
  stopping: z.boolean(),
});
export type QueueView = z.infer<typeof QueueView>;

/** Per cell of the die: what has been done to it, for the die map. */
export const CellSummary = z.object({
  cell: z.number().int(),
  runs: z.number().int(),
  lastRun: z
    .object({ id: z.number().int(), procedure: z.string(), status: z.string(), startedAt: z.string() })
    .nullable(),
  /** null: never formed or tried. */
  formed: z.boolean().nullable(),
  formingVoltage: z.number().nullable(),
  /** From the latest pulse-train or write-verify run: the window and the LTP non-linearity. */
  gMin: z.number().nullable(),
  gMax: z.number().nullable(),
  nl: z.number().nullable(),
});
export type CellSummary = z.infer<typeof CellSummary>;

const FigureValues = z.object(
  Object.fromEntries(CHIP_FIGURE_IDS.map((f) => [f, z.number().optional()])) as Record<
    ChipFigure,
    z.ZodOptional<z.ZodNumber>
  >,
);
const Distribution = z.object({
  n: z.number().int(),
  min: z.number(),
  q1: z.number(),
  median: z.number(),
  q3: z.number(),
  max: z.number(),
  mad: z.number(),
  cdf: z.array(z.object({ cell: z.number().int(), value: z.number(), fraction: z.number() })),
  outliers: z.array(z.object({ cell: z.number().int(), value: z.number(), robustZ: z.number() })),
});
export const ChipStatisticsReply = z.object({
  sample: z.object({ wafer: z.string(), die: z.string() }),
  cellCount: z.number().int(),
  cells: z.array(z.object({ cell: z.number().int(), values: FigureValues })),
  figures: z.object(
    Object.fromEntries(CHIP_FIGURE_IDS.map((f) => [f, Distribution.nullable()])) as Record<
      ChipFigure,
      z.ZodNullable<typeof Distribution>
    >,
  ),
});

export const apiMethods = {
  'system.info': method(Empty, SystemInfo, 'App version, runtime mode, database and first-run state.'),

  'instrument.ports': method(
    Empty,
    SerialPortsReply,
    'Serial ports the OS reports (guarded where udevadm is missing).',
  ),
  'instrument.connect': method(
    ConnectRequest,
    InstrumentStatus,
    'Connect to a resource, or start the virtual SMU and connect to it.',
  ),
  'instrument.disconnect': method(
    Empty,
    InstrumentStatus,
    'Leave the instrument safe and disconnect (stops the virtual SMU).',
  ),
  'instrument.status': method(Empty, InstrumentStatus, 'Connection, identity, output state and messages.'),
  'instrument.models': method(
    Empty,
    z.array(SmuModelSummary),
    'The source-measure units the app drives, as the virtual SMU can also simulate them.',
  ),
  'instrument.check': method(
    Empty,
    z.object({
      items: z.array(
        z.object({
          name: z.string(),
          status: z.enum(['ok', 'warn', 'fail']),
          detail: z.string(),
          fix: z.string().optional(),
        }),
      ),
    }),
    'The bring-up check of the connected instrument (read-only; the output is not touched).',
  ),
  'instrument.allowHost': method(
    z.object({
      host: z
        .string()
        .trim()
        .min(1)
        .max(253)
        .regex(/^([A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*|[0-9A-Fa-f:]+)$/, 'a host name or an IP address'),
    }),
    z.object({ hosts: z.array(z.string()) }),
    'Allow connections to a non-local host from now on (the user confirmed it).',
  ),
  'instrument.abort': method(
    Empty,
    InstrumentStatus,
    'Output off now: cancels the active run and switches the output off.',
  ),

  'runs.start': method(
    z.object({
      params: ProcedureParams,
      /** The user chose to run it although the cell's recorded state says not to. */
      acknowledgeCellState: z.boolean().default(false),
    }),
    z.object({ runId: z.number().int() }),
    'Start a procedure; points stream as run.points events.',
  ),
  'runs.cancel': method(Empty, Ok, 'Cancel the active run (the output goes off).'),
  'runs.list': method(
    z.object({ limit: z.number().int().min(1).max(10_000).default(200) }),
    z.array(RunSummary),
    'Recent runs.',
  ),
  'runs.get': method(z.object({ runId: z.number().int() }), RunSummary, 'One run.'),
  'runs.query': method(
    RunQuery,
    z.object({ runs: z.array(RunSummary), total: z.number().int() }),
    'Runs for the run browser: filtered by procedure, status, cell or text; newest first.',
  ),
  'runs.trace': method(
    z.object({ runId: z.number().int() }),
    RunTrace,
    'A run reduced for drawing: every read (or per-bucket lowest and highest), the I–V points.',
  ),
  'runs.settings': method(
    z.object({ runId: z.number().int() }),
    z.record(z.string(), z.unknown()),
    'The instrument settings snapshot stored with a run.',
  ),
  'runs.hide': method(
    z.object({ runIds: z.array(z.number().int()).min(1).max(10_000), hidden: z.boolean() }),
    Ok,
    'Hide runs from the browser (or show them again); nothing is deleted.',
  ),
  'runs.delete': method(
    z.object({ runIds: z.array(z.number().int()).min(1).max(10_000) }),
    Ok,
    'Delete runs and their points (never the running one).',
  ),
  'runs.csv': method(
    z.object({ runId: z.number().int() }),
    z.object({ fileName: z.string(), text: z.string(), mime: z.string() }),
    'A run as CSV: a header block with its parameters and instrument settings, then every point.',
  ),
  'runs.points': method(
    z.object({
      runId: z.number().int(),
      afterSeq: z.number().int().optional(),
      limit: z.number().int().min(1).max(1_000_000).optional(),
    }),
    z.array(Point),
    'Stored points of a run, in order.',
  ),

  'recipes.list': method(Empty, z.array(Recipe), 'Saved recipes.'),
  'recipes.save': method(Recipe, Recipe, 'Save (or replace) a recipe by name.'),
  'recipes.delete': method(z.object({ name: z.string() }), Ok, 'Delete a recipe.'),
  'queue.start': method(
    z.object({ recipe: Recipe.optional(), resume: z.number().int().optional() }),
    z.object({ id: z.number().int() }),
    'Run a recipe over its cells (saving it), or resume an interrupted queue.',
  ),
  'queue.stop': method(
    z.object({ id: z.number().int(), now: z.boolean().default(false) }),
    Ok,
    'Stop a queue once its running step has finished, or now (the step is cancelled, output off).',
  ),
  'queue.answer': method(
    z.object({ id: z.number().int(), position: z.number().int(), run: z.boolean() }),
    Ok,
    "Answer the cell guard's question: run the step anyway, or skip it.",
  ),
  'instrument.sample': method(
    Sample,
    InstrumentStatus,
    'Set the sample (wafer, die) the next runs are recorded against (a real instrument).',
  ),
  'queue.continue': method(
    z.object({ id: z.number().int() }),
    Ok,
    'The probes are on the next cell: go on (real instruments).',
  ),
  'queue.list': method(
    z.object({ limit: z.number().int().min(1).max(200).default(20) }),
    z.array(QueueView),
    'Recent queues with their steps, newest first.',
  ),
  'cells.summary': method(
    z.object({ cells: z.number().int().min(1).max(4096) }),
    z.array(CellSummary),
    'What each cell of the die has had done to it (the die map).',
  ),

  'stats.chip': method(
    z.object({ cells: z.number().int().min(1).max(4096) }),
    ChipStatisticsReply,
    "Statistics across the connected sample's cells: each figure's distribution and outliers.",
  ),

  'levels.fit': method(
    z.object({
      runId: z.number().int(),
      bits: z.number().int().min(1).max(12).optional(),
      spacing: z.enum(['pulses', 'conductance']).default('pulses'),
    }),
    FitReply,
    'Fit a pulse-train or write-verify run into a level table.',
  ),

  'levels.place': method(
    z.object({
      runId: z.number().int(),
      model: z.string().min(1).max(100),
      bits: z.number().int().min(1).max(10),
      tolerance: z.number().positive().max(0.5).default(0.2),
      margin: z.number().min(0).max(0.45).default(0.05),
    }),
    z.object({
      model: z.string(),
      table: z.string(),
      bits: z.number().int(),
      tolerance: z.number(),
      sigmaModel: z.string(),
      targets: z.array(z.number()),
      sigma: z.array(z.number()),
      expectedError: z.object({
        placed: z.number(),
        evenlySpaced: z.number(),
        tableLevels: z.number().nullable(),
      }),
    }),
    'Write-verify targets for a built-in network within the run’s window (level placement).',
  ),

  'profiles.list': method(Empty, z.array(ProfileSummary), 'Built-in presets and saved profiles.'),
  'profiles.get': method(z.object({ name: z.string() }), DeviceProfile, 'One profile.'),
  'profiles.fromRun': method(
    z.object({
      runId: z.number().int(),
      name: z.string().trim().min(1).max(200),
      bits: z.number().int().min(1).max(12).optional(),
      spacing: z.enum(['pulses', 'conductance']).default('pulses'),
      materialStack: z.string().max(200).default(''),
      notes: z.string().max(10_000).default(''),
      overwrite: z.boolean().default(false),
    }),
    DeviceProfile,
    'Fit a run and save the table as a device profile.',
  ),
  'profiles.build': method(
    z.object({
      cells: z.number().int().min(1).max(4096),
      name: z.string().trim().min(1).max(200),
      bits: z.number().int().min(1).max(12).optional(),
      overwrite: z.boolean().default(false),
    }),
    z.object({
      profile: z.string(),
      kept: z.array(z.number().int()),
      excluded: z.array(z.object({ cell: z.number().int(), reason: z.string() })),
      d2dOverC2c: z.number(),
      levels: z.number().int(),
      driftLaw: z.boolean(),
    }),
    "One profile from the connected sample's cells 0…cells−1 (as `profile build`): the mean table with each level's C2C and D2D σ, the cells left out and why, and the drift law of their retention runs.",
  ),
  'profiles.delete': method(z.object({ name: z.string() }), Ok, 'Delete a saved profile.'),
  'profiles.import': method(
    z.object({
      fileName: z.string().min(1),
      text: z.string().max(10_000_000, 'a profile file is at most 10 MB'),
      name: z.string().optional(),
      readVoltage: z.number().positive().optional(),
      overwrite: z.boolean().default(false),
    }),
    DeviceProfile,
    'Import a profile JSON or a level-table CSV; nothing is written when it is invalid.',
  ),
  'profiles.importFiles': method(
    z.object({
      /** What the user picked (a zip, or one file), for messages and the default name. */
      fileName: z.string().min(1),
      files: z
        .array(z.object({ name: z.string().min(1), text: z.string() }))
        .min(1)
        .max(32),
      format: z.enum(IMPORT_FORMATS).optional(),
      name: z.string().optional(),
      overwrite: z.boolean().default(false),
    }),
    DeviceProfile,
    "Import a simulator's files (a CrossSim folder or zip, aihwkit.json, neurosim-mlp.json) as a profile; the format is found from the file names when not given.",
  ),
  'profiles.exportFor': method(
    z.object({
      name: z.string(),
      table: z.string().optional(),
      format: z.enum(INTEROP_FORMAT_IDS as [InteropFormatId, ...InteropFormatId[]]),
      bits: z.number().int().min(1).max(10).default(4),
    }),
    z.object({ files: z.array(z.object({ name: z.string(), text: z.string() })) }),
    "A profile in a simulator's own files (NeuroSim, aihwkit, CrossSim).",
  ),
  'profiles.export': method(
    z.object({ name: z.string(), format: z.enum(['json', 'csv']), table: z.string().optional() }),
    z.object({ fileName: z.string(), text: z.string(), mime: z.string() }),
    'A profile as JSON, or one of its tables as CSV.',
  ),

  'resources.list': method(Empty, ResourceList, 'Built-in models and test sets.'),

  'predictions.start': method(
    PredictionRequest,
    z.object({ id: z.number().int() }),
    'Start a prediction in main (its worker pool); it runs on whatever page is shown, and is stored.',
  ),
  'predictions.cancel': method(z.object({ id: z.number().int() }), Ok, 'Cancel a running prediction.'),
  'predictions.warm': method(
    Empty,
    Ok,
    'Start the prediction workers now, so the first prediction does not wait for them to load.',
  ),
  'predictions.active': method(
    Empty,
    PredictionProgress.nullable(),
    'The running prediction and its progress, if any.',
  ),
  'predictions.list': method(
    z.object({ limit: z.number().int().min(1).max(10_000).default(100) }),
    z.array(PredictionSummary),
    'Stored predictions, newest first.',
  ),
  'predictions.get': method(z.object({ id: z.number().int() }), PredictionRecord, 'One stored prediction.'),
  'predictions.delete': method(z.object({ id: z.number().int() }), Ok, 'Delete a stored prediction.'),

  'files.save': method(
    z.object({
      defaultName: z.string(),
      data: z.union([z.string(), Bytes]),
      filters: z.array(FileFilter).default([]),
    }),
    z.object({ path: z.string().nullable() }),
    'Electron: save through the native dialog. Browser mode downloads instead.',
  ),
  'files.open': method(
    z.object({ filters: z.array(FileFilter).default([]) }),
    z.object({ fileName: z.string(), text: z.string(), bytes: Bytes }).nullable(),
    'Electron: open a file through the native dialog (as text, and as bytes for a zip). Browser mode uploads instead.',
  ),
} as const;

export const RunProgressEvent = z.object({
  runId: z.number().int(),
  done: z.number(),
  total: z.number(),
  elapsedS: z.number(),
  remainingS: z.number().nullable(),
  message: z.string().optional(),
  /** Write-verify: the target conductances and their acceptance bands (±, S). */
  targets: z.object({ g: z.array(z.number()), band: z.array(z.number()) }).optional(),
});

export const apiEvents = {
  'system.log': z.object({ level: z.enum(['info', 'warn', 'error']), message: z.string() }),
  'instrument.status': InstrumentStatus,
  'run.started': z.object({ runId: z.number().int(), procedure: z.string(), total: z.number() }),
  'run.points': z.object({ runId: z.number().int(), points: z.array(Point) }),
  'run.progress': RunProgressEvent,
  'queue.update': QueueView,
  'prediction.progress': PredictionProgress,
  'prediction.ended': z.object({
    id: z.number().int(),
    status: z.enum(PREDICTION_STATUSES),
    title: z.string(),
    error: z.string().nullable(),
  }),
  'run.ended': z.object({
    runId: z.number().int(),
    status: z.enum(['completed', 'cancelled', 'failed']),
    points: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    summary: z.record(z.string(), z.unknown()),
  }),
} as const;

export type ApiMethodName = keyof typeof apiMethods;

/** Largest request a renderer may send per method (bytes on the wire); the default is 1 MiB. */
export const API_PAYLOAD_LIMITS: Partial<Record<ApiMethodName, number>> = {
  'profiles.import': 12 * 1024 * 1024,
  'profiles.importFiles': 12 * 1024 * 1024,
  // An uploaded ONNX model and test set.
  'predictions.start': 128 * 1024 * 1024,
  'files.save': 32 * 1024 * 1024,
};
export const DEFAULT_PAYLOAD_LIMIT = 1024 * 1024;
export const MAX_PAYLOAD_LIMIT = Math.max(DEFAULT_PAYLOAD_LIMIT, ...Object.values(API_PAYLOAD_LIMITS));
export const payloadLimit = (method: ApiMethodName) => API_PAYLOAD_LIMITS[method] ?? DEFAULT_PAYLOAD_LIMIT;
export type ApiEventName = keyof typeof apiEvents;
export type ApiInput<M extends ApiMethodName> = z.input<(typeof apiMethods)[M]['input']>;
export type ApiParsedInput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['input']>;
export type ApiOutput<M extends ApiMethodName> = z.output<(typeof apiMethods)[M]['output']>;
export type ApiEventPayload<E extends ApiEventName> = z.output<(typeof apiEvents)[E]>;

/** What main implements: one handler per method, receiving the validated input. */
export type ApiHandlers = {
  [M in ApiMethodName]: (input: ApiParsedInput<M>) => Promise<z.input<(typeof apiMethods)[M]['output']>>;
};

/** What the renderer calls. */
export type ApiClient = {
  [M in ApiMethodName]: (input: ApiInput<M>) => Promise<ApiOutput<M>>;
};

export type ApiEventListener<E extends ApiEventName> = (payload: ApiEventPayload<E>) => void;

/** The raw bridge both transports (Electron preload, WebSocket) provide. */
export interface ApiBridge {
  invoke(method: string, payload: unknown): Promise<unknown>;
  subscribe(listener: (event: string, payload: unknown) => void): () => void;
}

/** Result envelope used on the wire, so errors keep their code and text across the boundary. */
export type ApiResult = { ok: true; value: unknown } | { ok: false; error: SerializedError };

export { IPC_EVENT_CHANNEL, IPC_INVOKE_CHANNEL } from './ipc-channels';
export const isApiMethod = (name: unknown): name is ApiMethodName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiMethods, name);
export const isApiEvent = (name: unknown): name is ApiEventName =>
  typeof name === 'string' && Object.prototype.hasOwnProperty.call(apiEvents, name);
