/**
 * Keithley 2450 in its SCPI command set (Reference Manual 2450-901-01), over LAN, USB or GPIB.
 * - The command set (*LANG?: SCPI, SCPI2400 or TSP) survives power cycles: checked on connect.
 * - Compliance is the source's current limit (:SOUR:VOLT:ILIM). Each reading comes from
 *   defbuffer1 with the measured source readback (SOUR with :SOUR:VOLT:READ:BACK ON), the
 *   reading, its relative time and the source status, whose bit 5 says the source was limited.
 * - Pulses run in the instrument's trigger model (2461 manual p. 6-200: source on, a constant
 *   delay, a measurement, source off), not timed by this computer: the level is set while the
 *   output is off, :INIT runs the blocks, and the reading comes from defbuffer1. The width is
 *   delay + integration + the reading's overhead, an estimate (basis "model").
 */
import { ReramError } from '../../../../shared/errors';
import { K2450_INFO, K2450_TIMING } from './facts';
import { parseNumbers, type ScpiSession } from '../../scpi/session';
import { reading, ScpiSmu } from '../../drivers/scpi-driver';
import { booleanSetting, enumSetting, num, numberSetting } from '../../drivers/settings';
import type { Measurement, SmuCapabilities, SmuConfig } from '../../drivers/smu';

const READ = ':READ? "defbuffer1", SOUR, READ, REL, SOURSTAT';
const TRACE = ':TRAC:DATA? 1, 1, "defbuffer1", SOUR, READ, REL, SOURSTAT';
const SOURCE_LIMITED = 1 << 5;
const INFO = K2450_INFO;

const TABLE = {
  sourceFunction: enumSetting(':SOUR:FUNC', { voltage: 'VOLT', current: 'CURR' }, 'source function'),
  senseFunction: enumSetting(':SENS:FUNC', { current: 'CURR', voltage: 'VOLT' }, 'measure function', {
    quoted: true,
  }),
  voltageRangeAuto: booleanSetting(':SOUR:VOLT:RANG:AUTO', 'voltage source auto range'),
  readback: booleanSetting(':SOUR:VOLT:READ:BACK', 'measure the source value with each reading'),
  level: numberSetting(':SOUR:VOLT', 'V', -INFO.maxVoltage, INFO.maxVoltage, 'DC source level'),
  compliance: numberSetting(':SOUR:VOLT:ILIM', 'A', 1e-9, INFO.maxCompliance, 'current limit'),
  currentRangeAuto: booleanSetting(':SENS:CURR:RANG:AUTO', 'current auto range'),
  currentRange: numberSetting(':SENS:CURR:RANG', 'A', 10e-9, 1, 'current range'),
  nplc: numberSetting(':SENS:CURR:NPLC', 'PLC', 0.01, 10, 'integration time'),
  autoZero: booleanSetting(':SENS:CURR:AZER', 'auto-zero'),
  filter: booleanSetting(':SENS:CURR:AVER', 'averaging filter'),
  remoteSense: booleanSetting(':SENS:CURR:RSEN', '4-wire remote sense'),
  terminals: enumSetting(':ROUT:TERM', { front: 'FRON', rear: 'REAR' }, 'front or rear terminals'),
  sourceDelayAuto: booleanSetting(':SOUR:VOLT:DEL:AUTO', 'automatic source delay'),
  sourceDelay: numberSetting(
    ':SOUR:VOLT:DEL',
    's',
    0,
    K2450_TIMING.maxSourceDelayS,
    'source delay before a reading',
  ),
  outputOffMode: enumSetting(
    ':OUTP:SMOD',
    { normal: 'NORM', himp: 'HIMP', zero: 'ZERO', guard: 'GUAR' },
    'output-off state',
  ),
} as const;

export class Keithley2450 extends ScpiSmu<typeof TABLE> {
  readonly driver = 'k2450';
  readonly capabilities: SmuCapabilities = {
    // A host-timed pulse is one source delay long (plus a reading): the delay's own ceiling.
    maxPulseWidth: K2450_TIMING.maxSourceDelayS,
    maxVoltage: INFO.maxVoltage,
    maxCompliance: INFO.maxCompliance,
    truePulse: false,
    terminals: INFO.terminals,
  };
  protected readonly table = TABLE;
  /**
   * Reference manual p. 6-33: 1 = the interlock signal is asserted, all ranges available; 0 = not
   * asserted, the 200 V range disabled (output limited to ±37 V; turning on above ±20 V is refused).
   */
  protected override interlock = {
    query: ':OUTP:INT:TRIP?',
    engaged: (reply: string) => (reply === '1' ? true : reply === '0' ? false : undefined),
    limit:
      'the 200 V range is disabled: the output is limited to ±37 V, and turning it on above ±20 V is refused',
  };

  protected override readonly pulseMethod =
    "trigger model: source on, a constant delay, a current reading, source off; the width is estimated from the integration and the reading's overhead";

  /** The trigger model's delay block as last sent (the other blocks never change). */
  private pulseDelaySent: number | undefined;
  /** Whether the output is on (reads keep it on; a pulse starts from it off). */
  private outputOn = false;

  override async output(on: boolean): Promise<void> {
    await super.output(on);
    this.outputOn = on;
  }

  protected override async languageCheck() {
    const language = (await this.session.query('*LANG?')).trim();
    return { name: 'command language', status: 'ok' as const, detail: `${language} (*LANG?)` };
  }
  /** The command set persists across power cycles: refuse anything but SCPI, saying how to switch. */
  static async checkLanguage(session: ScpiSession): Promise<void> {
    const language = (await session.query('*LANG?')).trim().replace(/^"|"$/g, '').toUpperCase();
    if (language === 'SCPI') return;
    throw new ReramError(
      'UNSUPPORTED',
      `The 2450 is set to the ${language} command set. ReRAM Bench speaks its SCPI command set: on the front panel choose MENU > System > Settings > Command Set > SCPI, confirm, and let the instrument reboot (the setting needs a power cycle).`,
      { language },
    );
  }

  async configure(input: SmuConfig): Promise<void> {
    const config = this.resolve(input);
    this.pulseDelaySent = undefined;
    this.requireTerminals(config.terminals);
    await this.set('sourceFunction', 'voltage');
    await this.set('senseFunction', 'current');
    await this.set('voltageRangeAuto', true);
    await this.set('readback', true);
    await this.set('compliance', config.compliance);
    if (config.currentRange === undefined || config.currentRange === 'auto')
      await this.set('currentRangeAuto', true);
    else await this.set('currentRange', config.currentRange);
    await this.set('nplc', config.nplc);
    await this.set('autoZero', config.autoZero);
    await this.set('filter', false);
    await this.set('remoteSense', config.sense === '4w');
    await this.set('terminals', config.terminals);
    await this.set('sourceDelayAuto', false);
    await this.set('sourceDelay', 0);
    await this.set('outputOffMode', 'zero');
    await this.session.write(':TRAC:CLE "defbuffer1"');
    await this.setVoltage(0);
    this.config = config;
    await this.session.checkErrors('while configuring');
  }

  private async read(seconds: number): Promise<Measurement> {
    const reply = await this.session.query(READ, { timeoutMs: this.timeoutFor(seconds) });
    return this.parseReading(READ, reply, this.level);
  }

  private parseReading(command: string, reply: string, level: number): Measurement {
    const [source, current, time, sourceStatus] = parseNumbers(command, reply, { count: 4 }) as [
      number,
      number,
      number,
      number,
    ];
    const v = reading(source);
    const i = reading(current);
    return {
      vSource: level,
      v: v.value,
      i: i.value,
      compliance: (Math.round(sourceStatus) & SOURCE_LIMITED) !== 0,
      rangeCompliance: false,
      overflow: v.overflow || i.overflow,
      time,
    };
  }

  async measure(): Promise<Measurement> {
    const nplc = this.config?.nplc ?? 1;
    await this.set('nplc', nplc);
    await this.set('sourceDelay', 0);
    return this.read(this.integration(nplc));
  }

  pulseWidthRange(): { min: number; max: number } {
    return {
      // The shortest integration and the reading's overhead, with no delay.
      min: this.integration(0.01) + K2450_TIMING.readingOverheadS,
      max: this.capabilities.maxPulseWidth,
    };
  }

  /** Trigger model: source on, a constant delay, one current reading at the end, source off. */
  async pulse(v: number, width: number): Promise<Measurement> {
    this.checkWidth(width);
    const overhead = K2450_TIMING.readingOverheadS;
    const integration = Math.max(
      this.integration(0.01),
      Math.min((width - overhead) / 2, this.integration(this.config?.nplc ?? 1)),
    );
    const nplc = Math.max(0.01, Math.floor(integration * this.lineFrequency * 100) / 100);
    const busy = this.integration(nplc) + overhead;
    const delay = Math.max(0, Number((width - busy).toPrecision(6)));
    await this.set('nplc', nplc);
    await this.set('sourceDelay', 0);
    const wasOn = this.outputOn;
    // The level is set with the output off: nothing reaches the cell until the source block.
    if (wasOn) await this.output(false);
    await this.setVoltage(v);
    if (this.pulseDelaySent === undefined) {
      await this.session.write(':TRIG:LOAD "Empty"');
      await this.session.write(':TRIG:BLOC:SOUR:STAT 1, ON');
      await this.session.write(':TRIG:BLOC:MEAS 3, "defbuffer1", 1');
      await this.session.write(':TRIG:BLOC:SOUR:STAT 4, OFF');
    }
    if (delay !== this.pulseDelaySent) {
      await this.session.write(`:TRIG:BLOC:DEL:CONS 2, ${num(delay)}`);
      this.pulseDelaySent = delay;
    }
    let m: Measurement;
    try {
      await this.session.write(':TRAC:CLE "defbuffer1";:INIT');
      m = await this.parseReading(
        TRACE,
        await this.session.query(`*WAI;${TRACE}`, { timeoutMs: this.timeoutFor(width) }),
        v,
      );
    } finally {
      await this.setVoltage(0);
      if (wasOn) await this.output(true);
    }
    return { ...m, width: { nominal: width, achieved: delay + busy, basis: 'model' } };
  }
}
