import { describe, expect, it } from 'vitest';
import {
  CommandTable,
  formatScpiNumber,
  parseMessage,
  parseNumber,
  ScpiError,
} from '../../src/main/virtual-smu/scpi-parser';

describe('virtual SMU SCPI parsing', () => {
  const table = new CommandTable<string[]>([
    {
      pattern: '[:SOURce]:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (log, args) => void log.push(`level ${args[0]}`),
      query: () => 'LEVEL?',
    },
    { pattern: ':OUTPut[:STATe]', set: (log, args) => void log.push(`output ${args[0]}`), query: () => '1' },
    { pattern: '*IDN', query: () => 'IDN' },
  ]);
  const run = (line: string) => {
    const log: string[] = [];
    const replies: string[] = [];
    for (const unit of parseMessage(line)) {
      const spec = table.find(unit);
      if (!spec) throw new ScpiError(-113, 'Undefined header');
      if (unit.isQuery) replies.push(String(spec.query!(log, unit.args)));
      else spec.set!(log, unit.args);
    }
    return { log, replies };
  };

  it('accepts short and long forms in any case, with optional nodes left out', () => {
    for (const header of [
      ':SOUR:VOLT:LEV',
      ':source:voltage:level:immediate:amplitude',
      'VOLT',
      ':Sour:Volt',
      ':SOUR1:VOLT:LEV',
    ]) {
      expect(run(`${header} 1.5`).log).toEqual(['level 1.5']);
    }
    expect(run('OUTPUT ON').log).toEqual(['output ON']);
  });

  it('rejects mnemonics that are neither the short nor the long form', () => {
    expect(() => run(':SOURC:VOLT 1')).toThrow(ScpiError);
    expect(() => run(':VOLTAGES 1')).toThrow(ScpiError);
  });

  it('splits units on ; and continues relative headers from the previous path', () => {
    expect(run(':SOUR:VOLT 1;:OUTP ON;*IDN?').log).toEqual(['level 1', 'output ON']);
    expect(run(':SOUR:VOLT 1;:OUTP ON;*IDN?').replies).toEqual(['IDN']);
    expect(run(':SOUR:VOLT:LEV 2;LEV 3').log).toEqual(['level 2', 'level 3']);
    expect(run(':*IDN?').replies).toEqual(['IDN']);
  });

  it('parses SCPI numbers, MIN/MAX and unit suffixes, and formats like an instrument', () => {
    expect(parseNumber('+1.000E-03')).toBe(1e-3);
    expect(parseNumber('100mA')).toBeCloseTo(0.1);
    expect(parseNumber('MAX', { min: 0, max: 10 })).toBe(10);
    expect(() => parseNumber('11', { min: 0, max: 10 })).toThrow(/out of range/);
    expect(() => parseNumber('abc')).toThrow(/Data type/);
    expect(formatScpiNumber(1.000236)).toBe('+1.000236E+00');
    expect(formatScpiNumber(-1e-4)).toBe('-1.000000E-04');
    expect(formatScpiNumber(9.91e37)).toBe('+9.910000E+37');
  });
});
