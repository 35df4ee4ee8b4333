/**
 * The placement loop on the virtual SMU, end to end through the CLI as a user runs it:
 * pulse train → fit → place → write-verify the placed targets → fit → predict, against MES on
 * the pulse-train table and against evenly spaced write-verify targets over the same window.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, stopChild } from '../helpers/cli';
import { tempDbPath } from '../helpers/temp';
import type { ChildProcess } from 'node:child_process';

interface Report {
  results: Array<{ method: string; bits: number | null; mean: number; ci95: number; accuracies: number[] }>;
  device: { programming: string | null };
}

describe('place → write-verify → fit → predict on the virtual SMU', () => {
  let sim: ChildProcess;
  let resource: string;
  const db = tempDbPath('loop.db');
  const dir = dirname(db);
  beforeAll(async () => {
    const started = await startCli(
      ['sim-smu', '--preset', 'AlOx/HfO2', '--listen', '127.0.0.1:0', '--time-scale', '0', '--seed', '3'],
      /(TCPIP::[^\n]+::SOCKET)\n/,
    );
    sim = started.child;
    resource = started.match[1]!;
  });
  afterAll(async () => {
    await stopChild(sim);
  });

  const cli = async (args: string[]) => {
    const result = await runCli([...args, '--db', db], { timeoutMs: 240_000 });
    expect(result.code, `${args.join(' ')}\n${result.stderr}`).toBe(0);
    return result;
  };
  const characterize = async (procedure: string, extra: string[] = []) => {
    const out = await cli([
      'characterize',
      resource,
      '--procedure',
      procedure,
      '--max-v',
      '5',
      '--compliance',
      '1m',
      ...extra,
      '--json',
    ]);
    return (JSON.parse(out.stdout) as { runId: number }).runId;
  };
  const predictMes = async (profile: string) =>
    JSON.parse(
      (
        await cli([
          'predict',
          '--profile',
          profile,
          '--model',
          'builtin:lenet5-fashion',
          '--methods',
          'float,linear,mes',
          '--bits',
          '3',
          '--trials',
          '5',
          '--json',
        ])
      ).stdout,
    ) as Report;

  it('placed targets are programmed within their bands and predict better than MES on the pulse-train table', async () => {
    await characterize('forming', ['--compliance', '100u']);
    const train = await characterize('pulse-train');
    await cli(['fit', String(train), '--bits', '3', '--name', 'loop pulse train']);

    const targetsFile = join(dir, 'targets.json');
    const placed = JSON.parse(
      (
        await cli([
          'place',
          '--profile',
          'loop pulse train',
          '--model',
          'builtin:lenet5-fashion',
          '--bits',
          '3',
          '--out',
          targetsFile,
          '--json',
        ])
      ).stdout,
    ) as { targets: number[]; tolerance: number; expectedError: { placed: number; evenlySpaced: number } };
    expect(placed.targets).toHaveLength(8);
    expect(placed.expectedError.placed).toBeLessThan(placed.expectedError.evenlySpaced);

    const verified = await characterize('write-verify', ['--targets', targetsFile, '--tolerance', '0.2']);
    const fitted = JSON.parse(
      (await cli(['fit', String(verified), '--name', 'loop placed', '--json'])).stdout,
    ) as {
      table: { levels: Array<{ g: number; n: number }> };
    };
    // Every level is the mean of its verified reads, each inside ± 0.2 × the gap to its nearest neighbour.
    fitted.table.levels.forEach((level, k) => {
      const t = placed.targets;
      const gap = Math.min(
        k > 0 ? t[k]! - t[k - 1]! : Infinity,
        k < t.length - 1 ? t[k + 1]! - t[k]! : Infinity,
      );
      expect(Math.abs(level.g - t[k]!)).toBeLessThanOrEqual(0.2 * gap * 1.0001);
    });

    // Even targets over the same window, programmed the same way.
    const t = placed.targets;
    const evenFile = join(dir, 'even.json');
    writeFileSync(
      evenFile,
      JSON.stringify(Array.from({ length: 8 }, (_, k) => t[0]! + ((t[7]! - t[0]!) * k) / 7)),
    );
    const evenRun = await characterize('write-verify', ['--targets', evenFile, '--tolerance', '0.2']);
    await cli(['fit', String(evenRun), '--name', 'loop even']);

    const [pulse, even, place] = (await Promise.all(
      ['loop pulse train', 'loop even', 'loop placed'].map((p) => predictMes(p)),
    )) as [Report, Report, Report];
    const mes = (r: Report) => r.results.find((x) => x.method === 'mes')!;
    const line = (name: string, r: Report) =>
      `${name}: MES ${(100 * mes(r).mean).toFixed(2)} ± ${(100 * mes(r).ci95).toFixed(2)} % (σ ${r.device.programming})`;
    console.log(
      [
        `float ${(100 * pulse.results.find((x) => x.method === 'float')!.mean).toFixed(2)} %, LeNet-5 Fashion, 3 bits, 5 chips, 2000 images`,
        line('pulse-train table', pulse),
        line('write-verify, even targets', even),
        line('write-verify, placed targets', place),
      ].join('\n'),
    );
    expect(place.device.programming).toBe('write-verify');
    // Placed and verified beats the open-loop pulse-train levels by far more than the noise …
    expect(mes(place).mean - mes(pulse).mean).toBeGreaterThan(Math.hypot(mes(place).ci95, mes(pulse).ci95));
    // … and is at least as good as evenly spaced verified targets.
    expect(mes(place).mean).toBeGreaterThanOrEqual(
      mes(even).mean - Math.hypot(mes(place).ci95, mes(even).ci95),
    );
  }, 600_000);
});
