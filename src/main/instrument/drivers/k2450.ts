/**
 * Keithley 2450 in its SCPI command set (Reference Manual 2450-901-01), over LAN, USB or GPIB.
 * - The command set (*LANG?: SCPI, SCPI2400 or TSP) survives power cycles: checked on connect.
 * - Compliance is the source's current limit (:SOUR:VOLT:ILIM). Each reading comes from
 *   defbuffer1 with the measured source readback (SOUR with :SOUR:VOLT:READ:BACK ON), the
 *   reading, its relative time and the source status, whose bit 5 says the source was limited.
 * - Pulses are host-timed (level up, read, level down): their achieved width is measured here,
 *   minus the link's round trip, and reported as such.
 */
import { ReramError } from '../../../shared/errors';
import { K2450_TIMING, SMU_MODELS } from '../../../shared/instruments';
import { parseNumbers, type ScpiSession } from '../scpi/session';
import { reading, ScpiSmu } from './scpi-driver';
import { booleanSetting, enumSetting, numberSetting } from './settings';
import type { Measurement, SmuCapabilities, SmuConfig } from './smu';

const READ = ':READ? "defbuffer1", SOUR, READ, REL, SOURSTAT';
const SOURCE_LIMITED = 1 << 5;
const INFO = SMU_MODELS['2450'];

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
    minPulseWidth: 0.5e-3,
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
    'host-timed: level up, a delayed reading, level down; the achieved width is measured and recorded';

  protected override async languageCheck() {
    const language = (await this.session.query('*LANG?')).trim();
    return { name: 'command language', status: 'ok' as const, detail: `${language} (*LANG?)` };
  }
  /** Seconds of one command round trip on this link, measured at configure. */
  private roundTrip = 0;

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
    // The link's round trip, the fastest of a few (one can be slowed by anything else running).
    let fastest = Number.POSITIVE_INFINITY;
    for (let k = 0; k < 5; k++) {
      const started = performance.now();
      await this.session.opc();
      fastest = Math.min(fastest, (performance.now() - started) / 1000);
    }
    this.roundTrip = fastest;
  }

  private async read(seconds: number): Promise<Measurement> {
    const reply = await this.session.query(READ, { timeoutMs: this.timeoutFor(seconds) });
    const [source, current, time, sourceStatus] = parseNumbers(READ, reply, { count: 4 }) as [
      number,
      number,
      number,
      number,
    ];
    const v = reading(source);
    const i = reading(current);
    return {
      vSource: this.level,
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
      // The level goes down a round trip after the reading ends: that, and one integration, is the floor.
      min: Math.max(this.roundTrip, this.linkRoundTrip) + this.integration(0.01),
      max: this.capabilities.maxPulseWidth,
    };
  }

  /** Host-timed: level up, a delayed reading at the end of the width, level down, confirmed. */
  async pulse(v: number, width: number): Promise<Measurement> {
    this.checkWidth(width);
    const integration = Math.max(
      this.integration(0.01),
      Math.min(width / 2, this.integration(this.config?.nplc ?? 1)),
    );
    const nplc = Number((integration * this.lineFrequency).toPrecision(3));
    await this.set('nplc', nplc);
    await this.set('sourceDelay', Math.max(0, Number((width - integration - this.roundTrip).toPrecision(6))));
    const started = performance.now();
    await this.setVoltage(v);
    let m: Measurement;
    try {
      m = await this.read(width);
    } finally {
      await this.setVoltage(0);
    }
    await this.session.opc();
    // The level went up half a round trip after `started` and down half one before the *OPC? reply.
    const achieved = Math.max(0, (performance.now() - started) / 1000 - this.roundTrip);
    return { ...m, width: { nominal: width, achieved, basis: 'host' } };
  }
}
