import { INTEROP_FORMAT_IDS, INTEROP_FORMATS, type InteropFormatId } from '../../../shared/interop/formats';
import { exportInterop, importInterop, IMPORT_FORMATS, type ImportFormat } from '../../services/interop';
import { assessLevelTable } from '../../../shared/levels/quality';
import { mkdirSync, writeFileSync } from 'node:fs';
import { MAX_PROFILE_BYTES } from '../../../shared/profile/schema';
import { readUserFile } from '../../files';
import { extname, join } from 'node:path';
import type { Command } from 'commander';
import type { FittedCurve, LevelTable } from '../../../shared/levels/level-table';
import { formatPercent, formatSI } from '../../../shared/units';
import { fitRun, profileFromTable } from '../../services/fitting';
import { ProfileLibrary } from '../../services/profiles';
import { buildChipProfile } from '../../services/chip-profile';
import { parseCells } from '../../../shared/recipes';
import { POINT_FORMATS, pointsToCsv, runToCsv, writeHdf5, writeParquet } from '../../services/exports';
import { openCliStore } from '../db';
import { formatTable, log, printJson, printLine, UsageError } from '../output';
import { parsePositive, parsePositiveInt } from '../parse';

function describeFit(fit: FittedCurve): string {
  const u = fit.uncertainty;
  return (
    `${fit.direction.toUpperCase()}: Gmin ${formatSI(fit.gMin, 'S')} ± ${formatSI(u.gMin, 'S', 2)}, Gmax ${formatSI(fit.gMax, 'S')} ± ${formatSI(u.gMax, 'S', 2)}, ` +
    `NL ${fit.nl.toFixed(2)} ± ${u.nl.toFixed(2)}${fit.nlClamped ? ' (outside the NeuroSim table)' : ''} (A = ${fit.a.toFixed(1)} of ${fit.pMax} pulses), ` +
    `R² ${fit.r2.toFixed(4)}, RMSE ${formatSI(fit.rmse, 'S', 2)}, C2C σ ${formatPercent(fit.c2cSigma)} (${fit.points} reads, ${fit.cycles} cycles)`
  );
}

export function printLevelTable(table: LevelTable): void {
  printLine(`${table.name}: ${table.levels.length} levels, read at ${formatSI(table.readVoltage, 'V')}`);
  printLine(
    formatTable(
      ['level', 'G', 'σ', 'n'],
      table.levels.map((l, k) => [k, formatSI(l.g, 'S', 4), formatSI(l.sigma, 'S', 3), l.n]),
    ),
  );
}

/** Runs an action on the profile library of a database, closing the database after. */
function withLibrary<T>(db: string | undefined, action: (library: ProfileLibrary) => T): T {
  const store = openCliStore(db);
  try {
    return action(new ProfileLibrary(store));
  } finally {
    store.close();
  }
}

export function registerDataCommands(program: Command): void {
  registerRunsCommand(program);
  registerPointsCommand(program);
  registerFitCommand(program);

  const profile = program
    .command('profile')
    .description('device profiles: list, show, export, import, delete');
  registerProfileListCommand(profile);
  registerProfileShowCommand(profile);
  registerProfileExportCommand(profile);
  registerProfileImportCommand(profile);
  registerProfileBuildCommand(profile);
  registerProfileDeleteCommand(profile);
}

function registerRunsCommand(program: Command): void {
  program
    .command('runs')
    .description('list measurement runs in the database')
    .option('--db <file>', 'SQLite database (default: the OS user-data folder)')
    .option('--limit <n>', 'most recent N runs', '50')
    .option('--json', 'machine-readable output')
    .action((options: { db?: string; limit: string; json?: boolean }) => {
      const store = openCliStore(options.db);
      try {
        const runs = store.runs.listRuns(parsePositiveInt(options.limit, '--limit'));
        if (options.json) return printJson(runs);
        if (runs.length === 0) return log(`no runs in ${store.path}`);
        printLine(
          formatTable(
            ['id', 'procedure', 'status', 'points', 'cell', 'started', 'instrument'],
            runs.map((r) => [
              r.id,
              r.procedure,
              r.status,
              r.pointCount,
              r.cell ?? '',
              r.startedAt.replace('T', ' ').slice(0, 19),
              r.instrument ?? '',
            ]),
          ),
        );
      } finally {
        store.close();
      }
    });
}

function registerPointsCommand(program: Command): void {
  program
    .command('points')
    .argument('<run-id>', 'run id (see `reram-bench runs`)')
    .description(
      "a run's raw points: CSV on stdout, or a file (CSV with the settings in a # header, Parquet or HDF5 with units and settings in their metadata)",
    )
    .option('--format <f>', POINT_FORMATS.join('|'), 'csv')
    .option('--out <file>', 'write a file (needed for parquet and hdf5)')
    .option('--db <file>', 'SQLite database')
    .action(async (id: string, options: { format: string; out?: string; db?: string }) => {
      if (!(POINT_FORMATS as readonly string[]).includes(options.format))
        throw new UsageError(`--format must be one of ${POINT_FORMATS.join(', ')}`);
      if (options.format !== 'csv' && !options.out)
        throw new UsageError(`--format ${options.format} needs --out FILE`);
      const store = openCliStore(options.db);
      try {
        const runId = parsePositiveInt(id, 'run id');
        const run = store.runs.getRun(runId);
        if (!options.out) {
          process.stdout.write(pointsToCsv(store.runs.getPoints(runId)));
          return;
        }
        const settings = store.runs.runSettings(runId);
        if (options.format === 'csv')
          writeFileSync(options.out, runToCsv(run, settings, store.runs.iteratePoints(runId)));
        else if (options.format === 'parquet')
          await writeParquet(options.out, run, settings, store.runs.getPoints(runId));
        else await writeHdf5(options.out, run, settings, store.runs.getPoints(runId));
        log(`run ${runId}: ${run.pointCount} points written to ${options.out} (${options.format})`);
      } finally {
        store.close();
      }
    });
}

function registerFitCommand(program: Command): void {
  program
    .command('fit')
    .argument('<run-id>', 'a pulse-train or write-verify run')
    .description(
      'fit the pulse-response model and build a level table; saves it, and with --name a device profile',
    )
    .option('--bits <b>', 'b-bit table: 2^b states at equally spaced pulse counts (default: every state)')
    .option(
      '--spacing <how>',
      'with --bits: states at evenly spaced pulse counts (pulses) or evenly spaced in conductance (conductance)',
      'pulses',
    )
    .option('--name <profile>', 'save a device profile with this name')
    .option('--material <stack>', 'material stack for the profile')
    .option('--force', 'replace an existing profile with the same name')
    .option('--db <file>', 'SQLite database')
    .option('--json', 'machine-readable output')
    .action(
      (
        id: string,
        options: {
          bits?: string;
          spacing: string;
          name?: string;
          material?: string;
          force?: boolean;
          db?: string;
          json?: boolean;
        },
      ) => {
        const store = openCliStore(options.db);
        try {
          const runId = parsePositiveInt(id, 'run id');
          const bits = options.bits === undefined ? undefined : parsePositiveInt(options.bits, '--bits');
          if (options.spacing !== 'pulses' && options.spacing !== 'conductance')
            throw new UsageError(`--spacing is pulses or conductance, not '${options.spacing}'`);
          const result = fitRun(store, runId, {
            spacing: options.spacing,
            ...(bits ? { bits } : {}),
            ...(options.name ? { name: options.name } : {}),
          });
          for (const warning of result.warnings) log(`warning: ${warning}`);
          const quality = assessLevelTable(result.table);
          if (quality.verdict !== 'good') {
            log(`fit quality: ${quality.verdict.toUpperCase()}`);
            for (const reason of quality.reasons) log(`  - ${reason}`);
            for (const suggestion of quality.suggestions) log(`  try: ${suggestion}`);
          }
          if (options.name) {
            const library = new ProfileLibrary(store);
            library.save(
              profileFromTable(result.table, {
                name: options.name,
                ...(options.material ? { materialStack: options.material } : {}),
                run: result.run,
              }),
              {
                overwrite: options.force ?? false,
              },
            );
            log(`saved profile '${options.name}'`);
          }
          if (options.json) {
            printJson({
              runId,
              profile: options.name ?? null,
              warnings: result.warnings,
              quality,
              table: result.table,
            });
            return;
          }
          for (const fit of result.table.fits) printLine(describeFit(fit));
          printLine(`fit quality: ${quality.verdict}`);
          printLine();
          printLevelTable(result.table);
        } finally {
          store.close();
        }
      },
    );
}

function registerProfileListCommand(profile: Command): void {
  profile
    .command('list')
    .description('built-in presets and your profiles')
    .option('--db <file>', 'SQLite database')
    .option('--json', 'machine-readable output')
    .action((options: { db?: string; json?: boolean }) =>
      withLibrary(options.db, (library) => {
        const list = library.list();
        if (options.json) return printJson(list);
        printLine(
          formatTable(
            ['name', 'source', 'material', 'levels', 'Gmin', 'Gmax'],
            list.map((p) => [
              p.name + (p.readOnly ? ' (built-in)' : ''),
              p.source,
              p.materialStack,
              p.tables[0]?.levels ?? 0,
              formatSI(p.tables[0]?.gMin, 'S'),
              formatSI(p.tables[0]?.gMax, 'S'),
            ]),
          ),
        );
      }),
    );
}

function registerProfileShowCommand(profile: Command): void {
  profile
    .command('show')
    .argument('<name>', 'profile name')
    .option('--db <file>', 'SQLite database')
    .option('--json', 'the profile JSON')
    .action((name: string, options: { db?: string; json?: boolean }) =>
      withLibrary(options.db, (library) => {
        const p = library.get(name);
        if (options.json) return printJson(p);
        printLine(`${p.name} — ${p.materialStack || 'material not set'} (${p.provenance.source})`);
        if (p.notes) printLine(p.notes);
        for (const table of p.tables) {
          printLine();
          for (const fit of table.fits) printLine(describeFit(fit));
          printLevelTable(table);
        }
      }),
    );
}

function registerProfileExportCommand(profile: Command): void {
  profile
    .command('export')
    .argument('[name]', 'profile name (or --run ID for a measured pulse train)')
    .requiredOption(
      '--out <path>',
      `F.json (the profile) or F.csv (one level table); with --format, a folder for the simulator's files`,
    )
    .option('--format <f>', `a simulator's format: ${INTEROP_FORMAT_IDS.join('|')}`)
    .option('--run <id>', 'export a measured pulse-train run instead of a profile (every ramp, as measured)')
    .option('--bits <b>', 'levels for the inference formats (2^b from the table)', '4')
    .option('--table <name>', 'which table (default: the first)')
    .option('--db <file>', 'SQLite database')
    .action(
      (
        name: string | undefined,
        options: { out: string; format?: string; run?: string; bits: string; table?: string; db?: string },
      ) => {
        if (options.format !== undefined || options.run !== undefined) {
          const format = options.format ?? '';
          if (!(INTEROP_FORMAT_IDS as readonly string[]).includes(format))
            throw new UsageError(`--format must be one of ${INTEROP_FORMAT_IDS.join(', ')}`);
          if ((name === undefined) === (options.run === undefined))
            throw new UsageError('give a profile name or --run ID (one of them)');
          const store = openCliStore(options.db);
          try {
            const files = exportInterop(
              store,
              options.run !== undefined
                ? { runId: parsePositiveInt(options.run, '--run') }
                : { profile: name!, table: options.table },
              format as InteropFormatId,
              parsePositiveInt(options.bits, '--bits'),
            );
            mkdirSync(options.out, { recursive: true });
            for (const file of files) writeFileSync(join(options.out, file.name), file.text);
            log(
              `${INTEROP_FORMATS[format as InteropFormatId].label}: wrote ${files.map((f) => f.name).join(', ')} in ${options.out}`,
            );
          } finally {
            store.close();
          }
          return;
        }
        if (name === undefined) throw new UsageError('give the profile name');
        withLibrary(options.db, (library) => {
          const ext = extname(options.out).toLowerCase();
          if (ext !== '.json' && ext !== '.csv')
            throw new UsageError('--out must end in .json or .csv (or give --format)');
          writeFileSync(options.out, library.export(name, ext === '.json' ? 'json' : 'csv', options.table));
          log(`exported '${name}' to ${options.out}`);
        });
      },
    );
}

function registerProfileImportCommand(profile: Command): void {
  profile
    .command('import')
    .argument('<file>', 'a profile .json or a level-table .csv (level,g_siemens,sigma_siemens,n)')
    .option(
      '--format <f>',
      `a simulator's files: ${IMPORT_FORMATS.join('|')} (crosssim: the folder with set.csv)`,
    )
    .option('--name <name>', 'profile name (CSV: default is the file name)')
    .option('--read-voltage <V>', 'CSV: read voltage of the table', '0.1')
    .option('--force', 'replace an existing profile with the same name')
    .option('--db <file>', 'SQLite database')
    .option('--json', 'print the imported profile')
    .action(
      (
        file: string,
        options: {
          format?: string;
          name?: string;
          readVoltage: string;
          force?: boolean;
          db?: string;
          json?: boolean;
        },
      ) =>
        withLibrary(options.db, (library) => {
          let imported;
          if (options.format !== undefined) {
            if (!(IMPORT_FORMATS as readonly string[]).includes(options.format))
              throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}`);
            imported = importInterop(file, options.format as ImportFormat, options.name);
            library.save(imported, { overwrite: options.force ?? false });
          } else {
            const text = readUserFile(file, {
              what: 'profile',
              maxBytes: MAX_PROFILE_BYTES,
              encoding: 'utf8',
            });
            imported = library.import(text, file, {
              ...(options.name ? { name: options.name } : {}),
              readVoltage: parsePositive(options.readVoltage, '--read-voltage'),
              overwrite: options.force ?? false,
            });
          }
          if (options.json) printJson(imported);
          log(
            `imported '${imported.name}' (${imported.tables.length} table${imported.tables.length === 1 ? '' : 's'})`,
          );
        }),
    );
}

function registerProfileBuildCommand(profile: Command): void {
  profile
    .command('build')
    .description(
      "one profile from many cells of a sample: their mean table, each level's cycle-to-cycle and device-to-device σ, and the cells left out",
    )
    .requiredOption('--die <id>', "the sample's die (a virtual die: its id)")
    .option('--wafer <id>', "the sample's wafer ('virtual' for the virtual SMU's dies)", '')
    .requiredOption('--cells <list>', "the cells, in the Queue's syntax (0-15, 1,4,9)")
    .requiredOption('--name <name>', 'name of the new profile')
    .option('--bits <b>', 'use 2^b levels of each cell (cells with other counts are left out otherwise)')
    .option('--overwrite', 'replace a profile of that name')
    .option('--db <file>', 'SQLite database')
    .option('--json', 'the result as JSON (the profile, kept and left-out cells)')
    .action(
      (options: {
        die: string;
        wafer: string;
        cells: string;
        name: string;
        bits?: string;
        overwrite?: boolean;
        db?: string;
        json?: boolean;
      }) => {
        let cells: number[];
        try {
          cells = parseCells(options.cells);
        } catch (error) {
          throw new UsageError(`--cells: ${(error as Error).message}`);
        }
        const store = openCliStore(options.db);
        try {
          const result = buildChipProfile(
            store,
            { wafer: options.wafer.trim(), die: options.die.trim() },
            cells,
            {
              name: options.name,
              ...(options.bits !== undefined ? { bits: parsePositiveInt(options.bits, '--bits') } : {}),
            },
          );
          new ProfileLibrary(store).save(result.profile, { overwrite: options.overwrite === true });
          if (options.json) return printJson(result);
          log(`profile build: saved '${result.profile.name}' from cells ${result.kept.join(', ')}`);
          for (const e of result.excluded) log(`profile build: cell ${e.cell} left out: ${e.reason}`);
          const [chip, oneDevice] = result.profile.tables;
          printLine(
            formatTable(
              ['level', 'G', 'σ C2C', 'σ D2D', 'σ chip'],
              chip!.levels.map((l, k) => [
                k,
                formatSI(l.g, 'S'),
                formatSI(oneDevice!.levels[k]!.sigma, 'S'),
                formatSI(l.d2dSigma, 'S'),
                formatSI(l.sigma, 'S'),
              ]),
            ),
          );
          printLine(
            `${result.d2dOverC2c > 1 ? 'device-to-device' : 'cycle-to-cycle'} spread dominates (RMS d2d/c2c σ ${result.d2dOverC2c.toFixed(2)})`,
          );
        } finally {
          store.close();
        }
      },
    );
}

function registerProfileDeleteCommand(profile: Command): void {
  profile
    .command('delete')
    .argument('<name>', 'profile name')
    .option('--db <file>', 'SQLite database')
    .action((name: string, options: { db?: string }) =>
      withLibrary(options.db, (library) => library.delete(name)),
    );
}
