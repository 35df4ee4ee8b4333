/**
 * What every SCPI source-measure unit here shares: the driver owns its session; settings are
 * typed declarations (settings.ts) sent only when they change; "output off" pre-empts the queue,
 * clears the device where the link can, and is confirmed; a run starts from a known state.
 */
import { ReramError } from '../../../shared/errors';
import type { InstrumentIdentity } from '../../../shared/run';
import { SafetyError, type InstrumentErrorEntry } from '../errors';
import type { ScpiSession } from '../scpi/session';
import {
  parseSettingReply,
  setCommand,
  type AnySettingValue,
  numberRange,
  type SettingContext,
  type SettingTable,
  type SettingValue,
} from './settings';
import type { CheckItem, Measurement, OffReport, PulseWidth, Smu, SmuCapabilities, SmuConfig } from './smu';
import { runOffProtocol } from './switch-off';

/** Readings above these are not readings: 9.91E37 is "no data" (NaN), 9.9E37 is an overflow. */
export const NO_DATA = 9.91e37;
export const OVERFLOW = 9.9e37;

export interface Reading {
  value: number | null;
  overflow: boolean;
}

export function reading(value: number): Reading {
  if (Math.abs(value) >= NO_DATA * 0.9999) return { value: null, overflow: false };
  if (Math.abs(value) >= OVERFLOW * 0.9999) return { value: null, overflow: true };
  return { value, overflow: false };
}

export interface DriverOptions {
  /** The virtual SMU: it also understands :SIM:* commands. */
  virtual: boolean;
  /** The channel of a two-channel SMU; drivers of one-channel models ignore it. */
  channel?: 'a' | 'b';
  /** The SMU module's slot in a mainframe (B1500A); drivers of other models ignore it. */
  slot?: number;
  /** Opens a second session to the same instrument; only for links that allow one. */
  openSecondLink?: () => Promise<ScpiSession>;
}

export type ResolvedConfig = Required<Omit<SmuConfig, 'currentRange'>> & Pick<SmuConfig, 'currentRange'>;

/**
 * What every driver that owns a line session does alike: the session's resource and state, its
 * close, and the virtual SMU's probe station and clock through the `:SIM:` commands (the 2600B's
 * TSP has its own `sim` table and overrides those three).
 */
export abstract class SessionDriver {
  readonly virtual: boolean;

  constructor(
    protected readonly session: ScpiSession,
    readonly identity: InstrumentIdentity,
    protected readonly options: DriverOptions,
  ) {
    this.virtual = options.virtual;
  }

  get resource(): string {
    return this.session.resource;
  }

  get connected(): boolean {
    return this.session.connected;
  }

  onConnectionLost(listener: (error: Error) => void): () => void {
    return this.session.onConnectionLost(listener);
  }

  close(): Promise<void> {
    return this.session.close();
  }

  selectCell(cell: number): Promise<boolean> {
    return scpiSimulator.selectCell(this.session, this.virtual, cell);
  }

  idle(seconds: number): Promise<boolean> {
    return scpiSimulator.idle(this.session, this.virtual, seconds);
  }

  virtualDie(): Promise<string | null> {
    return scpiSimulator.die(this.session, this.virtual);
  }
}

export abstract class ScpiSmu<S extends SettingTable> extends SessionDriver implements Smu {
  abstract readonly driver: string;
  abstract readonly capabilities: SmuCapabilities;
  protected abstract readonly table: S;
  /** Last value sent per setting: unchanged settings are not re-sent inside tight loops. */
  private readonly sent = new Map<string, AnySettingValue>();
  protected config: ResolvedConfig | undefined;
  /** Power-line frequency (Hz): what one PLC of integration lasts. */
  protected lineFrequency = 50;
  /** The programmed source level (V). */
  protected level = 0;

  protected get context(): SettingContext {
    return { lineFrequency: this.lineFrequency };
  }

  /** Validates against the table and sends; skips the command when the instrument already has the value. */
  protected async set<K extends keyof S & string>(
    name: K,
    value: SettingValue<S[K]>,
    options: { force?: boolean } = {},
  ): Promise<void> {
    await this.setAny(name, value as AnySettingValue, options);
  }

  private async setAny(name: string, value: AnySettingValue, options: { force?: boolean }): Promise<void> {
    const spec = this.table[name];
    if (!spec) throw new ReramError('INTERNAL', `${this.driver} has no setting '${name}'`);
    const command = setCommand(name, spec, value, this.context);
    if (!options.force && this.sent.get(name) === value) return;
    await this.session.write(command);
    this.sent.set(name, value);
  }

  /** What the driver last sent for a setting (undefined: not sent since connect or a clear). */
  protected sentValue(name: string): AnySettingValue | undefined {
    return this.sent.get(name);
  }

  protected forget(): void {
    this.sent.clear();
  }

  /** The driver's source-level setting; every driver declares one named `level`. */
  async setVoltage(v: number): Promise<void> {
    await this.setAny('level', v, {});
    this.level = v;
  }

  async outputState(): Promise<boolean> {
    return this.session.queryBoolean(':OUTP?');
  }

  async output(on: boolean): Promise<void> {
    await this.session.write(on ? ':OUTP ON' : ':OUTP OFF');
  }

  errors(): Promise<InstrumentErrorEntry[]> {
    return this.session.drainErrors();
  }

  async prepare(): Promise<InstrumentErrorEntry[]> {
    // Output off and confirmed before anything else: never reconfigure a cell under bias.
    await this.output(false);
    if (await this.outputState())
      throw new SafetyError(`${this.identity.model} reports its output still on after :OUTP OFF.`);
    // Read the previous user's errors before anything clears them.
    const leftover = await this.session.drainErrors();
    await this.session.write('*RST');
    await this.session.write('*CLS');
    await this.session.opc();
    this.forget();
    this.config = undefined;
    this.level = 0;
    this.lineFrequency = (await this.session.queryNumbers(':SYST:LFR?', { count: 1 }))[0] === 60 ? 60 : 50;
    return leftover;
  }

  /** The identity reply, to tell a fresh confirmation from a stale reply on a shared stream. */
  private confirmation(line: string): boolean | undefined {
    const match = /^\s*\+?([01])\s*;\s*(.*?)\s*$/.exec(line);
    if (!match || match[2] !== this.identity.raw) return undefined;
    return match[1] === '1';
  }

  switchOff(timeoutMs: number): Promise<OffReport> {
    return runOffProtocol(
      this.session,
      {
        what: `${this.identity.model} reports its output`,
        off: ':OUTP OFF',
        confirm: ':OUTP?;*IDN?',
        state: (line) => this.confirmation(line),
        secondLink: { off: ':OUTP OFF', isOn: (second) => second.queryBoolean(':OUTP?') },
      },
      timeoutMs,
      this.options.openSecondLink,
      () => this.sent.delete('level'),
    );
  }

  async settings(): Promise<Record<string, unknown>> {
    const snapshot: Record<string, unknown> = {
      driver: this.driver,
      idn: this.identity.raw,
      resource: this.resource,
      lineFrequency: this.lineFrequency,
      ...(this.config ? { config: this.config } : {}),
    };
    // Each number's unit, so the snapshot reads "1 PLC", "100 µA" wherever it is shown.
    const units: Record<string, string> = { lineFrequency: 'Hz' };
    for (const [name, spec] of Object.entries(this.table)) {
      if (spec.readable === false) continue;
      snapshot[name] = parseSettingReply(spec, await this.session.query(`${spec.header}?`));
      if (spec.type === 'number') units[name] = spec.unit;
    }
    snapshot.units = units;
    snapshot.output = await this.outputState();
    await this.session.checkErrors('while reading the settings back');
    return snapshot;
  }

  /** Command language: the SCPI drivers' models speak nothing else unless told (the 2450 overrides). */
  protected async languageCheck(): Promise<CheckItem> {
    return { name: 'command language', status: 'ok', detail: 'SCPI (the only command set this model has)' };
  }

  /** The last measured command round trip (s), from the bring-up check. */
  protected linkRoundTrip = 0;
  /** How this model makes a pulse, in a few words. */
  protected readonly pulseMethod: string =
    'source-delay-measure; the achieved width is recorded with each pulse';

  /** The query that reads the interlock state, and what its answer means. */
  protected interlock?: {
    query: string;
    /** undefined: a reply the manual does not list. */
    engaged: (reply: string) => boolean | undefined;
    /** What the instrument limits while the interlock is not engaged, in the manual's words. */
    limit: string;
  };

  private async readSetting(name: string): Promise<AnySettingValue | undefined> {
    const spec = this.table[name];
    if (!spec || spec.readable === false) return undefined;
    return parseSettingReply(spec, await this.session.query(`${spec.header}?`));
  }

  async diagnose(): Promise<CheckItem[]> {
    const { items, add } = checkList();
    const session = this.session;
    await add('identity and driver', async () => ({
      status: 'ok',
      detail: `${this.identity.make} ${this.identity.model}, serial ${this.identity.serial}, firmware ${this.identity.firmware}: driver ${this.driver}${this.virtual ? ' (the virtual SMU)' : ''}`,
    }));
    await add('command language', async () => {
      const item = await this.languageCheck();
      return { status: item.status, detail: item.detail, ...(item.fix ? { fix: item.fix } : {}) };
    });
    await add('terminators', async () => {
      const { ms, ...item } = await roundTripCheck(session);
      this.linkRoundTrip = ms / 1000;
      return item;
    });
    await add('line frequency', async () => {
      const [f] = await session.queryNumbers(':SYST:LFR?', { count: 1 });
      this.lineFrequency = f === 60 ? 60 : 50;
      return f === 50 || f === 60
        ? { status: 'ok', detail: `${f} Hz: 1 PLC = ${(1000 / f!).toFixed(2)} ms` }
        : {
            status: 'warn',
            detail: `${f} Hz`,
            fix: 'Set the line frequency to your mains (50 or 60 Hz) in the instrument menu.',
          };
    });
    await add('error queue', () => errorQueueCheck(session));
    await add('output', async () => {
      const on = await this.outputState();
      const mode = await this.readSetting('outputOffMode');
      const detail = `${on ? 'ON' : 'off'}; off-state ${String(mode ?? 'not readable')}`;
      if (on)
        return {
          status: 'fail',
          detail,
          fix: 'Switch the output off (the front-panel OUTPUT key); every run starts by switching it off and confirming.',
        };
      return mode === 'himp'
        ? {
            status: 'warn',
            detail,
            fix: 'High-impedance off-state: its relay clicks on every pulse. Runs set it to ZERO themselves.',
          }
        : { status: 'ok', detail };
    });
    await add('sense and terminals', async () => {
      const remote = await this.readSetting('remoteSense');
      const terminals = (await this.readSetting('terminals')) ?? this.capabilities.terminals[0];
      return {
        status: 'ok',
        detail: `${remote ? '4-wire (remote)' : '2-wire'} sense, ${String(terminals)} terminals; a run sets both from its parameters`,
      };
    });
    const interlock = this.interlock;
    if (interlock)
      await add('interlock', async () => {
        const reply = (await session.query(interlock.query)).trim();
        const engaged = interlock.engaged(reply);
        if (engaged === undefined)
          return {
            status: 'warn',
            detail: `unexpected reply '${reply}' to ${interlock.query}`,
            fix: 'Check the interlock on the front panel.',
          };
        return engaged
          ? { status: 'ok', detail: `engaged (${interlock.query} → ${reply})` }
          : {
              status: 'warn',
              detail: `not engaged (${interlock.query} → ${reply}): ${interlock.limit}`,
              fix: 'Close the interlock (test fixture lid or the interlock pins) if the output must reach high voltages.',
            };
      });
    await add('shortest pulse', async () => {
      const { min } = this.pulseWidthRange();
      return {
        status: 'ok',
        detail: `${formatSeconds(min)} (${this.pulseMethod})`,
      };
    });
    await session.checkErrors('during the bring-up check').catch(() => undefined);
    return items;
  }

  /** A query's timeout: the session's, plus twice what the instrument needs for the operation. */
  protected timeoutFor(seconds: number): number {
    return operationTimeout(this.session, seconds);
  }

  /** Seconds one integration lasts. */
  protected integration(nplc: number): number {
    return nplc / this.lineFrequency;
  }

  abstract configure(config: SmuConfig): Promise<void>;
  abstract measure(): Promise<Measurement>;
  abstract pulseWidthRange(): { min: number; max: number };

  /** From the driver's own declaration: an `nplc` setting, or an `aperture` in seconds. */
  nplcRange(): { min: number; max: number } {
    const table = this.table as SettingTable;
    const context = { lineFrequency: this.lineFrequency };
    const nplc = table.nplc;
    if (nplc?.type === 'number') return numberRange(nplc, context);
    const aperture = table.aperture;
    if (aperture?.type === 'number') {
      const { min, max } = numberRange(aperture, context);
      return {
        min: Number((min * this.lineFrequency).toPrecision(3)),
        max: Number((max * this.lineFrequency).toPrecision(3)),
      };
    }
    throw new Error(`${this.driver} declares no integration time`);
  }
  abstract pulse(v: number, width: number): Promise<Measurement>;

  /** Refuses widths the instrument cannot make with the present settings, naming the range. */
  protected checkWidth(width: number): void {
    const { min, max } = this.pulseWidthRange();
    if (!(width >= min * 0.999999) || !(width <= max)) {
      throw new ReramError(
        'OUT_OF_RANGE',
        `A ${formatSeconds(width)} pulse is outside what the ${this.identity.model} can make with these settings (${formatSeconds(min)} to ${formatSeconds(max)}).`,
        { width, min, max },
      );
    }
  }

  /** A staircase without list hardware: each level held for `dwell`, then measured; output on throughout. */
  list(vs: number[], dwell: number): Promise<Measurement[]> {
    return hostStaircase(this, vs, dwell);
  }

  protected static rangeOf(config: SmuConfig): number | 'auto' {
    return config.currentRange ?? 'auto';
  }

  protected resolve(config: SmuConfig): ResolvedConfig {
    return resolveConfig(config, this.capabilities.terminals);
  }

  protected requireTerminals(terminals: ResolvedConfig['terminals']): void {
    if (!this.capabilities.terminals.includes(terminals))
      throw new ReramError(
        'UNSUPPORTED',
        `The ${this.identity.model} has no ${terminals} terminals (it has: ${this.capabilities.terminals.join(', ')}).`,
      );
  }
}

/** The settings a run configures with, the driver's defaults filled in (first listed terminals). */
export function resolveConfig(config: SmuConfig, terminals: SmuCapabilities['terminals']): ResolvedConfig {
  return {
    compliance: config.compliance,
    nplc: config.nplc,
    sense: config.sense ?? '2w',
    terminals: config.terminals ?? terminals[0]!,
    autoZero: config.autoZero ?? true,
    ...(config.currentRange !== undefined ? { currentRange: config.currentRange } : {}),
  };
}

/** A query's timeout: the session's, plus twice what the instrument needs for the operation. */
export function operationTimeout(session: ScpiSession, seconds: number): number {
  return session.timeoutMs + Math.ceil(2000 * Math.max(0, seconds));
}

/**
 * The virtual SMU's probe station and clock, in the `:SIM:` commands its SCPI, FLEX and KXCI
 * dialects take. Real instruments: nothing is sent (false, null).
 */
export const scpiSimulator = {
  async selectCell(session: ScpiSession, virtual: boolean, cell: number): Promise<boolean> {
    if (!virtual) return false;
    await session.write(`:SIM:CELL ${cell}`);
    await session.checkErrors(`while moving to cell ${cell}`);
    return true;
  },
  async idle(session: ScpiSession, virtual: boolean, seconds: number): Promise<boolean> {
    if (!virtual) return false;
    await session.write(`:SIM:WAIT ${seconds}`);
    await session.sync(operationTimeout(session, seconds));
    return true;
  },
  async die(session: ScpiSession, virtual: boolean): Promise<string | null> {
    if (!virtual) return null;
    return (await session.query(':SIM:DIE?')).trim().replace(/^"|"$/g, '');
  },
};

/** The bring-up check's link item: the terminators in use and one synchronising round trip (and its ms). */
export async function roundTripCheck(
  session: ScpiSession,
): Promise<Omit<CheckItem, 'name'> & { ms: number }> {
  const started = performance.now();
  await session.sync();
  const ms = performance.now() - started;
  return {
    status: 'ok',
    detail: `commands end in ${session.writeTerminator}, replies in ${session.readTerminator}: a round trip (${session.syncQuery}) took ${ms.toFixed(1)} ms`,
    ms,
  };
}

/** The bring-up check's error-queue item: what was waiting is read out and named. */
export async function errorQueueCheck(session: ScpiSession): Promise<Omit<CheckItem, 'name'>> {
  const entries = await session.drainErrors();
  return entries.length === 0
    ? { status: 'ok', detail: 'empty' }
    : {
        status: 'warn',
        detail: `${entries.length} left from before (now read out): ${entries.map((e) => `${e.code},"${e.message}"`).join('; ')}`,
        fix: 'Nothing to do unless they recur; a run reads the queue before it starts.',
      };
}

/** The bring-up check's items, each check run in turn; a check that throws is a 'fail' with its message. */
export function checkList(): {
  items: CheckItem[];
  add(name: string, check: () => Promise<Omit<CheckItem, 'name'>>): Promise<void>;
} {
  const items: CheckItem[] = [];
  return {
    items,
    add: async (name, check) => {
      try {
        items.push({ name, ...(await check()) });
      } catch (error) {
        items.push({
          name,
          status: 'fail',
          detail: (error as Error).message,
          fix: 'Check the connection settings, then run the check again.',
        });
      }
    },
  };
}

/** A staircase without list hardware: each level held for `dwell`, then measured; output on throughout. */
export async function hostStaircase(
  smu: Pick<Smu, 'setVoltage' | 'measure'>,
  vs: number[],
  dwell: number,
): Promise<Measurement[]> {
  const results: Measurement[] = [];
  for (const v of vs) {
    await smu.setVoltage(v);
    if (dwell > 0) await new Promise((resolve) => setTimeout(resolve, dwell * 1000));
    results.push(await smu.measure());
  }
  return results;
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return String(s);
  if (s >= 1) return `${Number(s.toPrecision(4))} s`;
  if (s >= 1e-3) return `${Number((s * 1e3).toPrecision(4))} ms`;
  return `${Number((s * 1e6).toPrecision(4))} µs`;
}

export type { PulseWidth };
