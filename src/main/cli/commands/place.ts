/** `place`: write-verify targets chosen for a network (docs/methods.md, "Level placement"). */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { selectTable } from '../../../shared/profile/schema';
import { placeOnTable } from '../../services/placement';
import { formatSI } from '../../../shared/units';
import { ProfileLibrary } from '../../services/profiles';
import { openCliStore } from '../db';
import { formatTable, log, printJson, printLine, UsageError } from '../output';
import { parsePositiveInt } from '../parse';

export function registerPlace(program: Command): void {
  program
    .command('place')
    .description(
      'choose the write-verify targets that minimise the network’s expected weight error (Lloyd–Max over its weights, σ included)',
    )
    .requiredOption('--profile <name|file>', 'the device whose window to place the targets in')
    .option('--model <spec>', 'builtin:NAME or an .onnx file', 'builtin:lenet5')
    .option('--bits <b>', 'place 2^b targets', '3')
    .option(
      '--table <kind|name>',
      'the profile table whose window (and σ, with --sigma table) to use: write-verify, open-loop or a name (default: the first)',
    )
    .option(
      '--sigma <model>',
      'σ of a placed level: verify (± tolerance × the gap to its nearest neighbour, uniform) or table (the table’s σ there)',
      'verify',
    )
    .option('--tolerance <fraction>', 'the write-verify band the targets will be programmed with', '0.2')
    .option('--margin <fraction>', 'window left free at each end, for device-to-device variation', '0.05')
    .option(
      '--out <file.json>',
      'write the targets file (characterize --procedure write-verify --targets FILE)',
    )
    .option('--db <file>', 'SQLite database (profiles)')
    .option('--json', 'print the placement as JSON')
    .action(
      (options: {
        profile: string;
        model: string;
        bits: string;
        table?: string;
        sigma: string;
        tolerance: string;
        margin: string;
        out?: string;
        db?: string;
        json?: boolean;
      }) => {
        const bits = parsePositiveInt(options.bits, '--bits');
        if (bits > 10) throw new UsageError('--bits must be at most 10 (1,024 targets)');
        const margin = Number(options.margin);
        if (!(margin >= 0 && margin < 0.45)) throw new UsageError('--margin must be a fraction 0…0.45');
        const tolerance = Number(options.tolerance);
        if (!(tolerance > 0 && tolerance <= 0.5))
          throw new UsageError('--tolerance must be a fraction in (0, 0.5]');
        if (options.sigma !== 'verify' && options.sigma !== 'table')
          throw new UsageError(`--sigma must be verify or table, got '${options.sigma}'`);
        const store = openCliStore(options.db);
        let profile;
        try {
          const library = new ProfileLibrary(store);
          profile = library.resolve(options.profile);
        } finally {
          store.close();
        }
        const table = selectTable(profile, options.table);
        const placed = placeOnTable(table, {
          model: options.model,
          bits,
          sigma: options.sigma,
          tolerance,
          margin,
        });
        const result = { ...placed, profile: profile.name };
        const tableError = placed.expectedError.tableLevels;
        if (options.out) {
          writeFileSync(options.out, `${JSON.stringify(result, null, 2)}\n`);
          log(
            `targets written to ${options.out} (characterize --procedure write-verify --targets ${options.out} --tolerance ${tolerance})`,
          );
        }
        if (options.json) return printJson(result);
        printLine(
          `${2 ** bits} targets for ${placed.model} on ${profile.name} ('${table.name}'), σ ${result.sigmaModel}:`,
        );
        printLine(
          formatTable(
            ['level', 'target', 'σ'],
            placed.targets.map((g, k) => [k, formatSI(g, 'S', 4), formatSI(placed.sigma[k]!, 'S', 3)]),
          ),
        );
        printLine(
          `expected weight error (normalised): placed ${placed.expectedError.placed.toExponential(3)}, evenly spaced targets ${placed.expectedError.evenlySpaced.toExponential(3)}${tableError !== null ? `, the table's own ${2 ** bits} levels (their σ) ${tableError.toExponential(3)}` : ''}`,
        );
      },
    );
}
