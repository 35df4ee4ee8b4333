/**
 * Runs a procedure PyMeasure-style: startup (select the cell, set compliance before anything is
 * sourced), execute (points and progress stream out, cancellation honoured between steps), and
 * a shutdown that always runs and leaves the instrument safe.
 */
import { CancelledError, serializeError, type SerializedError } from '../../../shared/errors';
import { procedureSteps, type ProcedureParams } from '../../../shared/procedures';
import { conductanceOf, type Point } from '../../../shared/run';
import type { InstrumentConnection } from '../connect';
import { GuardedSmu } from '../guard';
import { registerInstrument } from '../safety';
import { cancellableSleep, throwIfAborted, type ProcedureContext } from './context';
import { executeProcedure } from './procedures';

export interface RunProgress {
  done: number;
  total: number;
  elapsedS: number;
  /** Estimated seconds left; null until one step is done. */
  remainingS: number | null;
  message?: string;
}

export interface RunCallbacks {
  signal?: AbortSignal;
  onPoint?(point: Point): void;
  onProgress?(progress: RunProgress): void;
  /** After startup: the instrument settings snapshot stored with the run. */
  onConfigured?(settings: Record<string, unknown>): void;
  log?(message: string): void;
}

export interface RunResult {
  status: 'completed' | 'cancelled' | 'failed';
  points: number;
  error?: SerializedError;
  summary: Record<string, unknown>;
}

export async function runProcedure(
  connection: Pick<
    InstrumentConnection,
    'smu' | 'session' | 'virtual' | 'reconnectAndSwitchOff' | 'resource'
  >,
  params: ProcedureParams,
  callbacks: RunCallbacks = {},
): Promise<RunResult> {
  const smu = new GuardedSmu(
    connection.smu,
    { maxVoltage: params.maxVoltage, maxCompliance: params.compliance },
    { rescue: () => connection.reconnectAndSwitchOff() },
  );
  const unregister = registerInstrument(`${connection.smu.identity.model} at ${connection.resource}`, () =>
    smu.safe(),
  );
  const started = performance.now();
  const total = procedureSteps(params);
  let done = 0;
  let seq = 0;
  const summary: Record<string, unknown> = {};
  const log = callbacks.log ?? (() => {});

  const ctx: ProcedureContext = {
    smu,
    cell: params.cell,
    signal: callbacks.signal,
    summary,
    record(m, label) {
      const point: Point = {
        seq: seq++,
        t: (performance.now() - started) / 1000,
        v: m.v,
        i: m.i,
        g: conductanceOf(m.v, m.i),
        pulse: label.pulse,
        phase: label.phase,
        kind: label.kind,
        cell: params.cell,
        cycle: label.cycle,
        compliance: m.compliance,
        target: label.target ?? null,
      };
      callbacks.onPoint?.(point);
      return point;
    },
    step(message) {
      done++;
      const elapsedS = (performance.now() - started) / 1000;
      callbacks.onProgress?.({
        done,
        total,
        elapsedS,
        remainingS: done > 0 ? (elapsedS / done) * Math.max(0, total - done) : null,
        ...(message ? { message } : {}),
      });
    },
    checkCancelled: () => throwIfAborted(callbacks.signal),
    sleep: (s) => cancellableSleep(s, callbacks.signal),
    log,
  };

  let result: RunResult | undefined;
  try {
    throwIfAborted(callbacks.signal);
    // Startup: probes (virtual SMU: select the cell) before any bias, then compliance before output.
    if (connection.virtual) await connection.session.write(`:SIM:CELL ${params.cell}`);
    await smu.configure({ compliance: params.compliance, nplc: params.nplc });
    await smu.setVoltage(0);
    await smu.output(true);
    callbacks.onConfigured?.(await smu.settings());
    await executeProcedure(ctx, params);
    await connection.session.checkErrors('during the run');
    result = { status: 'completed', points: seq, summary };
  } catch (error) {
    const cancelled = error instanceof CancelledError;
    result = {
      status: cancelled ? 'cancelled' : 'failed',
      points: seq,
      summary,
      ...(cancelled ? {} : { error: await explain(error, connection.session) }),
    };
  } finally {
    try {
      await smu.safe();
    } catch (safeError) {
      const message = (safeError as Error).message;
      log(message);
      result = {
        status: 'failed',
        points: seq,
        summary,
        error: {
          code: 'SAFETY',
          message: result?.error ? `${result.error.message} — and: ${message}` : message,
        },
      };
    }
    unregister();
  }
  if (result!.error) log(`run ${result!.status}: ${result!.error.message}`);
  return result!;
}

/** A timeout or a malformed reply often has a reason in the instrument's error queue: add its text. */
async function explain(
  error: unknown,
  session: Pick<InstrumentConnection['session'], 'drainErrors' | 'connected'>,
): Promise<SerializedError> {
  const serialized = serializeError(error);
  if ((serialized.code !== 'TIMEOUT' && serialized.code !== 'SCPI_PARSE') || !session.connected)
    return serialized;
  try {
    const entries = await Promise.race([
      session.drainErrors(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no answer')), 2000)),
    ]);
    if (entries.length === 0) return serialized;
    const text = entries.map((e) => `${e.code},"${e.message}"`).join('; ');
    return {
      ...serialized,
      message: `${serialized.message}; the instrument reports: ${text}`,
      details: { ...serialized.details, instrumentErrors: entries },
    };
  } catch {
    return serialized;
  }
}
