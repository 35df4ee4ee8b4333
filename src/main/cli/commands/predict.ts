import { mkdirSync, writeFileSync } from 'node:fs';
import { selectTable } from '../../../shared/profile/schema';
import { readUserFile } from '../../files';
import { join } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import { ReramError } from '../../../shared/errors';
import { type LevelTable, selectLevels } from '../../../shared/levels/level-table';
import {
  MAPPING_SCHEMES,
  QUANT_METHODS,
  quantizeLayer,
  SCALE_MODES,
  type MappingScheme,
  type QuantMethod,
  type ScaleMode,
} from '../../../shared/quant/quantize';
import { METHODS } from '../../../shared/quant/methods';
import { PREDICT_METHODS, PredictSettings, type PredictionReport } from '../../../shared/rca/report';
import { addSchemaOptions, readSchemaOptions, unionFields, usageFromZod } from '../schema-options';
import { formatZodIssues } from '../../../shared/zod-format';
import { defaultPoolSize, PredictPool } from '../../predict/pool';
import { parseDevice } from '../parse';
import { runPrediction } from '../../predict/run';
import { BUILTIN_DATA, BUILTIN_MODELS, loadDataset, loadModel } from '../../nn/resources';
import { ProfileLibrary, readLevelTableFile } from '../../services/profiles';
import { openCliStore } from '../db';
import { formatTable, log, printJson, printLine, ProgressLine, UsageError } from '../output';
import { parseList, parsePositiveInt } from '../parse';

const WeightsFile = z.object({
  layers: z.array(z.object({ name: z.string(), weights: z.array(z.number()) })).min(1),
});

function choice<T extends string>(value: string, allowed: readonly T[], name: string): T {
  if (!allowed.includes(value as T))
    throw new UsageError(`${name} must be one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

const pct = (x: number) => (100 * x).toFixed(2);

export function printReport(report: PredictionReport): void {
  const { mapping, array, adc, dac, read, device } = report.settings;
  printLine(
    `${report.model.name} on ${report.dataset.evaluated} ${report.dataset.name} images · device ${report.device.profile} (${report.device.levels} levels, table '${report.device.table}'${report.device.programming ? `, σ ${report.device.programming}` : ''}) · ${mapping.scheme}, scale ${mapping.scale}, tiles ${array.tile.rows}×${array.tile.cols}` +
      `, ADC ${adc.bits ?? 'ideal'}, DAC ${dac.bits ?? 'ideal'}, read noise ${read.noise}, σ × ${device.sigmaScale}`,
  );
  const bitsList = [
    ...new Set(report.results.map((r) => r.bits).filter((b): b is number => b !== null)),
  ].sort((a, b) => a - b);
  const methods = [...new Set(report.results.map((r) => r.method))];
  const cell = (method: string, bits: number | null) => {
    const r = report.results.find((x) => x.method === method && (method === 'float' || x.bits === bits));
    return r ? `${pct(r.mean)} ± ${pct(r.ci95)} %` : '';
  };
  const label = (m: string) => METHODS[m as keyof typeof METHODS]?.label ?? m;
  printLine(
    formatTable(
      ['method', ...bitsList.map((b) => `${b}-bit`)],
      methods.map((m) => [label(m), ...bitsList.map((b) => cell(m, b))]),
    ),
  );
  const paired = report.results.filter((r) => r.vsLinear);
  if (paired.length) {
    printLine();
    printLine('Difference to linear (paired; * significant at 95 %):');
    const diff = (method: string, bits: number) => {
      const d = report.results.find((x) => x.method === method && x.bits === bits)?.vsLinear;
      return d
        ? `${d.difference >= 0 ? '+' : ''}${pct(d.difference)} ± ${pct(d.ci95)} pp${d.significant ? ' *' : ''}`
        : '';
    };
    const diffMethods = [...new Set(paired.map((r) => r.method))];
    printLine(
      formatTable(
        ['method', ...bitsList.map((b) => `${b}-bit`)],
        diffMethods.map((m) => [label(m), ...bitsList.map((b) => diff(m, b))]),
      ),
    );
  }
  const chips = report.chips;
  const howMany =
    chips.mode === 'until-ci' && chips.count > 1
      ? `${chips.count} chips, added until ±${chips.target} pp${chips.reachedTarget ? '' : chips.limitedBy === 'images' ? ' (the test images limit the interval; more chips would not narrow it)' : ' (the chip budget ran out first)'}`
      : `${chips.count} chip${chips.count === 1 ? '' : 's'}`;
  printLine(
    `(mean ± 95 % CI from chip spread and test-set sampling; ${howMany}; ${report.runtime}; ${report.elapsedS.toFixed(1)} s)`,
  );
}

/** Every scalar prediction setting is a flag generated from its declaration; lists are parsed here. */
const PREDICT_FIELDS = unionFields([PredictSettings], ['methods', 'bits', 'tile']);
const METHOD_DEFAULT = (PredictSettings.shape.methods.parse(undefined) as string[]).join(',');
const BITS_DEFAULT = (PredictSettings.shape.bits.parse(undefined) as number[]).join(',');

/** quantize's σ flag is predict's, declared once. */
const SIGMA_FIELDS = PREDICT_FIELDS.filter((f) => f.key === 'sigmaScale');

export function registerPredictCommands(program: Command): void {
  const quantizeCommand = program
    .command('quantize')
    .description(
      'quantize weights onto a level table (ideal-linear, linear or MES) and report the per-weight result',
    )
    .requiredOption('--levels <file>', 'profile JSON, level-table JSON or level CSV')
    .requiredOption('--weights <file>', 'W.json: {"layers":[{"name":…, "weights":[…]}]}')
    .requiredOption('--method <m>', QUANT_METHODS.join('|'))
    .option('--bits <b>', 'use 2^b levels at equally spaced pulse counts')
    .option('--scheme <s>', MAPPING_SCHEMES.join('|'), 'differential')
    .option('--scale <s>', `MES scale: ${SCALE_MODES.join('|')}`, 'mse')
    .option('--json', 'machine-readable output (the weights in input order)');
  addSchemaOptions(quantizeCommand, SIGMA_FIELDS).action(quantizeAction);

  const predictCommand = program
    .command('predict')
    .description(
      'predict network accuracy on a ReRAM crossbar built from a device profile: float / ideal-linear / linear / MES',
    )
    .requiredOption(
      '--profile <name|file>',
      'profile name (see `profile list`) or a profile .json / level .csv file',
    )
    .option(
      '--model <spec>',
      `${Object.keys(BUILTIN_MODELS)
        .map((k) => `builtin:${k}`)
        .join('|')} or an .onnx file`,
      'builtin:lenet5',
    )
    .option(
      '--data <spec>',
      `${Object.keys(BUILTIN_DATA)
        .map((k) => `builtin:${k}`)
        .join(
          '|',
        )}, fashion-mnist:full, an IDX folder/file or a CIFAR-10 .bin (default: the built-in model's own test set)`,
    )
    .option('--methods <list>', `comma-separated: ${PREDICT_METHODS.join(',')} (default ${METHOD_DEFAULT})`)
    .option('--bits <list>', `bit widths (default ${BITS_DEFAULT})`)
    .option('--tile <rows[xcols]>', 'crossbar tile size', '128')
    .option(
      '--table <kind|name>',
      "the profile's table: write-verify, open-loop or a table name (default: the first)",
    );
  addSchemaOptions(predictCommand, PREDICT_FIELDS)
    .option('--device <cpu|cuda>', 'where ONNX Runtime runs (cuda: an NVIDIA GPU, where installed)', 'cpu')
    .option('--workers <n>', 'worker threads to spread chips over (default: one per core)')
    .option('--threads <n>', 'ONNX Runtime intra-op threads per worker (default: cores ÷ workers)')
    .option('--save-onnx <dir>', 'write each configuration’s simulated model (chip 1) as .onnx')
    .option('--report <file.json>', 'also write the full report')
    .option('--db <file>', 'SQLite database (profiles)')
    .option('--json', 'print the report as JSON')
    .action(predictAction);
}

function quantizeAction(options: {
  levels: string;
  weights: string;
  method: string;
  bits?: string;
  scheme: string;
  scale: string;
  json?: boolean;
}) {
  const sigmaParsed = PredictSettings.shape.sigmaScale.safeParse(
    readSchemaOptions(options, SIGMA_FIELDS).sigmaScale,
  );
  if (!sigmaParsed.success) throw usageFromZod(sigmaParsed.error, SIGMA_FIELDS);
  const sigmaScale = sigmaParsed.data;
  const method = choice<QuantMethod>(options.method, QUANT_METHODS, '--method');
  const scheme = choice<MappingScheme>(options.scheme, MAPPING_SCHEMES, '--scheme');
  const scale = choice<ScaleMode>(options.scale, SCALE_MODES, '--scale');
  let table = readLevelTableFile(options.levels);
  if (options.bits !== undefined) table = selectLevels(table, parsePositiveInt(options.bits, '--bits'));
  let raw: unknown;
  const weightsText = readUserFile(options.weights, {
    what: 'weights',
    maxBytes: 512 * 1024 * 1024,
    encoding: 'utf8',
  });
  try {
    raw = JSON.parse(weightsText);
  } catch (error) {
    throw new ReramError(
      'INVALID_INPUT',
      `${options.weights} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const parsed = WeightsFile.safeParse(raw);
  if (!parsed.success)
    throw new ReramError('INVALID_INPUT', `${options.weights}: ${formatZodIssues(parsed.error)}`);
  const g = table.levels.map((l) => l.g);
  const layers = parsed.data.layers.map((layer) => {
    // σ-aware methods weigh each level's measured spread (scaled as predict scales it).
    const sigma = table.levels.map((l) => l.sigma * sigmaScale);
    const q = quantizeLayer(layer.name, layer.weights, g, { method, scheme, scale, sigma });
    return {
      name: layer.name,
      alpha: q.alpha,
      levels: Array.from(q.levelIndex),
      realized: Array.from(q.realized),
      mse: q.mse,
      maxError: q.maxError,
      histogram: q.histogram,
    };
  });
  if (options.json)
    return printJson({ method, scheme, scale, sigmaScale, table: table.name, levels: g.length, layers });
  printLine(
    formatTable(
      ['layer', 'weights', 'alpha (weight/S)', 'MSE', 'max error'],
      layers.map((l) => [
        l.name,
        l.levels.length,
        l.alpha.toExponential(4),
        l.mse.toExponential(3),
        l.maxError.toExponential(3),
      ]),
    ),
  );
}

async function predictAction(options: Record<string, string | boolean | undefined>) {
  const tile = /^(\d+)(?:x(\d+))?$/.exec(String(options.tile));
  if (!tile) throw new UsageError(`--tile must be ROWS or ROWSxCOLS, got '${options.tile}'`);
  const parsed = PredictSettings.safeParse({
    ...(options.methods !== undefined
      ? {
          methods: parseList(String(options.methods), '--methods', (m) =>
            choice(m, PREDICT_METHODS, '--methods'),
          ),
        }
      : {}),
    ...(options.bits !== undefined
      ? { bits: parseList(String(options.bits), '--bits', (b) => parsePositiveInt(b, '--bits')) }
      : {}),
    tile: { rows: Number(tile[1]), cols: Number(tile[2] ?? tile[1]) },
    ...readSchemaOptions(options, PREDICT_FIELDS),
  });
  if (!parsed.success) throw usageFromZod(parsed.error, PREDICT_FIELDS);
  const profileSpec = String(options.profile);
  const store = openCliStore(options.db as string | undefined);
  let profileName: string;
  let table: LevelTable;
  try {
    const library = new ProfileLibrary(store);
    const profile = library.resolve(profileSpec);
    [profileName, table] = [profile.name, selectTable(profile, options.table as string | undefined)];
    log(
      `predict: level table '${table.name}'${table.programming ? `, σ ${table.programming === 'write-verify' ? 'after write-verify' : 'of open-loop pulsing'}` : ''}`,
    );
  } finally {
    store.close();
  }
  const model = loadModel(String(options.model));
  const modelSpec = String(options.model);
  const builtinData = modelSpec.startsWith('builtin:')
    ? BUILTIN_MODELS[modelSpec.slice('builtin:'.length)]?.data
    : undefined;
  const dataset = loadDataset(
    options.data !== undefined ? String(options.data) : `builtin:${builtinData ?? 'mnist'}`,
  );
  const workers =
    options.workers !== undefined
      ? parsePositiveInt(String(options.workers), '--workers')
      : defaultPoolSize().workers;
  const threads = options.threads ? parsePositiveInt(String(options.threads), '--threads') : undefined;
  const device = parseDevice(String(options.device ?? 'cpu'));
  const pool =
    workers > 1 ? new PredictPool({ workers, device, ...(threads ? { threads } : {}) }) : undefined;
  const progress = new ProgressLine();
  const saveDir = options.saveOnnx ? String(options.saveOnnx) : undefined;
  if (saveDir) mkdirSync(saveDir, { recursive: true });
  log(
    `predict: ${model.name} on ${parsed.data.limit ?? dataset.count} ${dataset.name} images, device ${profileName}`,
  );
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  const report = await runPrediction(
    { model: model.bytes, modelName: model.name, dataset, table, profileName, settings: parsed.data },
    {
      cancel: controller.signal,
      onProgress: (p) => progress.update(`${(100 * p.fraction).toFixed(0)} % — ${p.message}`),
      onModel: (method, bits, simulated) => {
        if (!saveDir) return;
        const file = join(saveDir, `${method}-${bits}bit.onnx`);
        writeFileSync(file, simulated);
        log(`wrote ${file}`);
      },
    },
    { pool, threads, device },
  ).finally(() => pool?.close());
  progress.done();
  if (options.report) writeFileSync(String(options.report), `${JSON.stringify(report, null, 2)}\n`);
  if (options.json) printJson(report);
  else printReport(report);
}
