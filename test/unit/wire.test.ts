import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, decodeWire, encodeWire } from '../../src/shared/wire';

describe('wire codec', () => {
  it('base64 round-trips any bytes and matches Node', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const text = bytesToBase64(bytes);
        expect(text).toBe(Buffer.from(bytes).toString('base64'));
        expect(base64ToBytes(text)).toEqual(bytes);
      }),
    );
  });

  it('carries typed arrays inside JSON', () => {
    const value = { a: new Uint8Array([1, 2, 255]), b: new Float32Array([1.5, -2, 3e-9]), c: [1, 'x'] };
    const back = decodeWire(encodeWire(value)) as typeof value;
    expect(back.a).toEqual(value.a);
    expect(Array.from(back.b)).toEqual(Array.from(value.b));
    expect(back.c).toEqual([1, 'x']);
  });
});
