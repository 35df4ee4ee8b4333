/**
 * Keithley 2450 (LAN/USB, SCPI mode). Compliance is the source's current limit (:SOUR:VOLT:ILIM);
 * readings come from defbuffer1 with the source readback and a relative timestamp.
 */
import { parseNumbers } from '../scpi/session';
import { commonSettings, num, ScpiSmu, type SettingTable } from './scpi-driver';
import type { Measurement, SmuCapabilities, SmuConfig } from './smu';

const READ = ':READ? "defbuffer1", SOUR, READ, REL';

export class Keithley2450 extends ScpiSmu {
  readonly driver = 'k2450' as const;
  readonly capabilities: SmuCapabilities = {
    minPulseWidth: 0.5e-3,
    maxVoltage: 210,
    maxCompliance: 1.05,
    truePulse: false,
  };
  protected readonly table: SettingTable = {
    ...commonSettings(':SOUR:VOLT', { min: 0.01, max: 10 }),
    compliance: {
      set: (i) => `:SOUR:VOLT:ILIM ${num(i)}`,
      get: ':SOUR:VOLT:ILIM?',
      unit: 'A',
      min: 1e-9,
      max: 1.05,
      doc: 'current limit',
    },
    sourceDelay: {
      set: (s) => `:SOUR:VOLT:DEL ${num(s)}`,
      get: ':SOUR:VOLT:DEL?',
      unit: 's',
      min: 0,
      max: 10000,
      doc: 'source delay before a reading',
    },
  };

  protected readonly setupCommands = [
    ':SOUR:FUNC VOLT',
    ':SENS:FUNC "CURR"',
    ':SOUR:VOLT:RANG:AUTO ON',
    ':SOUR:VOLT:READ:BACK ON',
  ];

  protected configureSettings(config: SmuConfig): Array<[string, number]> {
    return [
      ['compliance', config.compliance],
      ['currentRange', ScpiSmu.rangeSetting(config)],
      ['nplc', config.nplc],
      ['sourceDelay', 0],
    ];
  }

  private async read(): Promise<Measurement> {
    const [v, i] = parseNumbers(
      READ,
      await this.session.query(READ, { timeoutMs: this.session.timeoutMs + 2000 }),
      { count: 3 },
    ) as [number, number, number];
    return { v, i, compliance: await this.trippedAt(i, ':SOUR:VOLT:ILIM:TRIP?') };
  }

  async measure(): Promise<Measurement> {
    await this.readSettings();
    return this.read();
  }

  pulse(v: number, width: number): Promise<Measurement> {
    return this.delayedPulse(v, width, () => this.read());
  }
}
