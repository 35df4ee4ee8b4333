/**
 * Keithley 2400/2401 family over RS-232 or GPIB. There is no pulse hardware: a pulse is a
 * source-delay-measure cycle with auto-clear on (the output is on only for delay + integration),
 * so pulses are ms-scale. :READ? returns VOLT,CURR,RES,TIME,STAT; STAT bit 3 is compliance.
 */
import { parseNumbers } from '../scpi/session';
import { commonSettings, num, ScpiSmu, type SettingTable } from './scpi-driver';
import type { Measurement, SmuCapabilities, SmuConfig } from './smu';

const FIELDS = 5;
const COMPLIANCE_BIT = 1 << 3;

export class Keithley2400 extends ScpiSmu {
  readonly driver = 'k2400' as const;
  readonly capabilities: SmuCapabilities = {
    minPulseWidth: 0.5e-3,
    maxVoltage: 210,
    maxCompliance: 1.05,
    truePulse: false,
  };
  protected readonly table: SettingTable = {
    ...commonSettings(':SOUR:VOLT:LEV', { min: 0.01, max: 10 }),
    compliance: {
      set: (i) => `:SENS:CURR:PROT ${num(i)}`,
      get: ':SENS:CURR:PROT?',
      unit: 'A',
      min: 1e-9,
      max: 1.05,
      doc: 'current compliance',
    },
    sourceDelay: {
      set: (s) => `:SOUR:DEL ${num(s)}`,
      get: ':SOUR:DEL?',
      unit: 's',
      min: 0,
      max: 9999.999,
      doc: 'delay between sourcing and measuring',
    },
    autoClear: {
      set: (on) => `:SOUR:CLE:AUTO ${on ? 'ON' : 'OFF'}`,
      get: ':SOUR:CLE:AUTO?',
      unit: '',
      min: 0,
      max: 1,
      doc: 'output off after each reading',
    },
    triggerCount: {
      set: (n) => `:TRIG:COUN ${n}`,
      get: ':TRIG:COUN?',
      unit: '',
      min: 1,
      max: 2500,
      doc: 'readings per :READ?',
    },
  };

  protected readonly setupCommands = [
    ':SOUR:FUNC VOLT',
    ':SOUR:VOLT:MODE FIX',
    ':SOUR:VOLT:RANG:AUTO ON',
    ':SENS:FUNC "CURR"',
    ':FORM:ELEM VOLT,CURR,RES,TIME,STAT',
  ];

  protected configureSettings(config: SmuConfig): Array<[string, number]> {
    return [
      ['compliance', config.compliance],
      ['currentRange', ScpiSmu.rangeSetting(config)],
      ['nplc', config.nplc],
      ['sourceDelay', 0],
      ['triggerCount', 1],
      // Output on only for each source-delay-measure cycle: the cell is unbiased between readings.
      ['autoClear', 1],
    ];
  }

  private parse(command: string, reply: string): Measurement[] {
    const values = parseNumbers(command, reply, { multipleOf: FIELDS });
    const out: Measurement[] = [];
    for (let k = 0; k < values.length; k += FIELDS) {
      out.push({
        v: values[k]!,
        i: values[k + 1]!,
        compliance: (Math.round(values[k + 4]!) & COMPLIANCE_BIT) !== 0,
      });
    }
    return out;
  }

  private async read(): Promise<Measurement[]> {
    const timeoutMs = this.session.timeoutMs + 2000;
    return this.parse(':READ?', await this.session.query(':READ?', { timeoutMs }));
  }

  async measure(): Promise<Measurement> {
    await this.readSettings();
    return (await this.read())[0]!;
  }

  pulse(v: number, width: number): Promise<Measurement> {
    return this.delayedPulse(v, width, async () => (await this.read())[0]!);
  }

  /** Hardware list sweep, ≤ 100 levels per :SOUR:LIST:VOLT command. */
  override async list(vs: number[], dwell: number): Promise<Measurement[]> {
    const out: Measurement[] = [];
    await this.setSetting('nplc', this.config?.nplc ?? 1);
    await this.setSetting('sourceDelay', dwell);
    for (let start = 0; start < vs.length; start += 100) {
      const chunk = vs.slice(start, start + 100);
      await this.session.write(`:SOUR:LIST:VOLT ${chunk.map(num).join(',')}`);
      await this.session.write(':SOUR:VOLT:MODE LIST');
      await this.setSetting('triggerCount', chunk.length, { force: true });
      try {
        out.push(...(await this.read()));
      } finally {
        await this.session.write(':SOUR:VOLT:MODE FIX');
        await this.setSetting('triggerCount', 1, { force: true });
      }
    }
    return out;
  }
}
