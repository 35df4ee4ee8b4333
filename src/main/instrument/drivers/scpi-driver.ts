/**
 * Table-driven SCPI drivers (PyMeasure style): every setting is one declaration — its set and
 * get commands, a validator, a unit and a line of documentation — and the generic code here
 * validates, formats, sends and reads them. Common SCPI lives here too.
 */
import { outOfRange } from '../../../shared/errors';
import type { InstrumentIdentity } from '../../../shared/run';
import type { ScpiSession } from '../scpi/session';
import type { Measurement, Smu, SmuCapabilities, SmuConfig } from './smu';

export interface SettingSpec {
  set: (value: number) => string;
  get?: string;
  unit: string;
  doc: string;
  min?: number;
  max?: number;
}

export type SettingTable = Record<string, SettingSpec>;

/** Settings every dialect here spells the same way: source level, integration and current range. */
export function commonSettings(levelCommand: string, nplcRange: { min: number; max: number }): SettingTable {
  return {
    level: {
      set: (v) => `${levelCommand} ${num(v)}`,
      get: `${levelCommand}?`,
      unit: 'V',
      min: -210,
      max: 210,
      doc: 'DC source level',
    },
    nplc: {
      set: (n) => `:SENS:CURR:NPLC ${num(n)}`,
      get: ':SENS:CURR:NPLC?',
      unit: 'PLC',
      ...nplcRange,
      doc: 'integration time',
    },
    currentRange: {
      set: (r) => (r > 0 ? `:SENS:CURR:RANG ${num(r)}` : ':SENS:CURR:RANG:AUTO ON'),
      unit: 'A',
      min: 0,
      max: 1.05,
      doc: 'current range (0: auto)',
    },
  };
}

export function checkRange(
  name: string,
  value: number,
  spec: Pick<SettingSpec, 'min' | 'max' | 'unit'>,
): void {
  if (!Number.isFinite(value)) throw outOfRange(`${name} must be a finite number, got ${value}`);
  if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
    throw outOfRange(
      `${name} ${value} ${spec.unit} is outside the instrument's range ${spec.min ?? '−∞'}…${spec.max ?? '∞'} ${spec.unit}`,
    );
  }
}

/** Compact SCPI number: enough digits for any setting, no locale. */
export function num(value: number): string {
  return Number(value.toPrecision(9)).toString().replace('e+', 'E').replace('e-', 'E-');
}

export abstract class ScpiSmu implements Smu {
  abstract readonly driver: Smu['driver'];
  abstract readonly capabilities: SmuCapabilities;
  protected abstract readonly table: SettingTable;
  /** Last value sent per setting: unchanged settings are not re-sent inside tight loops. */
  private readonly sent = new Map<string, number>();
  protected config: SmuConfig | undefined;
  /** Power-line frequency (Hz): what one PLC of integration lasts. */
  protected lineFrequency = 50;

  constructor(
    readonly session: ScpiSession,
    readonly identity: InstrumentIdentity,
  ) {}

  /** Validates against the table and sends; skips the command when the instrument already has the value. */
  protected async setSetting(name: string, value: number, options: { force?: boolean } = {}): Promise<void> {
    const spec = this.table[name];
    if (!spec) throw new Error(`${this.driver} has no setting '${name}'`);
    checkRange(name, value, spec);
    if (!options.force && this.sent.get(name) === value) return;
    await this.session.write(spec.set(value));
    this.sent.set(name, value);
  }

  protected forget(): void {
    this.sent.clear();
  }

  async reset(): Promise<void> {
    await this.session.write('*RST');
    await this.session.write('*CLS');
    this.forget();
    this.config = undefined;
    await this.session.opc();
  }

  async settings(): Promise<Record<string, unknown>> {
    const snapshot: Record<string, unknown> = { driver: this.driver, idn: this.identity.raw };
    for (const [name, spec] of Object.entries(this.table)) {
      if (!spec.get) continue;
      const reply = await this.session.query(spec.get);
      const value = Number(reply);
      snapshot[name] = Number.isFinite(value) ? value : reply.trim();
    }
    snapshot.output = await this.outputState();
    return snapshot;
  }

  async outputState(): Promise<boolean> {
    return this.session.queryBoolean(':OUTP?');
  }

  async output(on: boolean): Promise<void> {
    await this.session.write(on ? ':OUTP ON' : ':OUTP OFF');
  }

  async safe(): Promise<void> {
    // Writes only: they reach the instrument even when its replies do not reach us.
    await this.session.write(':OUTP OFF');
    await this.setSetting('level', 0, { force: true });
  }

  async setVoltage(v: number): Promise<void> {
    await this.setSetting('level', v);
  }

  protected async readLineFrequency(): Promise<void> {
    this.lineFrequency = Number(await this.session.query(':SYST:LFR?')) === 60 ? 60 : 50;
  }

  /** The current range setting: 0 stands for auto. */
  protected static rangeSetting(config: SmuConfig): number {
    return config.currentRange === undefined || config.currentRange === 'auto' ? 0 : config.currentRange;
  }

  /** Integration for a measurement inside a pulse: at most half its width, within the instrument's range. */
  protected pulseNplc(width: number, minNplc: number): number {
    return Math.min(this.config?.nplc ?? 1, Math.max(minNplc, width * this.lineFrequency * 0.5));
  }

  /** A read: the configured integration and no source delay. */
  protected async readSettings(): Promise<void> {
    await this.setSetting('nplc', this.config?.nplc ?? 1);
    await this.setSetting('sourceDelay', 0);
  }

  /**
   * A pulse without pulse hardware: the source sits at v for the source delay plus the
   * integration, measured at its end, then returns to 0 V.
   */
  protected async delayedPulse(
    v: number,
    width: number,
    read: () => Promise<Measurement>,
  ): Promise<Measurement> {
    const nplc = this.pulseNplc(width, 0.01);
    await this.setSetting('nplc', nplc);
    await this.setSetting('sourceDelay', Math.max(0, width - nplc / this.lineFrequency));
    await this.setSetting('level', v);
    try {
      return await read();
    } finally {
      await this.setSetting('level', 0);
    }
  }

  /** Sequential list: a driver with a hardware list sweep overrides this. */
  async list(vs: number[], dwell: number): Promise<Measurement[]> {
    const results: Measurement[] = [];
    for (const v of vs) {
      await this.setVoltage(v);
      if (dwell > 0) await new Promise((resolve) => setTimeout(resolve, dwell * 1000));
      results.push(await this.measure());
    }
    return results;
  }

  /** Fixed commands that put the instrument in voltage-source, current-measure mode. */
  protected abstract readonly setupCommands: readonly string[];

  /** The settings to apply for a configuration, in order; `force` re-sends even a cached value. */
  protected abstract configureSettings(
    config: SmuConfig,
  ): Array<[name: string, value: number, force?: boolean]>;

  async configure(config: SmuConfig): Promise<void> {
    for (const command of this.setupCommands) await this.session.write(command);
    this.forget();
    for (const [name, value, force] of this.configureSettings(config))
      await this.setSetting(name, value, { force: force ?? false });
    await this.readLineFrequency();
    this.config = config;
    await this.session.checkErrors('while configuring');
  }

  /** A reading at the current limit may be clipped: only then ask the instrument whether it tripped. */
  protected async trippedAt(i: number, tripQuery: string): Promise<boolean> {
    const limit = this.config?.compliance ?? Number.POSITIVE_INFINITY;
    return Math.abs(i) >= limit * 0.999 ? this.session.queryBoolean(tripQuery) : false;
  }
  abstract measure(): Promise<Measurement>;
  abstract pulse(v: number, width: number): Promise<Measurement>;
}
