/**
 * The app's instrument: one connection at a time (a real resource or the virtual SMU the app
 * starts), one run at a time recorded into the store, points and progress streamed as events,
 * and an Abort that switches the output off at once.
 */
import { realpathSync } from 'node:fs';
import type { ApiParsedInput, InstrumentStatus } from '../../shared/api';
import { ReramError, serializeError } from '../../shared/errors';
import type { ProcedureParams } from '../../shared/procedures';
import { procedureSteps } from '../../shared/procedures';
import type { Point } from '../../shared/run';
import type { EventHub } from '../api/events';
import { connectInstrument, toConnectOptions } from '../instrument/connect';
import type { Smu } from '../instrument/drivers/smu';
import { registerInstrument, switchOffConfirmed } from '../instrument/guard';
import { recordRun } from './recorder';
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
          }
        : null,
    };
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

  /** Hosts the user has allowed (loopback needs no permission). */
  allowHost(host: string): string[] {
    const hosts = new Set(this.store.getSetting<string[]>(ALLOWED_HOSTS) ?? []);
    hosts.add(host.trim().toLowerCase());
    const list = [...hosts].sort();
    this.store.setSetting(ALLOWED_HOSTS, list);
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
        const allowed = this.store.getSetting<string[]>(ALLOWED_HOSTS) ?? [];
        if (!allowed.includes(host.toLowerCase()))
          throw new ReramError(
            'NEEDS_CONFIRMATION',
            `Connecting to ${host} for the first time: confirm that it is your instrument.`,
            { host },
          );
      }
    }
  }

  async connect(request: ApiParsedInput<'instrument.connect'>): Promise<InstrumentStatus> {
    if (request.kind === 'resource') this.checkReachable(request.resource, request.gpibAdapter);
    await this.disconnect();
    this.messages = [];
    let resource: string;
    let options = {};
    if (request.kind === 'virtual') {
      this.simulator = await startSimulator(
        {
          model: request.model,
          preset: request.preset,
          cells: request.cells,
          seed: request.seed,
          timeScale: request.timeScale,
        },
        (line) => this.events.emit('system.log', { level: 'info', message: line }),
      );
      this.simulator.onExit((code) => {
        if (code !== 0 && code !== null) this.note(`The virtual SMU stopped (exit code ${code}).`);
      });
      resource = this.simulator.resource;
    } else {
      resource = request.resource;
      options = toConnectOptions(request);
    }
    try {
      this.connection = await connectInstrument(resource, options);
    } catch (error) {
      await this.simulator?.stop();
      this.simulator = undefined;
      throw error;
    }
    const connection = this.connection;
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
    if (active)
      await Promise.race([
        active.finished,
        new Promise<void>((resolve) => {
          setTimeout(resolve, 5000).unref();
        }),
      ]);
    await this.refreshOutput();
    return this.publish();
  }

  startRun(params: ProcedureParams): Promise<{ runId: number }> {
    const connection = this.connection;
    if (!connection?.connected)
      throw new ReramError('CONFLICT', 'Connect to an instrument first (Instrument page).');
    if (this.active)
      throw new ReramError('CONFLICT', `Run ${this.active.runId} is still running: cancel it first.`);
    if (!connection.virtual && params.cell !== 0) {
      // Real instruments cannot move probes: the cell number is only a label for the run.
      this.note(`Cell ${params.cell}: make sure the probes are on that cell.`);
    }
    const controller = new AbortController();
    let pending: Point[] = [];
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastProgress = 0;
    let runIdResolve: (id: number) => void;
    const runIdReady = new Promise<number>((resolve) => (runIdResolve = resolve));
    let markFinished: () => void;
    const finishedSignal = new Promise<void>((resolve) => (markFinished = resolve));
    const flush = (runId: number) => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (pending.length) this.events.emit('run.points', { runId, points: pending });
      pending = [];
    };
    const total = procedureSteps(params);
    void recordRun(this.store, connection, params, {
      signal: controller.signal,
      onRunCreated: (runId) => {
        this.active = {
          runId,
          procedure: params.procedure,
          done: 0,
          total,
          controller,
          finished: finishedSignal,
        };
        this.events.emit('run.started', { runId, procedure: params.procedure, total });
        this.output = true;
        this.publish();
        runIdResolve(runId);
      },
      onPoint: (point) => {
        const runId = this.active!.runId;
        pending.push(point);
        if (pending.length >= 500) flush(runId);
        else timer ??= setTimeout(() => flush(runId), POINT_FLUSH_MS);
      },
      onProgress: (progress) => {
        const active = this.active!;
        active.done = progress.done;
        const now = Date.now();
        if (now - lastProgress < 100 && progress.done < progress.total) return;
        lastProgress = now;
        this.events.emit('run.progress', { runId: active.runId, ...progress });
      },
    }).then(
      async ({ runId, result }) => {
        flush(runId);
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
        markFinished();
      },
      (error: unknown) => {
        this.active = undefined;
        this.note(serializeError(error).message);
        this.publish();
        markFinished();
      },
    );
    return runIdReady.then((runId) => ({ runId }));
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
