/**
 * The exports run through the simulators' own code, vendored under test/upstream/ with their
 * licences and commits (test/upstream/README.md): nothing here re-implements what those files do.
 * Each format is exported from the AlOx/HfO2 and Ag:a-Si presets, from a pulse train measured
 * on the virtual SMU, and from a many-cell table (the preset with a stated device-to-device
 * spread), then handed to the tool's file exactly as its user would.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli, startCli, stopChild } from '../helpers/cli';
import { runProgram, runPython } from '../helpers/python';
import { builtinProfiles } from '../../src/shared/profile/builtin';
import { tempDbPath } from '../helpers/temp';

const UPSTREAM = join(REPO_ROOT, 'test', 'upstream');
const CROSSSIM = join(UPSTREAM, 'cross-sim-39fd461');
const AIHWKIT = join(UPSTREAM, 'aihwkit-4545f11', 'src');
const NEUROSIM_MLP = join(UPSTREAM, 'MLP_NeuroSim_V3.0-cc13863');
const DNN_V21 = join(UPSTREAM, 'DNN_NeuroSim_V2.1-18289cb');
const DNN_V14 = join(UPSTREAM, 'DNN_NeuroSim_V1.4-ac828e6');
const SCRIPT_HEAD = join(REPO_ROOT, 'test', 'fixtures', 'run_script_head.py');

/** Copies a vendored tree and applies one of our patches to it, as its user would; no fuzz, no offset. */
function patchedCopy(tree: string, into: string, patchFile: string, label: string): string {
  cpSync(tree, into, { recursive: true });
  const patched = spawnSync('patch', ['-p1', '--forward', '-i', patchFile], { cwd: into, encoding: 'utf8' });
  expect(patched.status, `${label}: ${patched.stdout}${patched.stderr}`).toBe(0);
  expect(patched.stdout).not.toMatch(/fuzz|offset|FAILED/i);
  return into;
}

describe("exports in the simulators' own code", () => {
  let sim: ChildProcess;
  const db = tempDbPath('upstream.db');
  const dir = dirname(db);
  let trainRun = 0;
  beforeAll(async () => {
    const started = await startCli(
      ['sim-smu', '--listen', '127.0.0.1:0', '--time-scale', '0', '--seed', '11'],
      /(TCPIP::[^\n]+::SOCKET)\n/,
    );
    sim = started.child;
    const resource = started.match[1]!;
    const run = (args: string[]) =>
      runCli(['characterize', resource, ...args, '--db', db, '--json'], { timeoutMs: 120_000 });
    expect((await run(['--procedure', 'forming', '--max-v', '5', '--compliance', '100u'])).code).toBe(0);
    const train = await run(['--procedure', 'pulse-train', '--max-v', '5', '--compliance', '1m']);
    expect(train.code, train.stderr).toBe(0);
    trainRun = (JSON.parse(train.stdout) as { runId: number }).runId;
    // A table of many cells: the preset's, with the spread a profile build states.
    const preset = builtinProfiles('test').find((p) => p.name === 'AlOx/HfO2')!;
    const table = preset.tables[0]!;
    const nl = Math.abs(table.fits.find((f) => f.direction === 'ltp')!.nl);
    const many = {
      ...preset,
      name: 'many cells',
      tables: [
        {
          ...table,
          cellSpread: {
            cells: [0, 1, 2, 3, 4, 5, 6, 7],
            excluded: [],
            nl: { mean: nl, sd: 0.5 },
            gMin: { mean: table.gMin, sd: 0.04 * table.gMin },
            gMax: { mean: table.gMax, sd: 0.03 * table.gMax },
            sigma: 'c2c+d2d',
            d2dOverC2c: 1.4,
          },
        },
      ],
    };
    const file = join(dir, 'many-cells.json');
    writeFileSync(file, JSON.stringify(many));
    const imported = await runCli(['profile', 'import', file, '--db', db]);
    expect(imported.code, imported.stderr).toBe(0);
  }, 180_000);
  afterAll(() => stopChild(sim));

  const exportTo = async (format: string, source: readonly string[], out: string) => {
    const result = await runCli([
      'profile',
      'export',
      ...source,
      '--format',
      format,
      '--out',
      out,
      '--db',
      db,
    ]);
    expect(result.code, result.stderr).toBe(0);
    return out;
  };
  const sources = () =>
    [
      ['AlOx-HfO2', ['AlOx/HfO2']],
      ['Ag-aSi', ['Ag:a-Si']],
      ['measured', ['--run', String(trainRun)]],
      ['many-cells', ['many cells']],
    ] as const;
  /** The three sources at once: each is its own processes and folders. */
  const eachSource = (check: (label: string, source: readonly string[]) => Promise<void>) =>
    Promise.all(sources().map(([label, source]) => check(label, source)));

  it('CrossSim: create_lookup_table.py (39fd461) loads set.csv/reset.csv with its own loader and builds both lookup tables over our window', async () => {
    await eachSource(async (label, source) => {
      // create_lookup_table.py reads ./lookup_table_example/{set,reset}.csv and writes its tables there.
      const work = join(dir, `crosssim-${label}`);
      const folder = join(work, 'lookup_table_example');
      mkdirSync(folder, { recursive: true });
      await exportTo('crosssim', source, folder);
      const config = JSON.parse(readFileSync(join(folder, 'crosssim.json'), 'utf8')) as {
        lookup_tables: { read_voltage: number; ramps: string; read_voltage_note: string };
      };
      // Its line 31 hard-codes read_voltage = 0.1; our exports were read at 0.1 V and the file says so.
      expect(config.lookup_tables.read_voltage, label).toBe(0.1);
      expect(config.lookup_tables.read_voltage_note).toMatch(/line 31.*matches/);
      const result = await runPython([join(CROSSSIM, 'create_lookup_table.py')], {
        cwd: work,
        pythonPath: [CROSSSIM],
      });
      expect(result.code, `${label}: ${result.stderr}`).toBe(0);
      const window = /The Min G is: ([\d.]+) \(mS\), the max G is ([\d.]+) \(mS\)/.exec(result.stdout);
      expect(window, result.stdout).not.toBeNull();
      for (const [file, sign] of [
        ['dG_increasing.txt', 1],
        ['dG_decreasing.txt', -1],
      ] as const) {
        const rows = readFileSync(join(folder, file), 'utf8')
          .trim()
          .split('\n')
          .slice(1)
          .filter((line) => line.trim() !== '')
          .map((line) => line.split(',').map(Number));
        const [gBins, cdf, ...dG] = rows as [number[], number[], ...number[][]];
        expect(gBins.length, `${label} ${file}`).toBeGreaterThan(10);
        expect(cdf[0]).toBeGreaterThanOrEqual(0);
        expect(cdf[cdf.length - 1]).toBeLessThanOrEqual(1);
        expect(dG.length).toBe(cdf.length);
        // The median step (middle CDF row) has the direction's sign over the middle of the window.
        const median = dG[dG.length >> 1]!;
        const middle = median.slice(Math.floor(median.length / 4), Math.floor((3 * median.length) / 4));
        const mean = middle.reduce((a, b) => a + b, 0) / middle.length;
        console.log(
          `CrossSim ${label} ${file}: ${gBins.length} G bins ${gBins[0]!.toPrecision(3)}…${gBins[gBins.length - 1]!.toPrecision(3)} S, median ΔG ${mean.toPrecision(3)} S (${config.lookup_tables.ramps} ramps)`,
        );
        expect(Math.sign(mean), `${label} ${file}`).toBe(sign);
      }
    });
  }, 120_000);

  it("aihwkit: aihwkit_device.py runs to the end on aihwkit's own configs and converter (4545f11), the converter passes its invertibility_test, and no variation is left at aihwkit's defaults", async () => {
    // aihwkit's Python as its user imports it; only the compiled rpu_base is a stand-in.
    const inspect = `
import dataclasses, json, runpy, sys
import torch
# As its user runs it (python aihwkit_device.py): its __main__ block prints, then we look inside.
names = runpy.run_path(sys.argv[1], run_name='__main__')
out = {}
for key in ('device', 'soft_bounds'):
    if key in names:
        d = names[key]
        out[key] = {f.name: getattr(d, f.name) for f in dataclasses.fields(d)
                    if isinstance(getattr(d, f.name), (int, float, bool, list))}
converter = names['converter']
weights = torch.linspace(-1, 1, 9)
conductances, params = converter.convert_to_conductances(weights)
back = converter.convert_back_to_weights(conductances, params)
out['converter'] = {'weights': weights.tolist(), 'g_plus': conductances[0].tolist(),
                    'g_minus': conductances[1].tolist(), 'back': back.tolist()}
print('@@built@@' + json.dumps(out))
`;
    await eachSource(async (label, source) => {
      const out = await exportTo('aihwkit', source, join(dir, `aihwkit-${label}`));
      const script = join(out, 'aihwkit_device.py');
      // aihwkit's constructors and its invertibility_test run in the script's own __main__ block.
      const ran = await runPython(['-c', inspect, script], { cwd: out, pythonPath: [AIHWKIT] });
      expect(ran.code, `${label}: ${ran.stderr}`).toBe(0);
      const [printed, builtJson] = ran.stdout.split('@@built@@') as [string, string];
      expect(printed).toMatch(/PiecewiseStepDevice\(/);
      expect(printed).toMatch(/CustomPairConductanceConverter\(g_max=/);
      const built = JSON.parse(builtJson) as {
        device: Record<string, unknown>;
        soft_bounds?: Record<string, unknown>;
        converter: { weights: number[]; g_plus: number[]; g_minus: number[]; back: number[] };
      };
      const json = JSON.parse(readFileSync(join(out, 'aihwkit.json'), 'utf8')) as {
        PiecewiseStepDevice: Record<string, number | number[]>;
        CustomPairConductanceConverter: { g_min: number; g_max: number };
      };
      // What aihwkit built is what we wrote (8 significant digits in the Python).
      for (const [key, value] of Object.entries(json.PiecewiseStepDevice)) {
        if (Array.isArray(value))
          expect(built.device[key], key).toEqual(value.map((v) => expect.closeTo(v, 6)));
        else expect(built.device[key], `${label} ${key}`).toBeCloseTo(value, 6);
      }
      // Every device-to-device field is 0 in both devices, not aihwkit's 0.3; a many-cell table
      // sets the bounds' spread, relative to them: 2σ(G)/(g_max − g_min).
      const bounds = label === 'many-cells' ? ['w_min_dtod', 'w_max_dtod'] : [];
      for (const device of [built.device, built.soft_bounds]) {
        if (!device) continue;
        for (const field of [
          'dw_min_dtod',
          'w_min_dtod',
          'w_max_dtod',
          'up_down_dtod',
          'reset_std',
          'write_noise_std',
        ])
          if (!bounds.includes(field)) expect(device[field], `${label} ${field}`).toBe(0);
        for (const field of bounds) {
          expect(device[field] as number, `${label} ${field}`).toBeGreaterThan(0.01);
          expect(device[field] as number, `${label} ${field}`).toBeCloseTo(
            json.PiecewiseStepDevice[field] as number,
            6,
          );
        }
        expect(device.dw_min_std as number).toBeGreaterThan(0);
      }
      const { weights, g_plus, g_minus, back } = built.converter;
      expect(back).toEqual(weights.map((w) => expect.closeTo(w, 4)));
      // Weight +1 is (G_top, G_0), −1 is (G_0, G_top), 0 is the pair at G_0: inside the measured window.
      const { g_min, g_max } = json.CustomPairConductanceConverter;
      expect(g_plus[g_plus.length - 1]).toBeCloseTo(g_max, 4);
      expect(g_minus[0]).toBeCloseTo(g_max, 4);
      expect(g_plus[4]).toBeCloseTo(g_min, 4);
      expect(g_minus[4]).toBeCloseTo(g_min, 4);
      console.log(
        `aihwkit ${label}: converter ${g_min.toPrecision(4)}–${g_max.toPrecision(4)} µS round-trips 9 weights; dw_min_std ${Number(built.device.dw_min_std).toPrecision(3)}`,
      );
    });
  }, 120_000);

  it("NeuroSim MLP: the patch applies to NeuroSim's own Cell.cpp (cc13863), which compiles, and its constructors print our values: window, NL, paramA, sigmaCtoC, nonlinearWrite, the measured curves", async () => {
    await eachSource(async (label, source) => {
      const out = await exportTo('neurosim-mlp', source, join(dir, `neurosim-${label}`));
      const json = JSON.parse(readFileSync(join(out, 'neurosim-mlp.json'), 'utf8')) as {
        realDevice: Record<string, number | boolean | null>;
        measuredDevice: { rawDataConductanceLTP: number[]; rawDataConductanceLTD: number[] };
        expected: { paramALTP: number | null; paramALTD: number | null };
      };
      // As its user does: patch the checkout, then build.
      const tree = patchedCopy(
        NEUROSIM_MLP,
        join(dir, `neurosim-tree-${label}`),
        join(out, 'neurosim-mlp.patch'),
        label,
      );
      const binary = join(tree, 'constructor');
      const compiled = await runProgram('g++', [
        '-w',
        '-I',
        tree,
        '-o',
        binary,
        join(REPO_ROOT, 'test', 'fixtures', 'neurosim-constructor.cpp'),
        join(tree, 'Cell.cpp'),
        join(tree, 'formula.cpp'),
      ]);
      expect(compiled.code, compiled.stderr).toBe(0);
      const ran = await runProgram(binary, []);
      // MeasuredDevice exits on its own data checks (monotone curves, one window) before printing.
      expect(ran.code, `${label}: ${ran.stdout}`).toBe(0);
      const printed = JSON.parse(ran.stdout) as {
        real: Record<string, number | boolean>;
        measured: Record<string, number | boolean>;
      };
      const real = json.realDevice;
      for (const key of [
        'maxConductance',
        'minConductance',
        'NL_LTP',
        'NL_LTD',
        'sigmaCtoC',
        'sigmaDtoD',
        'maxNumLevelLTP',
        'maxNumLevelLTD',
      ])
        expect(printed.real[key], `${label} ${key}`).toBeCloseTo(real[key] as number, 10);
      // One device: NeuroSim's 0; many cells: the σ of their NL, which RealDevice draws each device's NL from.
      expect(printed.real.sigmaDtoD, label).toBe(label === 'many-cells' ? 0.5 : 0);
      expect(printed.real.avgMaxConductance).toBe(printed.real.maxConductance);
      expect(printed.real.avgMinConductance).toBe(printed.real.minConductance);
      expect(printed.real.conductance).toBe(printed.real.minConductance);
      expect(printed.real.nonlinearWrite).toBe(true);
      // NL and maxNumLevel took effect: NeuroSim's own getParamA gives back our fitted A (for one
      // device; with sigmaDtoD, RealDevice draws its NL around it, seeded by the clock).
      for (const [key, expected] of (printed.real.sigmaDtoD as number) > 0
        ? []
        : ([
            ['paramALTP', json.expected.paramALTP],
            ['paramALTD', json.expected.paramALTD],
          ] as const)) {
        if (expected === null) continue;
        const got = printed.real[key] as number;
        expect(Math.sign(got), `${label} ${key}`).toBe(Math.sign(expected));
        expect(Math.abs(got / expected - 1), `${label} ${key}: ${got} vs ${expected}`).toBeLessThan(0.03);
      }
      const curve = json.measuredDevice.rawDataConductanceLTP;
      expect(printed.measured.nonlinearWrite).toBe(true);
      expect(printed.measured.maxNumLevelLTP).toBe(curve.length - 1);
      expect(printed.measured.maxNumLevelLTD).toBe(json.measuredDevice.rawDataConductanceLTD.length - 1);
      expect(printed.measured.first).toBeCloseTo(curve[0]!, 15);
      expect(printed.measured.last).toBeCloseTo(curve[curve.length - 1]!, 15);
      console.log(
        `NeuroSim ${label}: window ${Number(printed.real.minConductance).toPrecision(3)}–${Number(printed.real.maxConductance).toPrecision(3)} S, NL ${printed.real.NL_LTP}/${printed.real.NL_LTD}, paramA ${Number(printed.real.paramALTP).toFixed(2)}/${Number(printed.real.paramALTD).toFixed(2)} (fit ${json.expected.paramALTP?.toFixed(2)}/${json.expected.paramALTD?.toFixed(2)}), sigmaCtoC ${Number(printed.real.sigmaCtoC).toPrecision(3)} S, MeasuredDevice ${curve.length} points`,
      );
    });
  }, 120_000);

  it("DNN_NeuroSim: V2.1's train.py takes the patch after its lines 53–60, and its own parser, those lines and GetParamA run on our values; V1.4's parser takes the command with --inference 1", async () => {
    await eachSource(async (label, source) => {
      const out = await exportTo('neurosim-dnn', source, join(dir, `dnn-${label}`));
      const dnn = JSON.parse(readFileSync(join(out, 'neurosim-dnn.json'), 'utf8')) as {
        v21: { flags: Record<string, number>; command: string };
        v14: { flags: Record<string, number>; command: string };
      };
      const tree = patchedCopy(
        DNN_V21,
        join(dir, `dnn-v21-tree-${label}`),
        join(out, 'neurosim-dnn-v2.1-train.patch'),
        label,
      );
      // train.py's own top, unchanged apart from the patch: its parser, its lines 53–60, ours.
      const argv = dnn.v21.command.split(' ').slice(2);
      const head = await runPython([SCRIPT_HEAD, join(tree, 'train.py'), 'gamma = 0.9', ...argv], {
        cwd: tree,
      });
      expect(head.code, `${label}: ${head.stderr}`).toBe(0);
      const args = JSON.parse(head.stdout) as Record<string, unknown>;
      for (const [key, value] of Object.entries(dnn.v21.flags)) {
        expect(typeof args[key], `${label} ${key}`).toBe('number');
        expect(args[key] as number, `${label} ${key}`).toBeCloseTo(value, 10);
      }
      // Its line 56: floor(log2(max_level)) == cellBit, one cell per synapse.
      const cellBit = args.cellBit as number;
      expect(Math.floor(Math.log2(args.max_level as number))).toBe(cellBit);
      expect(args.wl_weight).toBe(cellBit);
      expect(args.wl_grad).toBe(cellBit);
      // What its lines 130–133 compute next, with its own GetParamA: numbers, not a TypeError on strings.
      const paramA = await runPython(
        [
          '-c',
          `import json, sys, numpy as np
from utee import wage_quantizer
a = json.loads(sys.argv[1])
# As train.py calls it: on an array of the layer's shape (here one weight).
print(json.dumps([float((wage_quantizer.GetParamA(np.ones(1) * a['nonlinearityLTP']) * a['max_level'])[0]),
                  float((wage_quantizer.GetParamA(np.ones(1) * a['nonlinearityLTD']) * a['max_level'])[0])]))`,
          head.stdout,
        ],
        { cwd: tree, pythonPath: [tree] },
      );
      expect(paramA.code, `${label}: ${paramA.stderr}`).toBe(0);
      const [aLtp, aLtd] = JSON.parse(paramA.stdout) as [number, number];
      expect(aLtp).toBeGreaterThan(0);
      expect(aLtd).toBeLessThan(0);

      // V1.4: its parser (typed flags) with our command; --inference 1 or the values are ignored.
      expect(dnn.v14.command).toMatch(/^python inference\.py --inference 1 /);
      const v14 = await runPython(
        [
          SCRIPT_HEAD,
          join(DNN_V14, 'inference.py'),
          'args.logdir = ',
          ...dnn.v14.command.split(' ').slice(2),
        ],
        {
          cwd: DNN_V14,
        },
      );
      expect(v14.code, `${label}: ${v14.stderr}`).toBe(0);
      const parsed = JSON.parse(v14.stdout) as Record<string, number>;
      expect(parsed.inference).toBe(1);
      for (const [key, value] of Object.entries(dnn.v14.flags))
        expect(parsed[key], `${label} ${key}`).toBeCloseTo(value, 3);
      console.log(
        `DNN_NeuroSim ${label}: V2.1 cellBit ${cellBit}, max_level ${String(args.max_level)}, NL ${String(args.nonlinearityLTP)}/${String(args.nonlinearityLTD)}, GetParamA × max_level ${aLtp.toFixed(2)}/${aLtd.toFixed(2)}; V1.4 cellBit ${parsed.cellBit}, onoffratio ${parsed.onoffratio}, vari ${parsed.vari}`,
      );
    });
  }, 120_000);
});
