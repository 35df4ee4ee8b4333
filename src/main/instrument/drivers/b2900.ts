/**
 * Keysight B2900 series (B2901/2/11/12…, channel 1). Compliance is :SENS:CURR:PROT; pulses use
 * the pulse hardware (:SOUR:FUNC:SHAP PULS, width ≥ 50 µs) and are measured at their top.
 */
import { parseNumbers } from '../scpi/session';
import { commonSettings, num, ScpiSmu, type SettingTable } from './scpi-driver';
import type { Measurement, SmuCapabilities, SmuConfig } from './smu';

export class KeysightB2900 extends ScpiSmu {
  readonly driver = 'b2900' as const;
  readonly capabilities: SmuCapabilities = {
    minPulseWidth: 50e-6,
    maxVoltage: 210,
    maxCompliance: 3.03,
    truePulse: true,
  };
  protected readonly table: SettingTable = {
    ...commonSettings(':SOUR:VOLT', { min: 4e-4, max: 100 }),
    pulseLevel: {
      set: (v) => `:SOUR:VOLT:TRIG ${num(v)}`,
      get: ':SOUR:VOLT:TRIG?',
      unit: 'V',
      min: -210,
      max: 210,
      doc: 'pulse top level',
    },
    compliance: {
      set: (i) => `:SENS:CURR:PROT ${num(i)}`,
      get: ':SENS:CURR:PROT?',
      unit: 'A',
      min: 1e-9,
      max: 3.03,
      doc: 'current compliance',
    },
    pulseWidth: {
      set: (w) => `:SOUR:PULS:WIDT ${num(w)}`,
      get: ':SOUR:PULS:WIDT?',
      unit: 's',
      min: 50e-6,
      max: 2,
      doc: 'pulse width',
    },
    pulseShape: {
      set: (p) => `:SOUR:FUNC:SHAP ${p ? 'PULS' : 'DC'}`,
      unit: '',
      min: 0,
      max: 1,
      doc: '1: pulse, 0: DC',
    },
  };

  protected readonly setupCommands = [
    ':SOUR:FUNC:MODE VOLT',
    ':SENS:FUNC "CURR"',
    ':SENS:CURR:RANG:AUTO ON',
    ':FORM:ELEM:SENS VOLT,CURR',
    ':SOUR:PULS:DEL 0',
    ':TRIG:COUN 1',
  ];

  protected configureSettings(config: SmuConfig): Array<[string, number, boolean?]> {
    return [
      ['pulseShape', 0, true],
      ['compliance', config.compliance],
      ['nplc', config.nplc],
    ];
  }

  private async withTrip(command: string, reply: string): Promise<Measurement> {
    const [v, i] = parseNumbers(command, reply, { count: 2 }) as [number, number];
    return { v, i, compliance: await this.trippedAt(i, ':SENS:CURR:PROT:TRIP? (@1)') };
  }

  async measure(): Promise<Measurement> {
    await this.setSetting('pulseShape', 0);
    await this.setSetting('nplc', this.config?.nplc ?? 1);
    return this.withTrip(
      ':MEAS? (@1)',
      await this.session.query(':MEAS? (@1)', { timeoutMs: this.session.timeoutMs + 2000 }),
    );
  }

  async pulse(v: number, width: number): Promise<Measurement> {
    await this.setSetting('pulseShape', 1);
    await this.setSetting('pulseWidth', width);
    await this.setSetting('level', 0);
    await this.setSetting('pulseLevel', v);
    await this.setSetting('nplc', this.pulseNplc(width, 4e-4));
    await this.session.write(':INIT (@1)');
    return this.withTrip(
      ':FETC? (@1)',
      await this.session.query(':FETC? (@1)', { timeoutMs: this.session.timeoutMs + 2000 }),
    );
  }
}
