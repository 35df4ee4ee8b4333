import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatSI, parseSI } from '../../src/shared/units';

describe('units', () => {
  it('parses what people type, exactly', () => {
    expect(parseSI('1m', 'A')).toBe(1e-3);
    expect(parseSI('100u')).toBe(1e-4);
    expect(parseSI('100 µA', 'A')).toBe(1e-4);
    expect(parseSI('1.5 V', 'V')).toBe(1.5);
    expect(parseSI('-1.5')).toBe(-1.5);
    expect(parseSI('1e-3')).toBe(1e-3);
    expect(parseSI('2.5e3m')).toBe(2.5);
    expect(parseSI('')).toBeNaN();
    expect(parseSI('abc')).toBeNaN();
    expect(parseSI('1x')).toBeNaN();
  });

  it('formats in engineering notation and round-trips through parseSI', () => {
    expect(formatSI(1.34e-5, 'S')).toBe('13.4 µS');
    expect(formatSI(0.1, 'V')).toBe('100 mV');
    expect(formatSI(3.08e-9, 'S')).toBe('3.08 nS');
    expect(formatSI(0, 'A')).toBe('0 A');
    expect(formatSI(null, 'S')).toBe('— S');
    fc.assert(
      fc.property(fc.double({ min: 1e-14, max: 1e11, noNaN: true }), (x) => {
        const text = formatSI(x, 'S', 6);
        expect(parseSI(text, 'S') / x).toBeCloseTo(1, 5);
      }),
    );
  });
});
