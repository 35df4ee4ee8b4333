/**
 * Keysight B2900 series, channel 1 (SCPI Command Reference). The channel is a header suffix
 * (:SENS1:CURR:PROT:TRIP?, :OUTP1), and an unsuffixed header means channel 1; a channel list
 * (@1) belongs only to the commands that take one (:INIT, :FETC?, :MEAS?, :IDLE?).
 * - Each reading carries the status element: bits 1–2 compliance, bit 13 range overflow.
 * - Pulses use the pulse hardware (:SOUR:FUNC:SHAP PULS, 50 µs – 100,000 s). The measurement
 *   sits at the top of the pulse: the acquire delay places the aperture just before the trailing
 *   edge. :INIT, then *OPC? waits for the trigger system before :FETC?.
 * - The B2900 has rear terminals only, and may switch its output off at compliance
 *   (:OUTP:PROT) or after each measurement (:OUTP:OFF:AUTO): both are set off explicitly.
 */
import { B2900_INFO, B2900_PULSE } from './facts';
import { parseNumbers } from '../../scpi/session';
import { reading, ScpiSmu } from '../../drivers/scpi-driver';
import { booleanSetting, enumSetting, numberSetting } from '../../drivers/settings';
import type { Measurement, SmuCapabilities, SmuConfig } from '../../drivers/smu';

const STATUS = { compliance: 0b110, rangeOverflow: 1 << 13 } as const;
const INFO = B2900_INFO;

const TRIGGER_SOURCES = { auto: 'AINT', bus: 'BUS', timer: 'TIM' } as const;

const TABLE = {
  sourceFunction: enumSetting(':SOUR:FUNC:MODE', { voltage: 'VOLT', current: 'CURR' }, 'source function'),
  shape: enumSetting(':SOUR:FUNC:SHAP', { dc: 'DC', pulse: 'PULS' }, 'DC or pulsed output'),
  voltageRangeAuto: booleanSetting(':SOUR:VOLT:RANG:AUTO', 'voltage source auto range'),
  level: numberSetting(':SOUR:VOLT', 'V', -INFO.maxVoltage, INFO.maxVoltage, 'DC (and pulse base) level'),
  pulseLevel: numberSetting(':SOUR:VOLT:TRIG', 'V', -INFO.maxVoltage, INFO.maxVoltage, 'pulse top level'),
  pulseWidth: numberSetting(
    ':SOUR:PULS:WIDT',
    's',
    B2900_PULSE.minWidthS,
    B2900_PULSE.maxWidthS,
    'pulse width',
  ),
  pulseDelay: numberSetting(':SOUR:PULS:DEL', 's', 0, 99_999.9, 'delay from trigger to the pulse edge'),
  compliance: numberSetting(':SENS:CURR:PROT', 'A', 1e-9, INFO.maxCompliance, 'current compliance'),
  currentRangeAuto: booleanSetting(':SENS:CURR:RANG:AUTO', 'current auto range'),
  currentRange: numberSetting(':SENS:CURR:RANG', 'A', 10e-9, INFO.maxCompliance, 'current range'),
  aperture: numberSetting(
    ':SENS:CURR:APER',
    's',
    B2900_PULSE.minApertureS,
    B2900_PULSE.maxApertureS,
    'integration time',
  ),
  remoteSense: booleanSetting(':SENS:REM', '4-wire remote sense'),
  // The ALL forms set both layers but have no query: each layer is read back on its own.
  triggerSource: enumSetting(':TRIG:SOUR', TRIGGER_SOURCES, 'trigger source (both layers)', {
    readable: false,
  }),
  acquireTriggerSource: enumSetting(':TRIG:ACQ:SOUR', TRIGGER_SOURCES, 'acquire trigger source'),
  transientTriggerSource: enumSetting(':TRIG:TRAN:SOUR', TRIGGER_SOURCES, 'transient trigger source'),
  triggerCount: { ...numberSetting(':TRIG:COUN', '', 1, 100_000, 'triggers per :INIT'), readable: false },
  acquireTriggerCount: numberSetting(':TRIG:ACQ:COUN', '', 1, 100_000, 'acquire triggers per :INIT'),
  transientTriggerCount: numberSetting(':TRIG:TRAN:COUN', '', 1, 100_000, 'transient triggers per :INIT'),
  armCount: { ...numberSetting(':ARM:COUN', '', 1, 100_000, 'arm count'), readable: false },
  acquireArmCount: numberSetting(':ARM:ACQ:COUN', '', 1, 100_000, 'acquire arm count'),
  transientArmCount: numberSetting(':ARM:TRAN:COUN', '', 1, 100_000, 'transient arm count'),
  acquireDelay: numberSetting(':TRIG:ACQ:DEL', 's', 0, 100_000, 'delay from trigger to measurement'),
  offAtCompliance: booleanSetting(':OUTP:PROT', 'output off when compliance is reached'),
  autoOff: booleanSetting(':OUTP:OFF:AUTO', 'output off after each measurement'),
  outputOffMode: enumSetting(
    ':OUTP:OFF:MODE',
    { zero: 'ZERO', himp: 'HIZ', normal: 'NORM' },
    'output-off state',
  ),
} as const;

export class KeysightB2900 extends ScpiSmu<typeof TABLE> {
  readonly driver = 'b2900';
  readonly capabilities: SmuCapabilities = {
    maxPulseWidth: B2900_PULSE.maxWidthS,
    maxVoltage: INFO.maxVoltage,
    maxCompliance: INFO.maxCompliance,
    truePulse: true,
    terminals: INFO.terminals,
  };
  protected readonly table = TABLE;
  protected override readonly pulseMethod = 'pulse hardware, measured at the top of the pulse';
  /** 1 when the interlock is open: the output is then limited to ±42 V. */
  protected override interlock = {
    limit: 'the output is limited to ±42 V',
    query: ':SYST:INT:TRIP?',
    engaged: (reply: string) => (reply === '0' ? true : reply === '1' ? false : undefined),
  };

  async configure(input: SmuConfig): Promise<void> {
    const config = this.resolve(input);
    this.requireTerminals(config.terminals);
    await this.set('sourceFunction', 'voltage');
    await this.set('shape', 'dc');
    await this.set('voltageRangeAuto', true);
    await this.session.write(':SENS:FUNC "CURR","VOLT"');
    await this.session.write(':FORM:ELEM:SENS VOLT,CURR,TIME,STAT');
    await this.set('compliance', config.compliance);
    if (config.currentRange === undefined || config.currentRange === 'auto')
      await this.set('currentRangeAuto', true);
    else await this.set('currentRange', config.currentRange);
    await this.set('aperture', config.nplc / this.lineFrequency);
    await this.set('remoteSense', config.sense === '4w');
    await this.set('triggerSource', 'auto');
    await this.set('triggerCount', 1);
    await this.set('armCount', 1);
    await this.set('pulseDelay', 0);
    await this.set('acquireDelay', 0);
    await this.set('offAtCompliance', false);
    await this.set('autoOff', false);
    await this.set('outputOffMode', 'zero');
    await this.setVoltage(0);
    this.config = config;
    await this.session.checkErrors('while configuring');
  }

  private parse(command: string, reply: string): Measurement {
    const [volt, curr, time, status] = parseNumbers(command, reply, { count: 4 }) as [
      number,
      number,
      number,
      number,
    ];
    const v = reading(volt);
    const i = reading(curr);
    const bits = Math.round(status);
    return {
      vSource: this.level,
      v: v.value,
      i: i.value,
      compliance: (bits & STATUS.compliance) !== 0,
      rangeCompliance: false,
      overflow: v.overflow || i.overflow || (bits & STATUS.rangeOverflow) !== 0,
      time,
    };
  }

  async measure(): Promise<Measurement> {
    const aperture = (this.config?.nplc ?? 1) / this.lineFrequency;
    await this.set('shape', 'dc');
    await this.set('aperture', aperture);
    await this.set('acquireDelay', 0);
    const reply = await this.session.query(':MEAS? (@1)', { timeoutMs: this.timeoutFor(aperture) });
    return this.parse(':MEAS? (@1)', reply);
  }

  pulseWidthRange(): { min: number; max: number } {
    return { min: B2900_PULSE.minWidthS, max: B2900_PULSE.maxWidthS };
  }

  /** One hardware pulse from 0 V to v, measured over the last part of its top. */
  async pulse(v: number, width: number): Promise<Measurement> {
    this.checkWidth(width);
    // Settle after the edge first: at most half the width integrates, ending 5 % before the trailing edge.
    const aperture = Math.max(
      B2900_PULSE.minApertureS,
      Math.min(width * 0.45, (this.config?.nplc ?? 1) / this.lineFrequency),
    );
    const acquireDelay = Number((width * 0.95 - aperture).toPrecision(6));
    await this.set('shape', 'pulse');
    await this.set('pulseWidth', width);
    await this.set('pulseDelay', 0);
    await this.setVoltage(0);
    await this.set('pulseLevel', v);
    await this.set('aperture', aperture);
    await this.set('acquireDelay', Math.max(0, acquireDelay));
    await this.session.write(':INIT (@1)');
    await this.session.opc(this.timeoutFor(width));
    const reply = await this.session.query(':FETC? (@1)');
    return {
      ...this.parse(':FETC? (@1)', reply),
      vSource: v,
      width: { nominal: width, achieved: width, basis: 'hardware' },
    };
  }
}
