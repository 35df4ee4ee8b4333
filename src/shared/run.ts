/**
 * Measurement artefacts: a `Point` is one measurement streamed by a procedure; a `Run` is one
 * procedure execution with its parameters, instrument and outcome (docs/architecture.md §1).
 */
import { z } from 'zod';

export const PHASES = ['forming', 'set', 'reset', 'read', 'ltp', 'ltd', 'verify', 'sweep'] as const;
export const Phase = z.enum(PHASES);
export type Phase = z.infer<typeof Phase>;

/**
 * read: a low-voltage read of the state; pulse: the current measured during a programming pulse;
 * step: a point of a DC ramp; final: the accepted read of a write-verify attempt.
 */
export const POINT_KINDS = ['read', 'pulse', 'step', 'final'] as const;
export const PointKind = z.enum(POINT_KINDS);
export type PointKind = z.infer<typeof PointKind>;

/** What a reading's flags mean: none of these is a usable current or conductance. */
export const POINT_FLAGS = {
  /** The instrument reported an overflow (+9.9E37 or its overflow bit). */
  overflow: 1,
  /** The instrument sent "no data" (+9.91E37) for V or I. */
  noData: 2,
  /** The reading reached the top of a fixed measurement range. */
  rangeCompliance: 4,
} as const;
export type PointFlag = keyof typeof POINT_FLAGS;

export function pointFlagNames(flags: number): PointFlag[] {
  return (Object.keys(POINT_FLAGS) as PointFlag[]).filter((name) => (flags & POINT_FLAGS[name]) !== 0);
}

export const Point = z.object({
  /** Order within the run, from 0. */
  seq: z.number().int().nonnegative(),
  /** Seconds since the run started (host clock). */
  t: z.number().finite(),
  /** Programmed source level (V). */
  vSource: z.number().finite(),
  /** Measured voltage at the terminals (V); null when the instrument gave no reading. */
  v: z.number().finite().nullable(),
  /** Measured current (A); null on overflow or no data. */
  i: z.number().finite().nullable(),
  /** Conductance i/v (S); null where v is 0 or either is not a reading. */
  g: z.number().finite().nullable(),
  /** Pulse count within the phase (0 before the first pulse). */
  pulse: z.number().int().nonnegative(),
  phase: Phase,
  kind: PointKind,
  cell: z.number().int().nonnegative(),
  cycle: z.number().int().nonnegative(),
  /** The instrument reported compliance (current clamped). */
  compliance: z.boolean(),
  /** POINT_FLAGS bits. */
  flags: z.number().int().nonnegative(),
  /** Achieved pulse width (s) on pulse points; null elsewhere. */
  width: z.number().finite().nonnegative().nullable(),
  /** Write-verify target level index. */
  target: z.number().int().nonnegative().nullable(),
});
export type Point = z.infer<typeof Point>;

export const RUN_STATUSES = ['running', 'completed', 'cancelled', 'failed', 'interrupted'] as const;
export const RunStatus = z.enum(RUN_STATUSES);
export type RunStatus = z.infer<typeof RunStatus>;

export const PROCEDURES = [
  'forming',
  'set',
  'reset',
  'read',
  'pulse-train',
  'write-verify',
  'endurance',
  'retention',
] as const;
export const ProcedureName = z.enum(PROCEDURES);
export type ProcedureName = z.infer<typeof ProcedureName>;

export const InstrumentIdentity = z.object({
  make: z.string(),
  model: z.string(),
  serial: z.string(),
  firmware: z.string(),
  raw: z.string(),
});
export type InstrumentIdentity = z.infer<typeof InstrumentIdentity>;

export const RunSummary = z.object({
  id: z.number().int(),
  procedure: ProcedureName,
  status: RunStatus,
  startedAt: z.string(),
  endedAt: z.string().nullable(),
  instrument: z.string().nullable(),
  resource: z.string().nullable(),
  cell: z.number().int().nullable(),
  pointCount: z.number().int().nonnegative(),
  error: z.string().nullable(),
  params: z.record(z.string(), z.unknown()),
  softwareVersion: z.string(),
  /** The procedure's outcome (formed at, targets reached, …), once it ended. */
  summary: z.record(z.string(), z.unknown()).nullable().default(null),
  /** Hidden from the run browser (not deleted). */
  hidden: z.boolean().default(false),
});
export type RunSummary = z.infer<typeof RunSummary>;

/** What the run browser filters on. */
export const RunQuery = z.object({
  limit: z.number().int().min(1).max(10_000).default(200),
  offset: z.number().int().min(0).default(0),
  procedure: ProcedureName.optional(),
  status: RunStatus.optional(),
  cell: z.number().int().min(0).optional(),
  /** Any of these cells (the Queue's syntax, parsed by the page: 0-3, 1,4,9). */
  cells: z.array(z.number().int().min(0)).max(100_000).optional(),
  /** Free text over procedure, cell, status, instrument, resource, the parameters and the outcome. */
  search: z.string().max(200).optional(),
  includeHidden: z.boolean().default(false),
});
export type RunQuery = z.input<typeof RunQuery>;

export function conductanceOf(v: number | null, i: number | null): number | null {
  return v === null || i === null || v === 0 ? null : i / v;
}

/**
 * What the run browser draws: conductance reads (every one, or each bucket's lowest and highest
 * when there are many, so outliers survive) and the I–V points (every one, or a stride).
 */
export const RunTrace = z.object({
  total: z.number().int(),
  reads: z.object({
    seq: z.array(z.number()),
    g: z.array(z.number()),
    phase: z.array(z.string()),
    cycle: z.array(z.number()),
    pulse: z.array(z.number()),
    decimated: z.boolean(),
  }),
  iv: z.object({
    v: z.array(z.number()),
    i: z.array(z.number()),
    phase: z.array(z.string()),
    decimated: z.boolean(),
  }),
});
export type RunTrace = z.infer<typeof RunTrace>;
