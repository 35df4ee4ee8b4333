/**
 * Procedure parameters, declared once: each field's label, unit, range, default and help live
 * here, and the Characterize form and the `characterize` flags are generated from them. Every
 * procedure requires a compliance and a maximum |V|; every voltage it would apply is checked
 * against that maximum here and again by the safety guard in main.
 */
import { z } from 'zod';
import { param } from './params';

const volts = z.number().finite().min(-210).max(210);
const positive = z.number().finite().positive();

export const SafetySettings = z.object({
  maxVoltage: param(positive.max(210), {
    label: 'Max |V|',
    unit: 'V',
    help: 'Nothing above this is ever sourced (required)',
    suggested: 3,
    flag: 'max-v',
  }),
  compliance: param(positive.max(3.03), {
    label: 'Compliance',
    unit: 'A',
    help: 'Current limit, set before the output turns on (required)',
    suggested: 1e-3,
  }),
  nplc: param(positive.max(120).default(1), {
    label: 'Read integration',
    unit: 'PLC',
    help: 'Integration time in power-line cycles',
  }),
  cell: param(z.number().int().nonnegative().max(1_000_000).default(0), {
    label: 'Cell',
    help: 'The virtual SMU moves to this cell; on a real bench, move the probes to it',
  }),
  sense: param(z.enum(['2w', '4w']).default('2w'), {
    label: 'Sense',
    help: '2-wire, or 4-wire remote sense',
    advanced: true,
  }),
  terminals: param(z.enum(['front', 'rear']).optional(), {
    label: 'Terminals',
    help: "Front or rear (default: the instrument's own; the B2900 has rear only)",
    advanced: true,
  }),
  autoZero: param(z.boolean().default(true), {
    label: 'Auto-zero',
    help: 'Reference and zero with every read: slower, but no drift (2400 pulses always run without it)',
    advanced: true,
  }),
});

const readV = param(volts.default(0.1), {
  label: 'Read voltage',
  unit: 'V',
  help: 'Low enough not to disturb the state',
});
const width = param(positive.max(10).default(1e-3), {
  label: 'Pulse width',
  unit: 's',
  help: 'Checked against what the instrument can make before the run starts',
});

export const FormingParams = SafetySettings.extend({
  procedure: z.literal('forming'),
  vStart: param(volts.default(0), { label: 'Ramp start', unit: 'V' }),
  vStop: param(volts.default(4), { label: 'Ramp stop', unit: 'V' }),
  vStep: param(positive.max(10).default(0.05), { label: 'Step', unit: 'V' }),
  dwell: param(z.number().finite().nonnegative().max(60).default(0.01), {
    label: 'Dwell per step',
    unit: 's',
    help: 'Time at each ramp step',
  }),
  jumpFactor: param(z.number().finite().min(1.5).max(1e6).default(10), {
    label: 'Jump factor',
    help: 'Forming is detected when the current jumps by this factor between steps, or at compliance',
    advanced: true,
  }),
  readV,
});

export const SetResetParams = SafetySettings.extend({
  procedure: z.enum(['set', 'reset']),
  vPeak: param(volts, {
    label: 'Peak',
    unit: 'V',
    help: 'The staircase goes 0 → peak → 0; negative for RESET',
  }),
  vStep: param(positive.max(10).default(0.05), { label: 'Step', unit: 'V' }),
  dwell: param(z.number().finite().nonnegative().max(60).default(0.005), {
    label: 'Dwell',
    unit: 's',
    help: 'Time at each level before it is measured (output stays on)',
  }),
  readV,
});

export const ReadParams = SafetySettings.extend({
  procedure: z.literal('read'),
  readV,
  count: param(z.number().int().min(1).max(100_000).default(10), { label: 'Reads' }),
  interval: param(z.number().finite().nonnegative().max(3600).default(0), {
    label: 'Interval',
    unit: 's',
    help: 'Pause between reads',
  }),
});

export const PulseTrainParams = SafetySettings.extend({
  procedure: z.literal('pulse-train'),
  pulses: param(z.number().int().min(2).max(10_000).default(40), { label: 'Pulses per direction' }),
  cycles: param(z.number().int().min(1).max(1000).default(3), { label: 'Cycles' }),
  setV: param(volts.default(1.5), {
    label: 'Potentiation pulse',
    unit: 'V',
    help: 'SET amplitude (positive)',
  }),
  resetV: param(volts.default(-1.5), {
    label: 'Depression pulse',
    unit: 'V',
    help: 'RESET amplitude (negative)',
  }),
  width,
  readV,
  prepare: param(z.enum(['reset', 'none']).default('reset'), {
    label: 'Prepare',
    help: 'Depress fully before the first cycle, so potentiation starts from the low state',
    advanced: true,
  }),
});

export const WriteVerifyParams = SafetySettings.extend({
  procedure: z.literal('write-verify'),
  levels: param(z.number().int().min(2).max(1024).default(8), {
    label: 'Target levels',
    help: 'Evenly spaced over the measured window (ignored when targets are given)',
  }),
  targets: param(z.array(positive.max(10)).min(2).max(1024).optional(), {
    label: 'Targets',
    unit: 'S',
    help: 'Explicit target conductances, ascending (a targets file from `place`, or a list)',
    advanced: true,
  }),
  tolerance: param(z.number().finite().positive().max(0.5).default(0.2), {
    label: 'Band',
    help: 'Acceptance band: ± this fraction of the gap from each target to its nearest neighbour',
  }),
  repeats: param(z.number().int().min(1).max(1000).default(5), { label: 'Repeats per level' }),
  setStartV: param(volts.default(1.0), { label: 'SET start', unit: 'V' }),
  resetStartV: param(volts.default(-1.0), { label: 'RESET start', unit: 'V' }),
  stepV: param(positive.max(10).default(0.05), { label: 'ISPP step', unit: 'V' }),
  width,
  readV,
  maxIterations: param(z.number().int().min(1).max(10_000).default(100), { label: 'Max iterations' }),
});

export const EnduranceParams = SafetySettings.extend({
  procedure: z.literal('endurance'),
  cycles: param(z.number().int().min(1).max(10_000_000).default(10_000), {
    label: 'Cycles (at most)',
    help: 'SET/RESET cycles; the run stops earlier when the window closes',
  }),
  setV: param(volts.default(2.5), { label: 'SET pulse', unit: 'V', help: 'Full SET: positive' }),
  resetV: param(volts.default(-2.5), { label: 'RESET pulse', unit: 'V', help: 'Full RESET: negative' }),
  width: param(positive.max(10).default(20e-3), {
    label: 'Pulse width',
    unit: 's',
    help: 'Long and strong enough to switch the cell fully in one pulse',
  }),
  readV,
  readsPerDecade: param(z.number().int().min(1).max(100).default(10), {
    label: 'Reads per decade',
    help: 'HRS and LRS are read at log-spaced cycles (1, 2, … 10, 13, 16…), and at the last',
    advanced: true,
  }),
  readsPerPoint: param(z.number().int().min(1).max(100).default(5), {
    label: 'Cycles per read point',
    help: 'HRS and LRS at a read point are the medians over this many consecutive cycles: single cycles scatter',
    advanced: true,
  }),
  windowFraction: param(z.number().finite().gt(0).lt(1).default(0.5), {
    label: 'Failure at window',
    help: 'Stops when LRS − HRS falls below this fraction of the first cycle’s window',
  }),
});

export const RetentionParams = SafetySettings.extend({
  procedure: z.literal('retention'),
  levels: param(z.number().int().min(2).max(16).default(3), {
    label: 'Levels',
    help: 'Programmed one after another, evenly spaced over the measured window, each then read over the duration',
  }),
  duration: param(z.number().finite().min(1).max(3e7).default(3600), {
    label: 'Duration per level',
    unit: 's',
    help: 'Reads continue this long after each level is programmed',
  }),
  firstRead: param(z.number().finite().positive().max(3600).default(1), {
    label: 'First read after',
    unit: 's',
    advanced: true,
  }),
  readsPerDecade: param(z.number().int().min(1).max(50).default(5), {
    label: 'Reads per decade',
    help: 'Log-spaced read times',
    advanced: true,
  }),
  temperature: param(z.number().finite().min(-273.15).max(1000).optional(), {
    label: 'Temperature',
    unit: '°C',
    help: 'The stage temperature, recorded with the run (the app does not control the stage); empty: room, not recorded',
  }),
  tolerance: param(z.number().finite().positive().max(0.5).default(0.2), {
    label: 'Band',
    help: 'Programming band: ± this fraction of the gap to the nearest level',
    advanced: true,
  }),
  setStartV: param(volts.default(1.0), { label: 'SET start', unit: 'V', advanced: true }),
  resetStartV: param(volts.default(-1.0), { label: 'RESET start', unit: 'V', advanced: true }),
  stepV: param(positive.max(10).default(0.05), { label: 'ISPP step', unit: 'V', advanced: true }),
  width,
  readV,
  maxIterations: param(z.number().int().min(1).max(10_000).default(100), {
    label: 'Max iterations',
    advanced: true,
  }),
  resumeFrom: param(z.number().int().positive().optional(), {
    label: 'Continue run',
    help: "An interrupted or cancelled retention run of this cell (same schedule): its levels and reads are kept, the level it held is read on at its schedule's remaining times, and the rest are programmed as usual",
    advanced: true,
  }),
});

/**
 * A retention run's state, checkpointed into its summary as it goes (after the targets are set,
 * each level programmed, and each read), so that a run stopped by a crash, a quit or a cancel can
 * be continued by a new run (`resumeFrom`) without reprogramming the level the cell still holds.
 */
export const RetentionState = z.object({
  targets: z.array(z.number()),
  bands: z.array(z.number()),
  times: z.array(z.number()),
  levels: z.array(
    z.object({
      target: z.number(),
      programmed: z.number().nullable(),
      reads: z.array(z.object({ t: z.number(), g: z.number() })),
      /** Read times the schedule had but nobody read (the process was stopped then). */
      missed: z.array(z.number()).default([]),
    }),
  ),
  /** The level the cell holds (its entry is the last of `levels`), or null between levels. */
  current: z.number().int().nonnegative().nullable(),
  /** Seconds since `current` was programmed, at the checkpoint (the schedule's time of its last read). */
  elapsed: z.number().nonnegative(),
  /** Wall time of the checkpoint (ISO 8601). */
  at: z.string(),
  /** The runs this one continues, oldest first. */
  continues: z.array(z.number().int()).default([]),
});
export type RetentionState = z.infer<typeof RetentionState>;

/**
 * What a procedure needs of the cell it runs on: forming only a pristine cell (forming voltages
 * on a formed cell over-program it), programming only a formed one (SET/RESET pulses on a
 * pristine cell stress it without switching it), a read any cell.
 */
export type CellRequirement = 'pristine' | 'formed' | 'any';

/** What a procedure's declaration holds, besides its schema: the table below is the one list. */
interface ProcedureDeclaration {
  title: string;
  schema: z.ZodObject;
  /** Form defaults beyond the schema's own. */
  suggested: Record<string, unknown>;
  requires: CellRequirement;
  /** Its points fit into a level table (fitting, profiles, the die map's window). */
  yieldsLevelTable: boolean;
  /** Total steps it will take, for progress and time left (its own params; `never` here so each entry types its own). */
  steps(params: never): number;
}

/**
 * The procedures, in the order the app shows them: title, schema, form defaults, the cell state
 * they need, whether they yield a level table, and their step count. A new procedure is one entry
 * here and one executor in main's procedures.ts (the compiler asks for both).
 */
export const PROCEDURE_SCHEMAS = {
  forming: {
    title: 'Forming',
    schema: FormingParams,
    suggested: { maxVoltage: 5, compliance: 1e-4 },
    requires: 'pristine',
    yieldsLevelTable: false,
    steps: (p: FormingParams) => Math.max(1, Math.ceil(Math.abs(p.vStop - p.vStart) / p.vStep) + 1),
  },
  set: {
    title: 'SET sweep',
    schema: SetResetParams,
    suggested: { vPeak: 2 },
    requires: 'formed',
    yieldsLevelTable: false,
    steps: (p: SetResetParams) => sweepSteps(p),
  },
  reset: {
    title: 'RESET sweep',
    schema: SetResetParams,
    suggested: { vPeak: -2 },
    requires: 'formed',
    yieldsLevelTable: false,
    steps: (p: SetResetParams) => sweepSteps(p),
  },
  read: {
    title: 'Read',
    schema: ReadParams,
    suggested: {},
    requires: 'any',
    yieldsLevelTable: false,
    steps: (p: ReadParams) => p.count,
  },
  'pulse-train': {
    title: 'Pulse train',
    schema: PulseTrainParams,
    suggested: {},
    requires: 'formed',
    yieldsLevelTable: true,
    steps: (p: PulseTrainParams) => p.cycles * 2 * p.pulses + (p.prepare === 'reset' ? p.pulses : 0),
  },
  'write-verify': {
    title: 'Write-verify',
    schema: WriteVerifyParams,
    suggested: {},
    requires: 'formed',
    yieldsLevelTable: true,
    steps: (p: WriteVerifyParams) => p.repeats * (p.targets?.length ?? p.levels) + (p.targets ? 0 : 2),
  },
  retention: {
    title: 'Retention',
    schema: RetentionParams,
    suggested: {},
    requires: 'formed',
    yieldsLevelTable: false,
    steps: (p: RetentionParams) => 2 + p.levels * (retentionReads(p) + 1),
  },
  endurance: {
    title: 'Endurance',
    schema: EnduranceParams,
    suggested: { maxVoltage: 3, compliance: 1e-3 },
    requires: 'formed',
    yieldsLevelTable: false,
    steps: (p: EnduranceParams) => p.cycles,
  },
} as const satisfies Record<string, ProcedureDeclaration>;

/** Reads at log-spaced times from firstRead to duration. */
function retentionReads(p: RetentionParams): number {
  let reads = 1;
  while (p.firstRead * 10 ** (reads / p.readsPerDecade) <= p.duration) reads++;
  return reads;
}

function sweepSteps(p: SetResetParams): number {
  return 2 * Math.ceil(Math.abs(p.vPeak) / p.vStep) + 2;
}

/** The procedures whose runs fit into a level table. */
export const LEVEL_TABLE_PROCEDURES = (Object.keys(PROCEDURE_SCHEMAS) as ProcedureName[]).filter(
  (name) => PROCEDURE_SCHEMAS[name].yieldsLevelTable,
);

/** Whether a stored run's procedure (any string from the database) yields a level table. */
export function yieldsLevelTable(procedure: string): boolean {
  return Object.hasOwn(PROCEDURE_SCHEMAS, procedure)
    ? PROCEDURE_SCHEMAS[procedure as ProcedureName].yieldsLevelTable
    : false;
}

export const ProcedureParams = z
  .discriminatedUnion('procedure', [
    FormingParams,
    SetResetParams,
    ReadParams,
    PulseTrainParams,
    WriteVerifyParams,
    EnduranceParams,
    RetentionParams,
  ])
  .superRefine((params, ctx) => {
    const check = (name: string, v: number | undefined) => {
      if (v !== undefined && Math.abs(v) > params.maxVoltage) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `|${v}| V exceeds the maximum |V| of ${params.maxVoltage} V`,
        });
      }
    };
    for (const key of [
      'vStart',
      'vStop',
      'vPeak',
      'readV',
      'setV',
      'resetV',
      'setStartV',
      'resetStartV',
    ] as const) {
      check(key, (params as Record<string, unknown>)[key] as number | undefined);
    }
    if (params.procedure === 'pulse-train' || params.procedure === 'endurance') {
      if (params.setV <= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['setV'],
          message: 'the potentiation (SET) pulse must be positive',
        });
      if (params.resetV >= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['resetV'],
          message: 'the depression (RESET) pulse must be negative',
        });
    }
    if (params.procedure === 'set' && params.vPeak <= 0)
      ctx.addIssue({ code: 'custom', path: ['vPeak'], message: 'a SET sweep goes positive' });
    if (params.procedure === 'reset' && params.vPeak >= 0)
      ctx.addIssue({ code: 'custom', path: ['vPeak'], message: 'a RESET sweep goes negative' });
    if (params.procedure === 'write-verify' && params.targets) {
      for (let k = 1; k < params.targets.length; k++) {
        if (!(params.targets[k]! > params.targets[k - 1]!)) {
          ctx.addIssue({ code: 'custom', path: ['targets', k], message: 'targets must ascend' });
          break;
        }
      }
    }
  });
export type ProcedureParams = z.output<typeof ProcedureParams>;
export type ProcedureParamsInput = z.input<typeof ProcedureParams>;
export type ProcedureName = ProcedureParams['procedure'];
export type PulseTrainParams = z.output<typeof PulseTrainParams>;
export type WriteVerifyParams = z.output<typeof WriteVerifyParams>;
export type FormingParams = z.output<typeof FormingParams>;
export type SetResetParams = z.output<typeof SetResetParams>;
export type ReadParams = z.output<typeof ReadParams>;
export type EnduranceParams = z.output<typeof EnduranceParams>;
export type RetentionParams = z.output<typeof RetentionParams>;

/** Cycles at which an endurance run reads HRS and LRS: 1, then `perDecade` log-spaced per decade, and the last. */
export function enduranceReadCycles(cycles: number, perDecade: number): number[] {
  const out = new Set<number>([1]);
  for (let k = 1; ; k++) {
    const c = Math.round(10 ** (k / perDecade));
    if (c >= cycles) break;
    out.add(c);
  }
  out.add(cycles);
  return [...out].sort((a, b) => a - b);
}

/** Total steps a procedure will take, for progress and time-remaining estimates. */
export function procedureSteps(params: ProcedureParams): number {
  return (PROCEDURE_SCHEMAS[params.procedure].steps as (p: ProcedureParams) => number)(params);
}
