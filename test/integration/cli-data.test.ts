import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli';
import { spawnSim } from '../helpers/sim';

describe('CLI: characterize → runs → fit → profiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'reram-cli-'));
  const db = join(dir, 'bench.db');
  let sim: Awaited<ReturnType<typeof spawnSim>>;
  beforeAll(async () => {
    sim = await spawnSim(['--time-scale', '0', '--seed', '12']);
  });
  afterAll(() => sim.stop());

  it('stores a characterization and turns it into a saved, exportable profile', async () => {
    const formed = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'forming',
      '--max-v',
      '5',
      '--compliance',
      '1m',
      '--db',
      db,
      '--json',
    ]);
    expect(formed.code).toBe(0);
    expect(JSON.parse(formed.stdout)).toMatchObject({ status: 'completed', summary: { formed: true } });

    const csv = join(dir, 'train.csv');
    const train = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'pulse-train',
      '--pulses',
      '30',
      '--cycles',
      '4',
      '--max-v',
      '2',
      '--compliance',
      '1 mA',
      '--db',
      db,
      '--out',
      csv,
    ]);
    expect(train.code).toBe(0);
    const runId = Number(train.stdout.trim());
    expect(runId).toBe(2);
    const csvRows = readFileSync(csv, 'utf8').trimEnd().split('\n');
    expect(csvRows[0]).toBe(
      'seq,t_s,v_source_volts,v_volts,i_amps,g_siemens,pulse,phase,kind,cell,cycle,compliance,flags,width_s,target',
    );
    // G carries its readings' 7 significant digits, not a division's 17.
    const gColumn = csvRows
      .slice(1)
      .map((row) => row.split(',')[5]!)
      .filter(Boolean);
    expect(gColumn.length).toBeGreaterThan(100);
    for (const g of gColumn) expect(g.replace(/^-?0\.0*|[.-]|e.*$/gi, '').length).toBeLessThanOrEqual(7);

    const runs = JSON.parse((await runCli(['runs', '--db', db, '--json'])).stdout) as Array<{
      id: number;
      procedure: string;
      status: string;
      pointCount: number;
    }>;
    expect(runs.map((r) => [r.id, r.procedure, r.status])).toEqual([
      [2, 'pulse-train', 'completed'],
      [1, 'forming', 'completed'],
    ]);
    expect(runs[0]!.pointCount).toBe(30 + 4 * 2 * (31 + 30));
    // --db is global too: before the command name, it names the same database.
    const globalDb = JSON.parse((await runCli(['--db', db, 'runs', '--json'])).stdout) as typeof runs;
    expect(globalDb.map((r) => r.id)).toEqual([2, 1]);

    const fit = await runCli([
      'fit',
      String(runId),
      '--bits',
      '3',
      '--name',
      'cell 0',
      '--material',
      'AlOx/HfO2',
      '--db',
      db,
      '--json',
    ]);
    expect(fit.code).toBe(0);
    const fitted = JSON.parse(fit.stdout) as {
      table: { levels: unknown[]; fits: Array<{ direction: string; nl: number }> };
    };
    expect(fitted.table.levels).toHaveLength(8);
    expect(fitted.table.fits[0]!.direction).toBe('ltp');

    const text = await runCli(['fit', String(runId), '--bits', '2', '--db', db]);
    expect(text.stdout).toMatch(/LTP: Gmin .*S ± .*NL .* R²/);
    expect(text.stdout).toMatch(/level\s+G\s+σ\s+n/);

    const list = JSON.parse((await runCli(['profile', 'list', '--db', db, '--json'])).stdout) as Array<{
      name: string;
      readOnly: boolean;
    }>;
    expect(list.map((p) => p.name)).toEqual(['Ag:a-Si', 'TaOx/HfOx', 'AlOx/HfO2', 'EpiRAM', 'cell 0']);

    const json = join(dir, 'cell0.json');
    expect((await runCli(['profile', 'export', 'cell 0', '--out', json, '--db', db])).code).toBe(0);
    const exportCsv = join(dir, 'cell0.csv');
    expect((await runCli(['profile', 'export', 'cell 0', '--out', exportCsv, '--db', db])).code).toBe(0);
    const csvLines = readFileSync(exportCsv, 'utf8').trimEnd().split('\n');
    // Settings as `# key: value` lines, then the header and one row per level.
    expect(csvLines.filter((l) => l.startsWith('#'))).toEqual(
      expect.arrayContaining(['# profile: cell 0', '# material: AlOx/HfO2', '# programming: open-loop']),
    );
    const body = csvLines.filter((l) => !l.startsWith('#'));
    expect(body[0]).toBe('level,g_siemens,sigma_siemens,n');
    expect(body).toHaveLength(1 + 8);

    // Re-import under another name: the same bytes come back out.
    expect((await runCli(['profile', 'import', json, '--name', 'copy', '--db', db])).code).toBe(0);
    const again = join(dir, 'copy.json');
    await runCli(['profile', 'export', 'copy', '--out', again, '--db', db]);
    expect(readFileSync(again, 'utf8')).toBe(
      readFileSync(json, 'utf8').replace('"name": "cell 0"', '"name": "copy"'),
    );
    expect((await runCli(['profile', 'import', exportCsv, '--name', 'from csv', '--db', db])).code).toBe(0);
  });

  it('a bad profile file is refused with the field named, and nothing is written', async () => {
    const bad = join(dir, 'bad.json');
    const good = JSON.parse(readFileSync(join(dir, 'cell0.json'), 'utf8')) as {
      tables: Array<{ levels: Array<{ g: number }> }>;
    };
    good.tables[0]!.levels[2]!.g = -1;
    writeFileSync(bad, JSON.stringify(good));
    const before = (await runCli(['profile', 'list', '--db', db, '--json'])).stdout;
    const result = await runCli(['profile', 'import', bad, '--name', 'broken', '--db', db]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/tables\[0\]\.levels\[2\]\.g/);
    expect((await runCli(['profile', 'list', '--db', db, '--json'])).stdout).toBe(before);
  });

  it('usage errors exit 2; fitting the wrong kind of run says why', async () => {
    // Max |V| and compliance are required: nothing is sourced on a default the user never chose.
    const noCompliance = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'read',
      '--max-v',
      '1',
      '--db',
      db,
    ]);
    expect(noCompliance.code).toBe(2);
    expect(noCompliance.stderr).toMatch(/--compliance: required/);
    const noMax = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'read',
      '--compliance',
      '100u',
      '--db',
      db,
    ]);
    expect(noMax.code).toBe(2);
    expect(noMax.stderr).toMatch(/--max-v: required/);
    const overMax = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'pulse-train',
      '--max-v',
      '1',
      '--compliance',
      '100u',
      '--db',
      db,
    ]);
    expect(overMax.code).toBe(2);
    expect(overMax.stderr).toMatch(/--set-v: \|1.5\| V exceeds the maximum \|V\| of 1 V/);
    const foreign = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'read',
      '--max-v',
      '1',
      '--compliance',
      '1m',
      '--pulses',
      '3',
      '--db',
      db,
    ]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toMatch(/--pulses does not apply to --procedure read/);
    // Time options are bounded: 1e12 ms would overflow Node's timer into 1 ms.
    const hugeTimeout = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'read',
      '--max-v',
      '1',
      '--compliance',
      '1m',
      '--timeout',
      '1e12',
      '--db',
      db,
    ]);
    expect(hugeTimeout.code).toBe(2);
    expect(hugeTimeout.stderr).toMatch(/--timeout: .*600000/);
    const longDwell = await runCli([
      'characterize',
      sim.tcp,
      '--procedure',
      'forming',
      '--max-v',
      '5',
      '--compliance',
      '1m',
      '--dwell',
      '1e9',
      '--db',
      db,
    ]);
    expect(longDwell.code).toBe(2);
    expect(longDwell.stderr).toMatch(/--dwell: .*60/);
    // 7 data bits need parity (2400 manual: "No parity is only valid when using 8 data bits").
    const framing = await runCli(['idn', 'ASRL/dev/null::INSTR', '--data-bits', '7']);
    expect(framing.code).toBe(2);
    expect(framing.stderr).toMatch(/7 data bits with no parity/);
    const wrong = await runCli(['fit', '1', '--db', db]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/forming run; level tables come from pulse-train or write-verify runs/);
    expect(
      (await runCli(['profile', 'export', 'AlOx/HfO2', '--out', join(dir, 'x.txt'), '--db', db])).code,
    ).toBe(2);
  });
});
