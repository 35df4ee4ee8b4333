/**
 * Files that lie: ONNX bombs (dims that claim far more than the data, or nothing at all), corrupt
 * and truncated models, mutated and oversized profiles, absurd weights, and paths that are not
 * what they should be. Each gets a clear, typed error (CLI exit 1 or 2), quickly, with no stack
 * trace and nothing written.
 */
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ReramError } from '../../src/shared/errors';
import { decodeModel, encodeModel } from '../../src/shared/nn/onnx';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { serializeProfile } from '../../src/shared/profile/json';
import { Rng } from '../../src/shared/random';
import { prepareModel } from '../../src/shared/rca/predict';
import { nodeRuntime } from '../../src/main/nn/ort-node';
import { ProfileLibrary } from '../../src/main/services/profiles';
import { Store } from '../../src/main/store/store';
import { REPO_ROOT, runCli } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';

const dir = mkdtempSync(join(tmpdir(), 'reram-bad-files-'));
const lenet = readFileSync(join(REPO_ROOT, 'resources', 'models', 'lenet5-mnist.onnx'));
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

/** LeNet-5 with one weight's dims replaced (its data removed), as a file. */
function bomb(dims: number[]): string {
  const model = decodeModel(lenet);
  const weight = model.graph!.initializer!.find((t) => t.name === 'fc3.weight')!;
  weight.dims = dims;
  weight.rawData = new Uint8Array();
  weight.floatData = [];
  const path = join(dir, `bomb-${dims.join('x')}.onnx`);
  writeFileSync(path, encodeModel(model));
  return path;
}

describe('ONNX bombs and corrupt models', () => {
  it.each([
    [[0, 2 ** 40], []],
    [
      [0, 1e8],
      ['--adc', '8'],
    ],
  ])('dims %j are refused before any loop, in seconds', async (dims, extra) => {
    const started = Date.now();
    const result = await runCli(
      [
        'predict',
        '--model',
        bomb(dims),
        '--profile',
        'AlOx/HfO2',
        '--methods',
        'float,mes',
        '--bits',
        '3',
        '--limit',
        '20',
        '--db',
        join(dir, 'p.db'),
        ...extra,
      ],
      { timeoutMs: 30_000 },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/fc3\.weight.*dimension of/);
    noStack(result.stderr);
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('a tensor whose data does not match its dims', () => {
    const model = decodeModel(lenet);
    const weight = model.graph!.initializer!.find((t) => t.name === 'fc3.weight')!;
    weight.dims = [10, 1000]; // the data holds 10 × 84
    expect(() => decodeModel(encodeModel(model), 'lying.onnx')).toThrow(
      /fc3\.weight.*bytes of data for shape \[10, 1000\]/,
    );
  });

  it('300 truncated and byte-flipped models: every failure is a typed error, never a crash', async () => {
    const rng = new Rng(99);
    const runtime = nodeRuntime({ threads: 1 });
    const untyped: string[] = [];
    let loaded = 0;
    for (let k = 0; k < 300; k++) {
      const bytes = new Uint8Array(lenet);
      let mutated: Uint8Array;
      if (k % 3 === 0) mutated = bytes.subarray(0, Math.floor(rng.next() * bytes.length));
      else {
        mutated = bytes;
        for (let f = 0; f < 1 + Math.floor(rng.next() * 8); f++)
          mutated[Math.floor(rng.next() * mutated.length)] = Math.floor(rng.next() * 256);
      }
      try {
        const model = prepareModel(mutated, `mutant ${k}`);
        const session = await runtime.createSession(encodeModel(model));
        await session.release?.();
        loaded++;
      } catch (error) {
        if (!(error instanceof ReramError))
          untyped.push(`${k}: ${(error as Error).constructor.name}: ${(error as Error).message}`);
      }
    }
    expect(untyped).toEqual([]);
    expect(loaded).toBeGreaterThan(0); // some flips land in float data: those models still load
  }, 120_000);

  it('a corrupt model through the CLI: exit 1, one line, no stack', async () => {
    const path = join(dir, 'truncated.onnx');
    writeFileSync(path, lenet.subarray(0, 5000));
    const result = await runCli([
      'predict',
      '--model',
      path,
      '--profile',
      'AlOx/HfO2',
      '--methods',
      'float',
      '--db',
      join(dir, 'p.db'),
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/truncated\.onnx is not a valid ONNX file/);
    noStack(result.stderr);
  });
});

describe('profiles that lie', () => {
  const good = serializeProfile(builtinProfiles('1.0.0')[2]!);

  it('300 mutated profile files: each is refused with a profile error naming why, nothing stored', () => {
    const store = new Store(tempDbPath());
    const library = new ProfileLibrary(store);
    const rng = new Rng(5);
    const untyped: string[] = [];
    for (let k = 0; k < 300; k++) {
      let text = good;
      if (k % 4 === 0) text = text.slice(0, Math.floor(rng.next() * text.length));
      else
        for (let f = 0; f < 1 + Math.floor(rng.next() * 5); f++) {
          const at = Math.floor(rng.next() * text.length);
          text =
            text.slice(0, at) + String.fromCharCode(32 + Math.floor(rng.next() * 95)) + text.slice(at + 1);
        }
      try {
        library.parseImport(text, `mutant-${k}.json`, { name: `mutant ${k}` });
      } catch (error) {
        if (!(error instanceof ReramError) || error.code !== 'PROFILE')
          untyped.push(`${k}: ${(error as Error).message}`);
      }
    }
    expect(untyped).toEqual([]);
    expect(store.profiles.count()).toBe(0);
    store.close();
  });

  it('a 200 MB profile is refused in well under a second, before it is read', async () => {
    const path = join(dir, 'huge.json');
    writeFileSync(path, Buffer.alloc(200 * 1024 * 1024, 0x20));
    const started = Date.now();
    const result = await runCli(['profile', 'import', path, '--db', join(dir, 'huge.db')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/at most 10485760 bytes/);
    expect(Date.now() - started).toBeLessThan(5000); // mostly the CLI's own start-up
  });

  it('whitespace-only and overlong names are refused on the CSV and --name paths', async () => {
    const csv = join(dir, 'levels.csv');
    writeFileSync(csv, 'level,g_siemens,sigma_siemens,n\n0,1e-6,0,1\n1,2e-6,0,1\n');
    const db = join(dir, 'names.db');
    for (const name of ['   ', 'x'.repeat(250)]) {
      for (const file of [csv, join(dir, 'good.json')]) {
        writeFileSync(join(dir, 'good.json'), good);
        const result = await runCli(['profile', 'import', file, '--name', name, '--db', db]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/name/);
        noStack(result.stderr);
      }
    }
    expect(JSON.parse((await runCli(['profile', 'list', '--db', db, '--json'])).stdout)).toHaveLength(4); // the presets only
  });
});

describe('paths and values that are not what they should be', () => {
  it('missing files, directories and a non-database --db: clear errors, exit 1 or 2, no stack', async () => {
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const notes = join(dir, 'notes.db');
    writeFileSync(notes, 'not sqlite at all\n'.repeat(50));
    const cases: Array<[string[], RegExp]> = [
      [['profile', 'import', join(dir, 'missing.json'), '--db', join(dir, 'x.db')], /does not exist/],
      [['profile', 'import', folder, '--db', join(dir, 'x.db')], /is a directory/],
      [
        ['predict', '--model', join(dir, 'missing.onnx'), '--profile', 'EpiRAM', '--db', join(dir, 'x.db')],
        /does not exist/,
      ],
      [['predict', '--model', folder, '--profile', 'EpiRAM', '--db', join(dir, 'x.db')], /is a directory/],
      [['runs', '--db', notes], /not a ReRAM Bench database/],
      [['runs', '--db', folder], /is a directory/],
      [['runs', '--db', ''], /empty/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect([1, 2], `${args.join(' ')}: ${result.stderr}`).toContain(result.code);
      expect(result.stderr).toMatch(message);
      noStack(result.stderr);
    }
    expect(readFileSync(notes, 'utf8')).toMatch(/^not sqlite at all/);
  });

  it('quantize refuses weights whose squared error overflows, naming the layer and index', async () => {
    const levels = join(dir, 'q-levels.csv');
    writeFileSync(levels, 'level,g_siemens,sigma_siemens,n\n0,1e-6,0,1\n1,4e-6,0,1\n2,6e-6,0,1\n');
    const weights = join(dir, 'w.json');
    writeFileSync(weights, JSON.stringify({ layers: [{ name: 'fc', weights: [0.5, 1e308, -1e308] }] }));
    const result = await runCli([
      'quantize',
      '--levels',
      levels,
      '--weights',
      weights,
      '--method',
      'mes',
      '--json',
    ]);
    expect(result.code).toBe(2); // bad input, not a failure of the tool
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/Layer 'fc' has a weight of 1e\+308 at index 1/);
  });
});
