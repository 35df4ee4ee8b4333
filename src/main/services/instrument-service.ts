/**
 * The app's instrument: one connection at a time (a real resource or the virtual SMU the app
 * starts), one run at a time recorded into the store, points and progress streamed as events,
 * and an Abort that switches the output off at once.
 */
import { realpathSync } from 'node:fs';
import { smuModel } from '../instrument/models/registry';
import { RoutedSmu } from '../instrument/switch/routed-smu';
import { withTimeout } from '../async';
import type { ApiParsedInput, InstrumentStatus } from '../../shared/api';
import { ReramError, serializeError } from '../../shared/errors';
import { cellGuardReason, type SampleKey } from '../../shared/cell-guard';
import { instrumentLimitErrors } from '../../shared/procedure-checks';
import type { ProcedureParams } from '../../shared/procedures';
import { procedureSteps } from '../../shared/procedures';
import type { Point } from '../../shared/run';
import type { EventHub } from './events';
import { connectInstrument, toConnectOptions } from '../instrument/connect';
import type { CheckItem, Smu } from '../instrument/drivers/smu';
import { registerInstrument, switchOffConfirmed } from '../instrument/guard';
import type { RunResult } from '../instrument/procedures/runner';
import { RunRecording, sampleOf } from './recorder';
import { startSimulator, type Simulator } from './simulator';
import type { Store } from '../store/store';

interface ActiveRun {
  runId: number;
  procedure: string;
  done: number;
  total: number;
  controller: AbortController;
  finished: Promise<void>;
}

const POINT_FLUSH_MS = 80;

/** Batches streamed points into events: at most every 80 ms, or every 500 points. */
class PointStream {
  private pending: Point[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  constructor(private readonly emit: (points: Point[]) => void) {}
  push(point: Point): void {
    this.pending.push(point);
    if (this.pending.length >= 500) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), POINT_FLUSH_MS);
  }
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length) this.emit(this.pending);
    this.pending = [];
  }
}

/** True at most once per interval. */
class Throttle {
  private last = 0;
  constructor(private readonly intervalMs: number) {}
  ready(): boolean {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return false;
    this.last = now;
    return true;
  }
}
const ALLOWED_HOSTS = 'instrument.allowedHosts';

function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Serial resources: device files under /dev (ttys, ptys, usbtmc, gpib) or COM ports, nothing else. */
function checkSerialDevice(path: string): void {
  if (/^COM\d+$/i.test(path) && process.platform === 'win32') return;
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    throw new ReramError('NOT_FOUND', `There is no serial device ${path}.`);
  }
  const ok =
    /^\/dev\/(tty[^/]*|pts\/\d+|usbtmc\d+|gpib\d+|serial\/by-(id|path)\/.+|cu\..+)$/.test(real) &&
    !/\.\./.test(real);
  if (!ok)
    throw new ReramError(
      'INVALID_INPUT',
      `${path} is not a serial device (only /dev/tty*, /dev/pts/*, /dev/usbtmc*, /dev/gpib* or COM ports).`,
    );
}

export class InstrumentService {
  private connection: Smu | undefined;
  private simulator: Simulator | undefined;
  private active: ActiveRun | undefined;
  private output: boolean | null = null;
  private messages: string[] = [];
  private unregister: (() => void) | undefined;
  /** The sample runs are recorded against: the virtual die's id, or what the user entered. */
  private sample: SampleKey | undefined;

  constructor(
    private readonly store: Store,
    private readonly events: EventHub,
  ) {}

  status(): InstrumentStatus {
    const c = this.connection;
    return {
      connected: Boolean(c?.connected),
      resource: c?.resource ?? null,
      identity: c?.identity ?? null,
      driver: c?.driver ?? null,
      virtual: c?.virtual ?? false,
      output: this.output,
      activeRun: this.active
        ? {
            runId: this.active.runId,
            procedure: this.active.procedure,
            done: this.active.done,
            total: this.active.total,
          }
        : null,
      messages: [...this.messages],
      simulator: this.simulator
        ? {
            model: this.simulator.options.model,
            preset: this.simulator.options.preset,
            timeScale: this.simulator.options.timeScale,
            cells: this.simulator.options.cells,
            tcpResource: this.simulator.tcpResource,
          }
        : null,
      pulseWidth: c?.connected ? c.pulseWidthRange() : null,
      nplc: c?.connected ? c.nplcRange() : null,
      sample: c?.connected && this.sample ? { ...this.sample } : null,
      dieCells: this.simulator
        ? this.simulator.options.cells
        : c instanceof RoutedSmu
          ? c.wiring.rows * c.wiring.columns
          : null,
    };
  }

  /** The sample of the connected instrument (its runs, its cells' state). */
  currentSample(): SampleKey {
    if (!this.connection?.connected || !this.sample)
      throw new ReramError('CONFLICT', 'Connect to an instrument first (Instrument page).');
    return this.sample;
  }

  /** A real bench moves to another die: the next runs belong to that sample. */
  setSample(sample: SampleKey): InstrumentStatus {
    if (!this.connection?.connected) throw new ReramError('CONFLICT', 'Connect to an instrument first.');
    if (this.connection.virtual)
      throw new ReramError('CONFLICT', "The virtual SMU's die is its own sample: reconnect for a new die.");
    if (this.active)
      throw new ReramError('CONFLICT', `Run ${this.active.runId} is running: change the sample after it.`);
    this.sample = { wafer: sample.wafer.trim(), die: sample.die.trim() };
    return this.publish();
  }

  /** Why this procedure should not run on its cell as the cell is now, or null (the cell guard). */
  cellGuard(params: ProcedureParams): string | null {
    return cellGuardReason(params.procedure, this.store.cells.state(this.currentSample(), params.cell));
  }

  private publish(): InstrumentStatus {
    const status = this.status();
    this.events.emit('instrument.status', status);
    return status;
  }

  private note(message: string): void {
    this.messages = [...this.messages.slice(-19), message];
  }

  private async refreshOutput(): Promise<void> {
    if (!this.connection?.connected) return;
    try {
      this.output = await this.connection.outputState();
    } catch (error) {
      this.output = null;
      this.note(`Output state unknown: ${(error as Error).message}`);
    }
  }

  /** The bring-up check of the connected instrument; refused while a run is using it. */
  async check(): Promise<{ items: CheckItem[] }> {
    const connection = this.connection;
    if (!connection?.connected) throw new ReramError('CONFLICT', 'Connect to an instrument first.');
    if (this.active) throw new ReramError('CONFLICT', `Run ${this.active.runId} is using the instrument.`);
    return { items: await connection.diagnose() };
  }

  /** Hosts the user has allowed (loopback needs no permission). */
  allowHost(host: string): string[] {
    const hosts = new Set(this.store.settings.get<string[]>(ALLOWED_HOSTS) ?? []);
    hosts.add(host.trim().toLowerCase());
    const list = [...hosts].sort();
    this.store.settings.set(ALLOWED_HOSTS, list);
    return list;
  }

  /**
   * A page holding the token may only open instrument devices and loopback or user-allowed hosts:
   * no arbitrary files as serial ports, no scanning of the network.
   */
  private checkReachable(resource: string, gpibAdapter: string | undefined): void {
    for (const target of [resource, gpibAdapter]) {
      if (!target) continue;
      const serial = /^ASRL(.+)::INSTR$/i.exec(target.trim())?.[1];
      if (serial !== undefined) checkSerialDevice(serial);
      const host = /^TCPIP\d*::([^:]+|\[[^\]]+\])::/i.exec(target.trim())?.[1]?.replace(/^\[|\]$/g, '');
      if (host !== undefined && !isLoopback(host)) {
        const allowed = this.store.settings.get<string[]>(ALLOWED_HOSTS) ?? [];
        if (!allowed.includes(host.toLowerCase()))
          throw new ReramError(
            'NEEDS_CONFIRMATION',
            `Connecting to ${host} for the first time: confirm that it is your instrument.`,
            { host },
          );
      }
    }
  }

  /**
   * Connects, and only then lets go of the instrument already connected: a connection that fails
   * leaves the working one in place. Reconnecting to the same resource closes it first (a serial
   * port cannot be opened twice).
   */
  async connect(request: ApiParsedInput<'instrument.connect'>): Promise<InstrumentStatus> {
    if (request.kind === 'resource') this.checkReachable(request.resource, request.gpibAdapter);
    if (this.active)
      throw new ReramError('CONFLICT', `Run ${this.active.runId} is using the instrument: cancel it first.`);
    if (request.kind === 'resource' && request.resource === this.connection?.resource)
      await this.disconnect();
    let simulator: Simulator | undefined;
    let resource: string;
    let options = {};
    if (request.kind === 'virtual') {
      const { info } = smuModel(request.model);
      simulator = await startSimulator(
        {
          model: info.id,
          preset: request.preset,
          cells: request.cells,
          seed: request.seed,
          timeScale: request.timeScale,
          ...(request.endurance !== undefined ? { endurance: request.endurance } : {}),
          ...(request.drift !== undefined ? { drift: request.drift } : {}),
        },
        (line) => this.events.emit('system.log', { level: 'info', message: line }),
      );
      resource = simulator.resource;
      const terminator = info.lanTerminator;
      if (terminator) options = { writeTerminator: terminator, readTerminator: terminator };
    } else {
      resource = request.resource;
      options = toConnectOptions(request);
    }
    let connection: Smu;
    let sample: SampleKey;
    try {
      connection = await connectInstrument(resource, options);
      sample = await sampleOf(connection, request.kind === 'resource' ? request.sample : undefined);
    } catch (error) {
      await simulator?.stop();
      throw error;
    }
    await this.disconnect();
    this.messages = [];
    this.simulator = simulator;
    simulator?.onExit((code) => {
      if (code !== 0 && code !== null) this.note(`The virtual SMU stopped (exit code ${code}).`);
    });
    this.connection = connection;
    this.sample = sample;
    this.unregister = registerInstrument(`${connection.identity.model} at ${resource}`, () =>
      switchOffConfirmed(connection),
    );
    connection.onConnectionLost((error) => {
      this.note(error.message);
      this.output = null;
      this.publish();
    });
    await this.refreshOutput();
    return this.publish();
  }

  async disconnect(): Promise<InstrumentStatus> {
    if (this.active) await this.abort();
    const connection = this.connection;
    this.connection = undefined;
    this.unregister?.();
    this.unregister = undefined;
    if (connection) {
      try {
        if (connection.connected) await switchOffConfirmed(connection);
      } catch (error) {
        this.note(`Could not confirm the output is off: ${(error as Error).message}`);
      }
      await connection.close();
    }
    await this.simulator?.stop();
    this.simulator = undefined;
    this.output = null;
    return this.publish();
  }

  /**
   * Output off now: the driver pre-empts whatever the run has queued, switches off and confirms;
   * then the run is cancelled (its own shutdown confirms again).
   */
  async abort(): Promise<InstrumentStatus> {
    const connection = this.connection;
    const active = this.active;
    active?.controller.abort();
    if (connection?.connected || active) {
      try {
        if (connection) await switchOffConfirmed(connection);
      } catch (error) {
        this.note(`Abort: ${(error as Error).message}`);
      }
    }
    // The run winds down on its own; the output is already off, so do not wait on it for long.
    if (active) await withTimeout(active.finished, 5000, 'The run ending').catch(() => undefined);
    await this.refreshOutput();
    return this.publish();
  }

  /**
   * Starts a run and returns its id at once. The run row is created synchronously, so a database
   * that cannot take it fails this call instead of leaving it waiting.
   */
  startRun(params: ProcedureParams, options: { acknowledgeCellState?: boolean } = {}): { runId: number } {
    const connection = this.connection;
    if (!connection?.connected)
      throw new ReramError('CONFLICT', 'Connect to an instrument first (Instrument page).');
    if (this.active)
      throw new ReramError('CONFLICT', `Run ${this.active.runId} is still running: cancel it first.`);

    if (!connection.virtual && params.cell !== 0) {
      // Real instruments cannot move probes: the cell number is only a label for the run.
      this.note(`Cell ${params.cell}: make sure the probes are on that cell.`);
    }
    // Checked before anything is recorded: what the instrument cannot make is a form error, not a
    // failed run left in the database.
    const limits = instrumentLimitErrors(params as unknown as Record<string, unknown>, {
      pulseWidth: connection.pulseWidthRange(),
      nplc: connection.nplcRange(),
    });
    for (const [field, message] of Object.entries(limits))
      throw new ReramError('OUT_OF_RANGE', `${connection.identity.model}: ${message}.`, { field });
    const recording = RunRecording.start(this.store, connection, params, this.currentSample(), options);
    const runId = recording.runId;
    const controller = new AbortController();
    const total = procedureSteps(params);
    const points = new PointStream((batch) => this.events.emit('run.points', { runId, points: batch }));
    const progress = new Throttle(100);
    let markFinished!: () => void;
    const finished = new Promise<void>((resolve) => (markFinished = resolve));
    const active: ActiveRun = { runId, procedure: params.procedure, done: 0, total, controller, finished };
    this.active = active;
    this.events.emit('run.started', { runId, procedure: params.procedure, total });
    this.output = true;
    this.publish();

    void recording
      .run({
        signal: controller.signal,
        onPoint: (point) => points.push(point),
        onProgress: (p) => {
          active.done = p.done;
          if (progress.ready() || p.done >= p.total) this.events.emit('run.progress', { runId, ...p });
        },
        log: (message) => this.events.emit('system.log', { level: 'warn', message }),
      })
      .then(
        (result) => this.ended(runId, points, result),
        (error: unknown) =>
          this.ended(runId, points, {
            status: 'failed',
            points: 0,
            summary: {},
            error: serializeError(error),
          }),
      )
      .finally(markFinished);
    return { runId };
  }

  private async ended(runId: number, points: PointStream, result: RunResult): Promise<void> {
    points.flush();
    this.active = undefined;
    if (result.error) this.note(result.error.message);
    await this.refreshOutput();
    this.events.emit('run.ended', {
      runId,
      status: result.status,
      points: result.points,
      error: result.error ? { code: result.error.code, message: result.error.message } : null,
      summary: result.summary,
    });
    this.publish();
  }

  /** Starts a run and resolves when it has ended (the output is off again): one queue step. */
  runToEnd(
    params: ProcedureParams,
    signal: AbortSignal,
    options: { acknowledgeCellState?: boolean; onRunCreated?(runId: number): void } = {},
  ): Promise<{ runId: number | null; status: 'completed' | 'failed' | 'cancelled'; error: string | null }> {
    return new Promise((resolve) => {
      let runId: number;
      const off = this.events.subscribe((event, payload) => {
        const ended = payload as {
          runId: number;
          status: 'completed' | 'failed' | 'cancelled';
          error: { message: string } | null;
        };
        if (event !== 'run.ended' || ended.runId !== runId) return;
        off();
        signal.removeEventListener('abort', onAbort);
        resolve({ runId, status: ended.status, error: ended.error?.message ?? null });
      });
      const onAbort = () => void this.cancel();
      try {
        runId = this.startRun(params, options).runId;
        options.onRunCreated?.(runId);
        signal.addEventListener('abort', onAbort, { once: true });
      } catch (error) {
        off();
        resolve({
          runId: null,
          status: 'failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
  }

  async cancel(): Promise<void> {
    if (!this.active) return;
    this.active.controller.abort();
    await this.active.finished;
  }

  async dispose(): Promise<void> {
    await this.disconnect();
  }
}
