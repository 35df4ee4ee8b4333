import { withTimeout } from '../../async';
/**
 * Runs a procedure PyMeasure-style:
 * - startup: output off (confirmed) and a known state before anything else, the cell selected,
 *   compliance configured before the output can turn on;
 * - execute: points and progress stream out, cancellation honoured between steps;
 * - shutdown: always runs, switches the output off ahead of anything queued and confirms it,
 *   and only then asks the instrument why a failed run failed.
 * No SCPI here: only the driver's typed operations, through the safety guard.
 */
import { CancelledError, ReramError, serializeError, type SerializedError } from '../../../shared/errors';
import { procedureSteps, type ProcedureParams } from '../../../shared/procedures';
import { conductanceOf, POINT_FLAGS, type Point } from '../../../shared/run';
import { InstrumentError, type InstrumentErrorEntry } from '../errors';
import { formatSeconds } from '../drivers/scpi-driver';
import type { Measurement, Smu } from '../drivers/smu';
import { GuardedSmu, registerInstrument } from '../guard';
import { cancellableSleep, throwIfAborted, type ProcedureContext, type ProcedureResume } from './context';
import { executeProcedure } from './procedures';

export interface RunProgress {
  done: number;
  total: number;
  elapsedS: number;
  /** Estimated seconds left; null until one step is done. */
  remainingS: number | null;
  message?: string;
  /** Write-verify: the target conductances and their bands (±), once known. */
  targets?: { g: number[]; band: number[] };
}

export interface RunCallbacks {
  signal?: AbortSignal;
  onPoint?(point: Point): void;
  onProgress?(progress: RunProgress): void;
  /** After startup: the instrument settings snapshot stored with the run. */
  onConfigured?(settings: Record<string, unknown>): void;
  log?(message: string): void;
  /** How long "output off" may take to be confirmed (ms). */
  safeTimeoutMs?: number;
  /** The procedure's summary so far, to store while the run goes on. */
  onCheckpoint?(summary: Record<string, unknown>): void;
  /** A stopped run this one continues (retention). */
  resume?: ProcedureResume;
}

export interface RunResult {
  status: 'completed' | 'cancelled' | 'failed';
  points: number;
  error?: SerializedError;
  summary: Record<string, unknown>;
}

export function pointFrom(
  m: Measurement,
  seq: number,
  t: number,
  cell: number,
  label: Parameters<ProcedureContext['record']>[1],
): Point {
  const flags =
    (m.overflow ? POINT_FLAGS.overflow : 0) |
    ((m.v === null || m.i === null) && !m.overflow ? POINT_FLAGS.noData : 0) |
    (m.rangeCompliance ? POINT_FLAGS.rangeCompliance : 0);
  return {
    seq,
    t,
    vSource: m.vSource,
    v: m.v,
    i: m.i,
    g: flags === 0 ? conductanceOf(m.v, m.i) : null,
    pulse: label.pulse,
    phase: label.phase,
    kind: label.kind,
    cell,
    cycle: label.cycle,
    compliance: m.compliance,
    flags,
    width: m.width?.achieved ?? null,
    target: label.target ?? null,
  };
}

const describe = (entries: InstrumentErrorEntry[]) =>
  entries.map((e) => `${e.code},"${e.message}"`).join('; ');

export async function runProcedure(
  instrument: Smu,
  params: ProcedureParams,
  callbacks: RunCallbacks = {},
): Promise<RunResult> {
  const smu = new GuardedSmu(
    instrument,
    { maxVoltage: params.maxVoltage, maxCompliance: params.compliance },
    callbacks.safeTimeoutMs,
  );
  const unregister = registerInstrument(`${instrument.identity.model} at ${instrument.resource}`, () =>
    smu.safe(),
  );
  const started = performance.now();
  let total = procedureSteps(params);
  let done = 0;
  let seq = 0;
  const summary: Record<string, unknown> = {};
  const log = callbacks.log ?? (() => {});
  let targets: RunProgress['targets'];
  const progress = (message?: string) => {
    const elapsedS = (performance.now() - started) / 1000;
    callbacks.onProgress?.({
      done,
      total,
      elapsedS,
      remainingS: done > 0 ? (elapsedS / done) * Math.max(0, total - done) : null,
      ...(message ? { message } : {}),
      ...(targets ? { targets } : {}),
    });
  };

  const ctx: ProcedureContext = {
    smu,
    cell: params.cell,
    signal: callbacks.signal,
    summary,
    record(m, label) {
      if (m.width && summary.pulseWidths === undefined)
        summary.pulseWidths = { basis: m.width.basis, meaning: PULSE_WIDTH_MEANING[m.width.basis] };
      const point = pointFrom(m, seq++, (performance.now() - started) / 1000, params.cell, label);
      callbacks.onPoint?.(point);
      return point;
    },
    step(message) {
      done = Math.min(total, done + 1);
      progress(message);
    },
    setTargets(g, band) {
      targets = { g: [...g], band: [...band] };
      summary.bands = targets.band;
      progress();
    },
    endEarly(message) {
      total = Math.max(1, done);
      progress(message);
    },
    checkCancelled: () => throwIfAborted(callbacks.signal),
    sleep: (s) => cancellableSleep(s, callbacks.signal),
    log,
    checkpoint: () => callbacks.onCheckpoint?.(structuredClone(summary)),
    ...(callbacks.resume ? { resume: callbacks.resume } : {}),
  };

  let result: RunResult;
  try {
    throwIfAborted(callbacks.signal);
    await bringUp(instrument, smu, params, summary, log);
    callbacks.onConfigured?.(await instrument.settings());
    await executeProcedure(ctx, params);
    const errors = await instrument.errors();
    if (errors.length) throw new InstrumentError(errors, 'during the run');
    done = total;
    progress();
    result = { status: 'completed', points: seq, summary };
  } catch (error) {
    // After a cancel, whatever the procedure was doing fails (an abort pre-empts its queued
    // commands): that is the cancel, not a fault.
    const cancelled = error instanceof CancelledError || callbacks.signal?.aborted === true;
    result = {
      status: cancelled ? 'cancelled' : 'failed',
      points: seq,
      summary,
      ...(cancelled ? {} : { error: serializeError(error) }),
    };
  }
  try {
    result = await shutDown(smu, result, summary, log);
  } finally {
    unregister();
  }
  if (result.error) result = { ...result, error: await explain(result.error, instrument) };
  if (result.error) log(`run ${result.status}: ${result.error.message}`);
  return result;
}

const PULSE_WIDTH_MEANING = {
  hardware: "the instrument's own pulse generator: widths as programmed",
  model: "estimated from the manual's timing terms: not measured",
  host: 'timed by this computer over the link: measured, minus the link round trip',
} as const;

/**
 * Before the procedure: errors left from before are kept and said, the cell is selected, the
 * measurement configured, the pulse width checked, and the output turned on at 0 V.
 */
async function bringUp(
  instrument: Smu,
  smu: GuardedSmu,
  params: ProcedureParams,
  summary: Record<string, unknown>,
  log: (message: string) => void,
): Promise<void> {
  const leftover = await smu.prepare();
  if (leftover.length) {
    summary.previousErrors = leftover;
    log(`the instrument had errors waiting from before this run: ${describe(leftover)}`);
  }
  const moved = await instrument.selectCell(params.cell);
  if (!moved && params.cell !== 0) log(`cell ${params.cell}: the probes must be on that cell`);
  await smu.configure({
    compliance: params.compliance,
    nplc: params.nplc,
    sense: params.sense,
    autoZero: params.autoZero,
    ...(params.terminals ? { terminals: params.terminals } : {}),
  });
  if ('width' in params) checkWidth(instrument, params.width);
  await smu.setVoltage(0);
  await smu.output(true);
}

/** Shutdown: output off first, ahead of anything queued, and confirmed; a failure to is the run's failure. */
async function shutDown(
  smu: GuardedSmu,
  result: RunResult,
  summary: Record<string, unknown>,
  log: (message: string) => void,
): Promise<RunResult> {
  try {
    summary.outputOff = await smu.safe();
    return result;
  } catch (safeError) {
    const message = (safeError as Error).message;
    log(message);
    return {
      status: 'failed',
      points: result.points,
      summary,
      error: {
        code: 'SAFETY',
        message: result.error ? `${result.error.message} — and: ${message}` : message,
        ...(result.error ? { details: { cause: result.error } } : {}),
      },
    };
  }
}

/** Before the output turns on: a pulse width the instrument cannot make fails the run at once. */
function checkWidth(instrument: Smu, width: number): void {
  const { min, max } = instrument.pulseWidthRange();
  if (width < min * 0.999999 || width > max) {
    throw new ReramError(
      'OUT_OF_RANGE',
      `A ${formatSeconds(width)} pulse is outside what the ${instrument.identity.model} can make with these settings (${formatSeconds(min)} to ${formatSeconds(max)}).`,
      { width, min, max },
    );
  }
}

/** A timeout or a malformed reply often has a reason in the instrument's error queue: add its text. */
async function explain(error: SerializedError, instrument: Smu): Promise<SerializedError> {
  if (
    (error.code !== 'TIMEOUT' && error.code !== 'SCPI_PARSE' && error.code !== 'FRAMING') ||
    !instrument.connected
  )
    return error;
  try {
    const entries = await withTimeout(instrument.errors(), 2000, 'Reading the error queue');
    if (entries.length === 0) return error;
    return {
      ...error,
      message: `${error.message}; the instrument reports: ${describe(entries)}`,
      details: { ...error.details, instrumentErrors: entries },
    };
  } catch {
    return error;
  }
}
