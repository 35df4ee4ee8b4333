/**
 * The simulators' formats, exported from the AlOx/HfO2 preset and from a pulse train measured on
 * the virtual SMU: round trips and readers (the simulators' own code runs in upstream.test.ts).
 * The CrossSim tables read back by CrossSim's own loader (test/upstream); the aihwkit device replayed with
 * its update rule; Python snippets parsed by Python; run data read back by h5py and by an
 * independent Parquet reader. Each format that has an inverse makes a round trip.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { createApiClient } from '../../src/shared/api-client';
import { fileSafeName } from '../../src/shared/text';
import { createDispatcher } from '../../src/main/api/dispatcher';
import { EventHub } from '../../src/main/services/events';
import { createServices } from '../../src/main/api/services';
import { dirname, join } from 'node:path';
import parquet from '@dsnp/parquetjs';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { piecewiseUpCurve, type PiecewiseStep } from '../../src/shared/interop/aihwkit';
import { REPO_ROOT, runCli, startCli, stopChild } from '../helpers/cli';
import { testPython } from '../../scripts/system-prereqs.mjs';
import { runPython } from '../helpers/python';
import { tempDbPath } from '../helpers/temp';

const python = (code: string, ...args: string[]) =>
  execFileSync(testPython(), ['-c', code, ...args], { encoding: 'utf8' });

describe('exports to NeuroSim, aihwkit and CrossSim, and run data out', () => {
  let sim: ChildProcess;
  const db = tempDbPath('interop.db');
  const dir = dirname(db);
  let trainRun = 0;
  beforeAll(async () => {
    const started = await startCli(
      ['sim-smu', '--listen', '127.0.0.1:0', '--time-scale', '0', '--seed', '4'],
      /(TCPIP::[^\n]+::SOCKET)\n/,
    );
    sim = started.child;
    const resource = started.match[1]!;
    const run = (args: string[]) =>
      runCli(['characterize', resource, ...args, '--db', db, '--json'], { timeoutMs: 120_000 });
    expect((await run(['--procedure', 'forming', '--max-v', '5', '--compliance', '100u'])).code).toBe(0);
    const train = await run([
      '--procedure',
      'pulse-train',
      '--max-v',
      '5',
      '--compliance',
      '1m',
      '--cycles',
      '4',
    ]);
    expect(train.code, train.stderr).toBe(0);
    trainRun = (JSON.parse(train.stdout) as { runId: number }).runId;
  }, 180_000);
  afterAll(() => stopChild(sim));

  const exportTo = async (format: string, source: string[], name: string) => {
    const out = join(dir, name);
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
      ['preset', ['AlOx/HfO2', '--table', 'AlOx/HfO2 pulse train (open loop)']],
      ['measured', ['--run', String(trainRun)]],
    ] as const;

  // NeuroSim MLP runs in NeuroSim's own Cell.cpp: test/integration/upstream.test.ts.

  it('DNN NeuroSim: V2.1 training and V1.4 inference flags, with what each drops', async () => {
    const out = await exportTo('neurosim-dnn', ['--run', String(trainRun), '--bits', '3'], 'dnn');
    const dnn = JSON.parse(readFileSync(join(out, 'neurosim-dnn.json'), 'utf8')) as {
      v21: { flags: Record<string, number>; command: string; notes: string[] };
      v14: { flags: Record<string, number>; command: string; notes: string[] };
    };
    // The values go in through the train.py patch (upstream.test.ts runs it), not flags it overwrites.
    expect(dnn.v21.command).toBe('python train.py');
    expect(dnn.v21.flags.max_level).toBe(40);
    expect(dnn.v21.flags.cellBit).toBe(5);
    expect(dnn.v14.command).toMatch(/^python inference\.py --inference 1 --cellBit 3 /);
    expect(dnn.v21.notes.join(' ')).toMatch(/lines 53–60/);
    expect(dnn.v14.flags.cellBit).toBe(3);
    expect(dnn.v14.flags.onoffratio).toBeGreaterThan(1);
    expect(dnn.v14.notes.join(' ')).toMatch(/Dropped: the non-linear spacing/);
  });

  it('CrossSim: its own loader (load_set_reset_csv, vendored) reads set.csv/reset.csv back, ramp for ramp', async () => {
    const out = await exportTo('crosssim', ['--run', String(trainRun)], 'crosssim');
    const config = JSON.parse(readFileSync(join(out, 'crosssim.json'), 'utf8')) as {
      lookup_tables: { read_voltage: number };
      xbar: {
        device: { Rmin: number; Rmax: number; cell_bits: number; programming_error: { model: string } };
      };
    };
    // CrossSim's own loader (vendored, test/upstream): load_set_reset_csv as create_lookup_table.py calls it.
    const loaded = await runPython(
      [
        '-c',
        `import json, sys
from process_measured_data import process_data
up, down = process_data(datapath=sys.argv[1]).load_set_reset_csv('set.csv', 'reset.csv', skip_header=1, read_voltage=float(sys.argv[2]))
print(json.dumps([[r.tolist() for r in up], [r.tolist() for r in down]]))`,
        out,
        String(config.lookup_tables.read_voltage),
      ],
      { cwd: out, pythonPath: [join(REPO_ROOT, 'test', 'upstream', 'cross-sim-39fd461')] },
    );
    expect(loaded.code, loaded.stderr).toBe(0);
    const read = loaded.stdout;
    const [set, reset] = JSON.parse(read) as [number[][], number[][]];
    expect(set).toHaveLength(4);
    expect(reset).toHaveLength(4);
    const points = JSON.parse(
      (await runCli(['points', String(trainRun), '--db', db])).stdout
        .trim()
        .split('\n')
        .slice(1)
        .filter((l) => l.includes(',ltp,read,'))
        .map((l) => l.split(',')[5])
        .join(',')
        .replace(/^/, '[')
        .concat(']'),
    ) as number[];
    expect(set.flat()).toEqual(points.map((g) => expect.closeTo(g, 12)));
    expect(config.xbar.device.Rmin).toBeLessThan(config.xbar.device.Rmax);
    expect(config.xbar.device.cell_bits).toBe(4);
    expect(config.xbar.device.programming_error.model).toMatch(/^Normal(Independent|Proportional)Device$/);

    // The inverse: the folder back to a profile, levels as the mean of each pulse count.
    const imported = await runCli([
      'profile',
      'import',
      out,
      '--format',
      'crosssim',
      '--name',
      'from crosssim',
      '--db',
      db,
      '--json',
    ]);
    expect(imported.code, imported.stderr).toBe(0);
    const levels = (
      JSON.parse(imported.stdout) as { tables: Array<{ levels: Array<{ g: number; n: number }> }> }
    ).tables[0]!.levels;
    expect(levels.every((l) => l.n === 4)).toBe(true);
    const means = Array.from(
      { length: set[0]!.length },
      (_, n) => set.reduce((s, r) => s + r[n]!, 0) / set.length,
    ).sort((a, b) => a - b);
    expect(levels.map((l) => l.g)).toEqual(means.map((g) => expect.closeTo(g, 12)));
  });

  it("the app's own export zips come back in: the Profiles page's upload (format found from the names) and `profile import X.zip`", async () => {
    const services = createServices({ mode: 'browser', events: new EventHub(), dbPath: tempDbPath() });
    try {
      const api = createApiClient({
        invoke: createDispatcher(services.handlers),
        subscribe: () => () => {},
      }).call;
      for (const format of ['crosssim', 'aihwkit', 'neurosim-mlp'] as const) {
        const { files } = await api['profiles.exportFor']({ name: 'AlOx/HfO2', format, bits: 4 });
        // As the Profiles page saves it (one zip of the files) and reads it back (unzipped in the page).
        const zip = zipSync(Object.fromEntries(files.map((f) => [f.name, strToU8(f.text)])));
        const fileName = `${fileSafeName('AlOx/HfO2')}-${format}.zip`;
        expect(fileName).toBe(`AlOx-HfO2-${format}.zip`);
        const back = await api['profiles.importFiles']({
          fileName,
          files: Object.entries(unzipSync(zip)).map(([name, data]) => ({ name, text: strFromU8(data) })),
          name: `back from ${format}`,
        });
        const levels = back.tables[0]!.levels.map((l) => l.g);
        // The same files as a folder on disk, imported as the CLI user does: the same table.
        const folder = join(dir, `zip-${format}`);
        mkdirSync(folder, { recursive: true });
        for (const f of files) writeFileSync(join(folder, f.name), f.text);
        const zipPath = join(dir, fileName);
        writeFileSync(zipPath, zip);
        const main = { crosssim: 'set.csv', aihwkit: 'aihwkit.json', 'neurosim-mlp': 'neurosim-mlp.json' }[
          format
        ];
        const importFormat = format === 'aihwkit' ? 'aihwkit-piecewise' : format;
        for (const path of [join(folder, main), zipPath]) {
          const cli = await runCli([
            'profile',
            'import',
            path,
            '--format',
            importFormat,
            '--name',
            `cli ${path}`,
            '--db',
            db,
            '--json',
          ]);
          expect(cli.code, cli.stderr).toBe(0);
          const fromCli = JSON.parse(cli.stdout) as { tables: Array<{ levels: Array<{ g: number }> }> };
          expect(
            fromCli.tables[0]!.levels.map((l) => l.g),
            `${format} ${path}`,
          ).toEqual(levels.map((g) => expect.closeTo(g, 15)));
        }
        console.log(
          `${format} zip → ${levels.length} levels ${(Math.min(...levels) * 1e6).toFixed(2)}–${(Math.max(...levels) * 1e6).toFixed(2)} µS, as from the folder`,
        );
      }
      // Not an export: a clear error naming what it takes.
      await expect(
        api['profiles.importFiles']({ fileName: 'photos.zip', files: [{ name: 'a.txt', text: 'x' }] }),
      ).rejects.toThrow(/photos\.zip: not a simulator export.*set\.csv, aihwkit\.json or neurosim-mlp\.json/);
    } finally {
      services.dispose();
    }
  });

  it('aihwkit: the piecewise device, replayed with aihwkit’s update rule, retraces the measured curve; the Python parses', async () => {
    for (const [label, source] of sources()) {
      const out = await exportTo('aihwkit', [...source], `aihwkit-${label}`);
      const json = JSON.parse(readFileSync(join(out, 'aihwkit.json'), 'utf8')) as {
        PiecewiseStepDevice: PiecewiseStep;
        SoftBoundsPmaxDevice: { p_max: number; alpha: number } | null;
        CustomPairConductanceConverter: { g_lst: number[][]; g_min: number; g_max: number };
        window: { g_min_uS: number; g_max_uS: number };
      };
      const device = json.PiecewiseStepDevice;
      expect(device.piecewise_up).toHaveLength(10);
      // Replayed from w_min, the device reaches w_max in about as many pulses as the measured curve.
      const replay = piecewiseUpCurve(device);
      const pulses = replay.length - 1;
      expect(pulses, label).toBeGreaterThan(25);
      expect(pulses, label).toBeLessThan(60);
      expect(json.SoftBoundsPmaxDevice?.p_max).toBe(40);
      // The converter's pair difference rises with the weight (aihwkit's invertibility test).
      const [gp, gm] = json.CustomPairConductanceConverter.g_lst as [number[], number[]];
      for (let k = 1; k < gp.length; k++) expect(gp[k]! - gm[k]!).toBeGreaterThan(gp[k - 1]! - gm[k - 1]!);
      python('import ast, sys; ast.parse(open(sys.argv[1]).read())', join(out, 'aihwkit_device.py'));

      const back = await runCli([
        'profile',
        'import',
        join(out, 'aihwkit.json'),
        '--format',
        'aihwkit-piecewise',
        '--name',
        `from aihwkit ${label}`,
        '--db',
        db,
        '--json',
      ]);
      expect(back.code, back.stderr).toBe(0);
      const levels = (JSON.parse(back.stdout) as { tables: Array<{ levels: Array<{ g: number }> }> })
        .tables[0]!.levels;
      expect(levels[0]!.g * 1e6).toBeCloseTo(json.window.g_min_uS, 6);
      expect(levels[levels.length - 1]!.g * 1e6).toBeCloseTo(json.window.g_max_uS, 6);
    }
  });

  it('NeuroSim MLP JSON comes back as its measured potentiation curve', async () => {
    const out = await exportTo('neurosim-mlp', ['--run', String(trainRun)], 'neurosim-measured');
    const json = JSON.parse(readFileSync(join(out, 'neurosim-mlp.json'), 'utf8')) as {
      measuredDevice: { rawDataConductanceLTP: number[] };
    };
    const back = await runCli([
      'profile',
      'import',
      join(out, 'neurosim-mlp.json'),
      '--format',
      'neurosim-mlp',
      '--name',
      'from neurosim',
      '--db',
      db,
      '--json',
    ]);
    expect(back.code, back.stderr).toBe(0);
    const levels = (JSON.parse(back.stdout) as { tables: Array<{ levels: Array<{ g: number }> }> }).tables[0]!
      .levels;
    expect(levels.map((l) => l.g)).toEqual(
      json.measuredDevice.rawDataConductanceLTP.map((g) => expect.closeTo(g, 15)),
    );
  });

  it('run data: HDF5 read by h5py and Parquet by an independent reader, with units and settings', async () => {
    const h5 = join(dir, 'run.h5');
    const pq = join(dir, 'run.parquet');
    for (const [format, file] of [
      ['hdf5', h5],
      ['parquet', pq],
    ] as const) {
      const result = await runCli([
        'points',
        String(trainRun),
        '--format',
        format,
        '--out',
        file,
        '--db',
        db,
      ]);
      expect(result.code, result.stderr).toBe(0);
    }
    const csv = (await runCli(['points', String(trainRun), '--db', db])).stdout.trim().split('\n').slice(1);
    const g = csv.map((l) => l.split(',')[5]).map((v) => (v === '' ? null : Number(v)));
    const fromH5 = JSON.parse(
      python(
        `import h5py, json, sys, math
f = h5py.File(sys.argv[1])
g = [None if math.isnan(x) else x for x in f['points/g_siemens'][:].tolist()]
print(json.dumps({'g': g, 'unit': f['points/g_siemens'].attrs['units'], 'procedure': json.loads(f.attrs['parameters'])['procedure'], 'settings': json.loads(f.attrs['instrument_settings'])}))`,
        h5,
      ),
    ) as { g: Array<number | null>; unit: string; procedure: string; settings: Record<string, unknown> };
    expect(fromH5.unit).toBe('S');
    expect(fromH5.procedure).toBe('pulse-train');
    expect(fromH5.settings).toHaveProperty('driver');
    // The CSV gives G to its readings' 7 significant digits; HDF5 and Parquet keep every digit.
    const seven = (v: number | null) => (v === null ? null : Number(v.toPrecision(7)));
    expect(fromH5.g.map(seven)).toEqual(g);

    const reader = await parquet.ParquetReader.openFile(pq);
    const metadata = reader.getMetadata();
    expect(JSON.parse(String(metadata.units))).toMatchObject({ g_siemens: 'S', v_volts: 'V', i_amps: 'A' });
    expect(JSON.parse(String(metadata.parameters))).toMatchObject({ procedure: 'pulse-train', cycles: 4 });
    const cursor = reader.getCursor();
    const rows: Array<{ g_siemens: number | null }> = [];
    for (let row = await cursor.next(); row; row = await cursor.next())
      rows.push(row as { g_siemens: number | null });
    await reader.close();
    expect(rows.map((r) => seven(r.g_siemens ?? null))).toEqual(g);
  });

  it('every export folder holds what its format promises', async () => {
    expect(readdirSync(join(dir, 'crosssim')).sort()).toEqual(['crosssim.json', 'reset.csv', 'set.csv']);
    expect(readdirSync(join(dir, 'aihwkit-preset')).sort()).toEqual(['aihwkit.json', 'aihwkit_device.py']);
    const neurosim = await exportTo('neurosim-mlp', ['AlOx/HfO2'], 'neurosim-preset');
    expect(readdirSync(neurosim).sort()).toEqual(['neurosim-mlp.json', 'neurosim-mlp.patch']);
  });
});
