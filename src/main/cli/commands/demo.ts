import type { Command } from 'commander';
import { ProcedureParams } from '../../../shared/procedures';
import { DEVICE_PRESETS, findPreset } from '../../../shared/levels/presets';
import { ReramError } from '../../../shared/errors';
import { predict } from '../../../shared/rca/predict';
import { formatSI } from '../../../shared/units';
import { connectInstrument } from '../../services/bench';
import { installProcessSafety } from '../../services/bench';
import { nodeRuntime } from '../../nn/ort-node';
import { loadDataset, loadModel } from '../../nn/resources';
import { fitRun, profileFromTable } from '../../services/fitting';
import { ProfileLibrary } from '../../services/profiles';
import { recordRun, sampleOf } from '../../services/recorder';
import { Die } from '../../virtual-smu/die';
import { startSimServer } from '../../virtual-smu/server';
import { openCliStore } from '../db';
import { log, printJson, printLine, ProgressLine, UsageError } from '../output';
import { parseNonNegative, parsePositiveInt } from '../parse';
import { printReport } from './predict';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'the whole story, headless: virtual SMU → forming → pulse train → fit → profile → predict linear vs MES on LeNet-5',
    )
    .option('--preset <name>', 'device preset of the virtual SMU', 'AlOx/HfO2')
    .option('--time-scale <x>', 'virtual SMU speed (1: real time)', '0')
    .option('--limit <n>', 'test images for the prediction', '500')
    .option('--trials <n>', 'chip instances', '3')
    .option('--db <file>', 'SQLite database (default: the OS user-data folder)')
    .option('--json', 'print the prediction report as JSON')
    .action(demoAction);
}

async function demoAction(options: {
  preset: string;
  timeScale: string;
  limit: string;
  trials: string;
  db?: string;
  json?: boolean;
}) {
  const preset = findPreset(options.preset);
  if (!preset)
    throw new UsageError(
      `unknown preset '${options.preset}'; choose from ${DEVICE_PRESETS.map((p) => p.name).join(', ')}`,
    );
  const store = openCliStore(options.db);
  installProcessSafety({ beforeExit: () => store.close() });
  const step = (n: number, text: string) => log(`\n[${n}/5] ${text}`);
  step(1, `Virtual SMU: Keithley 2400 dialect, 8 ${preset.name} cells`);
  const sim = await startSimServer({
    model: '2400',
    die: new Die({ preset, cells: 8, seed: Date.now() % 100000 }),
    timeScale: parseNonNegative(options.timeScale, '--time-scale'),
  });
  const connection = await connectInstrument(sim.resource);
  const sample = await sampleOf(connection);
  log(`      connected: ${connection.identity.raw}`);
  const compliance = Math.min(1e-3, 20 * preset.gMax * 3);
  try {
    step(2, `Forming cell 0 (ramp to 4 V, compliance ${formatSI(compliance, 'A')})`);
    const formed = await recordRun(
      store,
      connection,
      ProcedureParams.parse({ procedure: 'forming', maxVoltage: 5, compliance }),
      sample,
    );
    log(
      `      run ${formed.runId}: ${formed.result.summary.formed ? `formed at ${formed.result.summary.formingVoltage} V` : 'no forming event'}`,
    );
    step(3, `Pulse train: ${preset.levelsLtp} pulses up and down, 5 cycles`);
    const progress = new ProgressLine();
    const train = await recordRun(
      store,
      connection,
      ProcedureParams.parse({
        procedure: 'pulse-train',
        maxVoltage: 2,
        compliance,
        pulses: preset.levelsLtp,
        cycles: 5,
      }),
      sample,
      { onProgress: (p) => progress.update(`      ${p.done}/${p.total} steps`) },
    );
    progress.done(`      run ${train.runId}: ${train.result.status}, ${train.result.points} points`);
    if (train.result.status !== 'completed')
      throw new ReramError(
        train.result.error?.code ?? 'DEVICE',
        `pulse train ${train.result.status}: ${train.result.error?.message}`,
      );

    step(4, 'Fit and save the device profile');
    const name = `demo ${preset.name} ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`;
    const fit = fitRun(store, train.runId, { name });
    const ltp = fit.table.fits.find((f) => f.direction === 'ltp')!;
    log(
      `      LTP: Gmin ${formatSI(ltp.gMin, 'S')}, Gmax ${formatSI(ltp.gMax, 'S')}, NL ${ltp.nl.toFixed(2)} ± ${ltp.uncertainty.nl.toFixed(2)}, R² ${ltp.r2.toFixed(3)}`,
    );
    new ProfileLibrary(store).save(
      profileFromTable(fit.table, { name, materialStack: preset.materialStack, run: fit.run }),
      { overwrite: true },
    );
    log(`      saved profile '${name}' (${fit.table.levels.length} levels)`);

    step(
      5,
      'Predict LeNet-5 on MNIST: linear vs MES at 3 and 4 bits, quantization alone and with the measured spread',
    );
    const model = loadModel('builtin:lenet5');
    const dataset = loadDataset('builtin:mnist');
    const reports = [];
    // σ × 0 isolates the quantization (the seed study's comparison); σ × 1 programs every cell
    // with the spread this pulse train measured, i.e. open-loop programming by pulse count.
    for (const sigmaScale of [0, 1]) {
      const report = await predict(
        nodeRuntime(),
        {
          model: model.bytes,
          modelName: model.name,
          dataset,
          table: fit.table,
          profileName: name,
          settings: {
            methods: ['float', 'linear', 'mes'],
            bits: [3, 4],
            sigmaScale,
            trials: sigmaScale ? parsePositiveInt(options.trials, '--trials') : 1,
            limit: parsePositiveInt(options.limit, '--limit'),
          },
        },
        { onProgress: (p) => progress.update(`      ${(100 * p.fraction).toFixed(0)} % ${p.message}`) },
      );
      progress.done();
      reports.push(report);
      if (!options.json) {
        printLine(
          sigmaScale
            ? '\nWith the measured programming spread (σ × 1):'
            : 'Quantization onto the measured levels alone (σ × 0):',
        );
        printReport(report);
      }
    }
    if (options.json) printJson(reports);
  } finally {
    await connection.close();
    await sim.close();
    store.close();
  }
}
