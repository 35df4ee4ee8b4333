/**
 * Seeded pseudo-random numbers, identical in Node, browsers and workers: xoshiro128** seeded
 * through splitmix32, and normal deviates by the Marsaglia polar method.
 */
export class Rng {
  // Int32 storage: uint32 values above 2^31 in plain fields become heap numbers, ~3× slower.
  private readonly state = new Int32Array(4);
  // The polar method makes deviates in pairs; the second waits here. A plain number field (with a
  // flag) stays an unboxed double, which keeps the pair loop fast.
  private twin = 0;
  private hasTwin = false;

  constructor(seed: number) {
    let x = seed >>> 0;
    const splitmix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = splitmix();
  }

  /** Uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const s = this.state;
    const s0 = s[0]!;
    const s1 = s[1]!;
    const s2 = s[2]! ^ s0;
    const s3 = s[3]! ^ s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal deviate. */
  normal(): number {
    if (this.hasTwin) {
      this.hasTwin = false;
      return this.twin;
    }
    const value = this.polar();
    this.hasTwin = true;
    return value;
  }

  /** Fills `out` with the deviates that `out.length` calls of normal() would give, in one tight loop. */
  fillNormal(out: Float64Array): void {
    const n = out.length;
    let i = 0;
    if (n > 0 && this.hasTwin) out[i++] = this.normal();
    while (i < n) {
      out[i++] = this.polar();
      if (i < n) out[i++] = this.twin;
      else this.hasTwin = true;
    }
  }

  /** Marsaglia's polar method: returns one deviate and leaves its twin in `twin`. */
  private polar(): number {
    let u: number;
    let v: number;
    let s: number;
    do {
      u = 2 * this.next() - 1;
      v = 2 * this.next() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.twin = v * factor;
    return u * factor;
  }

  /** This generator's whole state, to key what it would draw next ({@link NormalMemo}). */
  stateKey(): string {
    const s = this.state;
    return `${s[0]},${s[1]},${s[2]},${s[3]},${this.hasTwin ? this.twin : ''}`;
  }

  /** Copies another generator's whole state into this one. */
  resumeFrom(other: Rng): void {
    this.state.set(other.state);
    this.twin = other.twin;
    this.hasTwin = other.hasTwin;
  }

  /** A generator in the same state, drawing the same numbers from here on. */
  clone(): Rng {
    const copy = new Rng(0);
    copy.resumeFrom(this);
    return copy;
  }

  /** An independent stream derived from this one (for per-cell or per-trial generators). */
  fork(label: number): Rng {
    return new Rng((this.nextUint32() ^ Math.imul(label + 1, 0x9e3779b1)) >>> 0);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * Normal deviates remembered by the state of the generator that drew them. Chip k is the same
 * physical chip for every configuration (common random numbers), so each configuration draws the
 * same programming deviates for it; with this memo only the first draws them (the polar method's
 * logarithms and square roots were over half of drawing a LeNet-5 chip). Bounded: the oldest are
 * forgotten first. The default holds 8 chips of the largest bundled model (AlexNet-style, 8.3 MB).
 */
export class NormalMemo {
  private readonly entries = new Map<string, { deviates: Float64Array; after: Rng }>();
  private bytes = 0;

  constructor(private readonly maxBytes = 128 * 2 ** 20) {}

  /**
   * The `length` deviates `rng.fillNormal` would give, leaving `rng` where that would. The array is
   * shared with later calls: read it, never write it.
   */
  fill(rng: Rng, length: number): Float64Array {
    const key = `${rng.stateKey()}/${length}`;
    const known = this.entries.get(key);
    if (known) {
      rng.resumeFrom(known.after);
      return known.deviates;
    }
    const deviates = new Float64Array(length);
    rng.fillNormal(deviates);
    if (deviates.byteLength <= this.maxBytes) {
      this.entries.set(key, { deviates, after: rng.clone() });
      this.bytes += deviates.byteLength;
      for (const [oldest, entry] of this.entries) {
        if (this.bytes <= this.maxBytes) break;
        this.entries.delete(oldest);
        this.bytes -= entry.deviates.byteLength;
      }
    }
    return deviates;
  }
}
