/**
 * Keithley 2400/2401 family over RS-232 or GPIB (User's Manual 2400S-900-01).
 * - V and I are measured concurrently (:SENS:FUNC:CONC ON), so VOLT in :READ? is the terminal
 *   voltage, not the programmed level, and G = I/V uses the real V.
 * - :READ? returns VOLT,CURR,RES,TIME,STAT. STAT bit 0 is overflow, bit 3 real compliance,
 *   bit 16 range compliance. 9.91E37 is "no data", 9.9E37 an overflow: neither is a reading.
 * - There is no pulse hardware: a pulse is a source-delay-measure cycle with auto output-off
 *   (:SOUR:CLE:AUTO ON) and a defined off-state (:OUTP:SMOD ZERO), so pulses are ms-scale and
 *   their achieved width is estimated from the manual's timing terms (Appendix A). Pulses run
 *   with auto-zero off and measure current only (Case III: one conversion), from output off;
 *   reads keep the configured auto-zero and measure V and I.
 * - List sweeps (≤ 100 levels per :SOUR:LIST:VOLT) make true DC staircases.
 */
import { K2400_INFO, K2400_TIMING, k2400CycleSeconds } from './facts';
import { parseNumbers } from '../../scpi/session';
import { formatSeconds, reading, ScpiSmu } from '../../drivers/scpi-driver';
import { booleanSetting, enumSetting, num, numberSetting } from '../../drivers/settings';
import type { Measurement, SmuCapabilities, SmuConfig } from '../../drivers/smu';

const FIELDS = 5;
const STATUS = { overflow: 1 << 0, compliance: 1 << 3, rangeCompliance: 1 << 16 } as const;
const INFO = K2400_INFO;

const TABLE = {
  sourceFunction: enumSetting(':SOUR:FUNC', { voltage: 'VOLT', current: 'CURR' }, 'source function'),
  sourceMode: enumSetting(
    ':SOUR:VOLT:MODE',
    { fixed: 'FIX', list: 'LIST', sweep: 'SWE' },
    'voltage source mode',
  ),
  voltageRangeAuto: booleanSetting(':SOUR:VOLT:RANG:AUTO', 'voltage source auto range'),
  level: numberSetting(':SOUR:VOLT:LEV', 'V', -INFO.maxVoltage, INFO.maxVoltage, 'DC source level'),
  concurrent: booleanSetting(':SENS:FUNC:CONC', 'measure V and I in the same reading'),
  compliance: numberSetting(':SENS:CURR:PROT', 'A', 1e-9, INFO.maxCompliance, 'current compliance'),
  currentRangeAuto: booleanSetting(':SENS:CURR:RANG:AUTO', 'current auto range'),
  currentRange: numberSetting(':SENS:CURR:RANG', 'A', 0, INFO.maxCompliance, 'current range'),
  nplc: numberSetting(':SENS:CURR:NPLC', 'PLC', 0.01, 10, 'integration time (all functions)'),
  autoZero: booleanSetting(':SYST:AZER', 'auto-zero: reference and zero with every reading'),
  filter: booleanSetting(':SENS:AVER', 'averaging filter'),
  remoteSense: booleanSetting(':SYST:RSEN', '4-wire remote sense'),
  terminals: enumSetting(':ROUT:TERM', { front: 'FRON', rear: 'REAR' }, 'front or rear terminals'),
  armCount: numberSetting(':ARM:COUN', '', 1, 2500, 'arm layer count'),
  triggerCount: numberSetting(':TRIG:COUN', '', 1, 2500, 'readings per :READ?'),
  triggerDelay: numberSetting(':TRIG:DEL', 's', 0, 999.9999, 'trigger delay'),
  sourceDelay: numberSetting(
    ':SOUR:DEL',
    's',
    0,
    K2400_TIMING.maxSourceDelayS,
    'delay between sourcing and measuring',
  ),
  outputOffMode: enumSetting(
    ':OUTP:SMOD',
    { himp: 'HIMP', normal: 'NORM', zero: 'ZERO', guard: 'GUAR' },
    'output-off state',
  ),
  autoClear: booleanSetting(':SOUR:CLE:AUTO', 'output off after each source-delay-measure cycle'),
} as const;

export class Keithley2400 extends ScpiSmu<typeof TABLE> {
  readonly driver = 'k2400';
  readonly capabilities: SmuCapabilities = {
    maxPulseWidth: K2400_TIMING.maxSourceDelayS,
    maxVoltage: INFO.maxVoltage,
    maxCompliance: INFO.maxCompliance,
    truePulse: false,
    terminals: INFO.terminals,
  };
  protected readonly table = TABLE;
  /** Measurement condition register bit 11: the interlock (output enable) line is asserted. */
  protected override interlock = {
    limit: 'with the interlock enabled (:OUTP:INT:STAT ON) the output cannot be turned on',
    query: ':STAT:MEAS:COND?',
    engaged: (reply: string) =>
      Number.isFinite(Number(reply)) ? (Number(reply) & (1 << 11)) !== 0 : undefined,
  };

  async configure(input: SmuConfig): Promise<void> {
    const config = this.resolve(input);
    this.requireTerminals(config.terminals);
    await this.set('sourceFunction', 'voltage');
    await this.set('sourceMode', 'fixed');
    await this.set('voltageRangeAuto', true);
    await this.set('concurrent', true);
    await this.session.write(':SENS:FUNC "VOLT","CURR"');
    this.currentOnly = false;
    await this.session.write(':FORM:ELEM VOLT,CURR,RES,TIME,STAT');
    await this.set('compliance', config.compliance);
    if (config.currentRange === undefined || config.currentRange === 'auto')
      await this.set('currentRangeAuto', true);
    else await this.set('currentRange', config.currentRange);
    await this.set('nplc', config.nplc);
    await this.set('autoZero', config.autoZero);
    await this.set('filter', false);
    await this.set('remoteSense', config.sense === '4w');
    await this.set('terminals', config.terminals);
    await this.set('armCount', 1);
    await this.set('triggerCount', 1);
    await this.set('triggerDelay', 0);
    await this.set('sourceDelay', 0);
    // Pulses switch off after each cycle: into 0 V with the relay closed, not a clicking HIMP.
    await this.set('outputOffMode', 'zero');
    await this.set('autoClear', true);
    await this.setVoltage(0);
    this.config = config;
    await this.session.checkErrors('while configuring');
  }

  /**
   * With auto-clear on, each source-delay-measure cycle switches the output on and off itself.
   * An :OUTP ON then would put the next level on the cell at once, held until that cycle ends
   * (about 7 ms at 9600 baud): every pulse starts from output off instead.
   */
  override async output(on: boolean): Promise<void> {
    if (on && this.sentValue('autoClear') === true) return;
    await super.output(on);
  }

  /** A pulse measures current only (one conversion fewer on the cell); reads measure V and I. */
  private currentOnly = false;

  private async senseCurrentOnly(only: boolean): Promise<void> {
    if (only === this.currentOnly) return;
    await this.session.write(only ? ':SENS:FUNC:OFF "VOLT"' : ':SENS:FUNC "VOLT","CURR"');
    this.currentOnly = only;
  }

  private parse(command: string, reply: string): Measurement[] {
    const values = parseNumbers(command, reply, { multipleOf: FIELDS });
    const out: Measurement[] = [];
    for (let k = 0; k < values.length; k += FIELDS) {
      const v = reading(values[k]!);
      const i = reading(values[k + 1]!);
      const status = Math.round(values[k + 4]!);
      const time = reading(values[k + 3]!).value;
      out.push({
        vSource: this.level,
        v: v.value,
        i: i.value,
        compliance: (status & STATUS.compliance) !== 0,
        rangeCompliance: (status & STATUS.rangeCompliance) !== 0,
        overflow: v.overflow || i.overflow || (status & STATUS.overflow) !== 0,
        time,
      });
    }
    return out;
  }

  private async read(seconds: number): Promise<Measurement[]> {
    const reply = await this.session.query(':READ?', { timeoutMs: this.timeoutFor(seconds) });
    return this.parse(':READ?', reply);
  }

  async measure(): Promise<Measurement> {
    const nplc = this.config?.nplc ?? 1;
    await this.senseCurrentOnly(false);
    await this.set('nplc', nplc);
    await this.set('autoZero', this.config?.autoZero ?? true);
    await this.set('sourceDelay', 0);
    const [m] = await this.read(
      k2400CycleSeconds(0, nplc, this.lineFrequency, this.config?.autoZero ?? true),
    );
    return m!;
  }

  pulseWidthRange(): { min: number; max: number } {
    // Appendix A, Case III (auto-zero off, one function) at the shortest integration.
    const floor = k2400CycleSeconds(0, K2400_TIMING.minNplc, this.lineFrequency, false, 1);
    return { min: floor, max: K2400_TIMING.maxSourceDelayS + floor };
  }

  /**
   * A source-delay-measure cycle whose on-time is the requested width: the reading integrates
   * over at most half of it, at the end; the source delay fills the rest.
   */
  async pulse(v: number, width: number): Promise<Measurement> {
    this.checkWidth(width);
    // The current reading integrates over at most half the width, at its end.
    const floor = this.pulseWidthRange().min;
    const integration = Math.min((width - floor) / 2, (this.config?.nplc ?? 1) / this.lineFrequency);
    const nplc = Math.max(
      K2400_TIMING.minNplc,
      Math.floor(Math.max(0, integration) * this.lineFrequency * 100) / 100,
    );
    const busy = k2400CycleSeconds(0, nplc, this.lineFrequency, false, 1);
    const delay = Math.max(0, Number((width - busy).toPrecision(6)));
    await this.senseCurrentOnly(true);
    await this.set('nplc', nplc);
    await this.set('autoZero', false);
    await this.set('sourceDelay', delay);
    await this.setVoltage(v);
    try {
      const [m] = await this.read(delay + busy);
      // An estimate from the manual's timing terms (basis "model"), never a measurement.
      const achieved = delay + busy;
      // VOLT is the programmed level when V is not measured: not a reading, so not kept.
      return { ...m!, v: null, width: { nominal: width, achieved, basis: 'model' } };
    } finally {
      await this.setVoltage(0);
    }
  }

  /** Hardware list sweep, output on throughout (auto-clear off), ≤ 100 levels per command. */
  override async list(vs: number[], dwell: number): Promise<Measurement[]> {
    const out: Measurement[] = [];
    const nplc = this.config?.nplc ?? 1;
    await this.senseCurrentOnly(false);
    await this.set('nplc', nplc);
    await this.set('autoZero', this.config?.autoZero ?? true);
    await this.set('sourceDelay', dwell);
    await this.set('autoClear', false);
    try {
      for (let start = 0; start < vs.length; start += 100) {
        const chunk = vs.slice(start, start + 100);
        await this.session.write(`:SOUR:LIST:VOLT ${chunk.map(num).join(',')}`);
        await this.set('sourceMode', 'list');
        await this.set('triggerCount', chunk.length);
        await this.output(true);
        const seconds =
          chunk.length * k2400CycleSeconds(dwell, nplc, this.lineFrequency, this.config?.autoZero ?? true);
        const readings = await this.read(seconds);
        readings.forEach((m, k) => out.push({ ...m, vSource: chunk[k]! }));
      }
    } finally {
      await this.set('sourceMode', 'fixed');
      await this.set('triggerCount', 1);
      // The list left the source wherever it ended: force the fixed level back to 0 V.
      await this.set('level', 0, { force: true });
      this.level = 0;
      await this.set('autoClear', true);
      await this.output(false);
    }
    return out;
  }

  override async settings(): Promise<Record<string, unknown>> {
    const snapshot = await super.settings();
    snapshot.senseFunctions = (await this.session.query(':SENS:FUNC?')).trim();
    snapshot.formatElements = (await this.session.query(':FORM:ELEM?')).trim();
    snapshot.pulseWidthRange = this.pulseWidthRange();
    return snapshot;
  }
}

export { formatSeconds };
