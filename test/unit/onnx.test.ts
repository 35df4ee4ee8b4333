import { describe, expect, it } from 'vitest';
import { makeNode, onnx } from '../../src/shared/nn/onnx';

describe('makeNode', () => {
  it('gives each attribute the type it is declared with, not one guessed from its value', () => {
    const T = onnx.AttributeProto.AttributeType;
    const node = makeNode('RandomNormalLike', ['x'], ['y'], 'z', {
      seed: { float: 7 },
      dtype: { int: 1 },
      pads: { ints: [1, 1] },
      scales: { floats: [0.5] },
      auto_pad: { string: 'SAME_UPPER' },
    });
    const byName = Object.fromEntries((node.attribute ?? []).map((a) => [a.name, a]));
    // A whole-number seed stays a FLOAT, as RandomNormalLike's schema wants.
    expect(byName.seed).toMatchObject({ type: T.FLOAT, f: 7 });
    expect(byName.dtype).toMatchObject({ type: T.INT, i: 1 });
    expect(byName.pads).toMatchObject({ type: T.INTS, ints: [1, 1] });
    expect(byName.scales).toMatchObject({ type: T.FLOATS, floats: [0.5] });
    expect(byName.auto_pad!.type).toBe(T.STRING);
    expect(new TextDecoder().decode(byName.auto_pad!.s!)).toBe('SAME_UPPER');
  });
});
