/**
 * `reram-bench stats`: statistics across the cells of one sample (wafer and die), from its stored
 * runs: each figure's distribution (n, quartiles, range) and the cells that stand out.
 */
import type { Command } from 'commander';
import { sampleLabel } from '../../../shared/cell-guard';
import { OUTLIER_ROBUST_Z } from '../../../shared/chip-stats';
import { chipCsv } from '../../../shared/charts/chip';
import { formatSI } from '../../../shared/units';
import { CHIP_FIGURES, chipStatistics, type ChipFigure } from '../../services/statistics';
import { openCliStore } from '../db';
import { log, printJson, printLine, UsageError } from '../output';
import { parsePositiveInt } from '../parse';

export function registerStats(program: Command): void {
  program
    .command('stats')
    .description(
      "statistics across a sample's cells: HRS, LRS, on/off, NL, V_form, V_SET, V_RESET, with outliers named",
    )
    .requiredOption('--die <id>', "the sample's die (a virtual die: its id, as `instrument` prints it)")
    .option('--wafer <id>', "the sample's wafer ('virtual' for the virtual SMU's dies)", '')
    .option('--cells <n>', 'cells on the die', '16')
    .option('--db <file>', 'SQLite database')
    .option('--json', 'print the statistics as JSON (every cell, every distribution)')
    .option('--per-cell', "print every cell's figures as CSV (the Statistics page's export) instead")
    .action(
      (options: {
        die: string;
        wafer: string;
        cells: string;
        db?: string;
        json?: boolean;
        perCell?: boolean;
      }) => {
        const sample = { wafer: options.wafer.trim(), die: options.die.trim() };
        if (!sample.die) throw new UsageError('--die must name a die');
        const store = openCliStore(options.db);
        try {
          const stats = chipStatistics(store, sample, parsePositiveInt(options.cells, '--cells', 1));
          if (options.json) return printJson(stats);
          if (options.perCell)
            return void process.stdout.write(
              chipCsv(stats, new Date().toISOString().replace(/\.\d+Z$/, 'Z')),
            );
          log(`stats: ${sampleLabel(sample)}, ${stats.cells.length} cells with figures`);
          printLine('figure,unit,n,min,q1,median,q3,max,outliers');
          for (const figure of Object.keys(CHIP_FIGURES) as ChipFigure[]) {
            const d = stats.figures[figure];
            const unit = CHIP_FIGURES[figure].unit;
            if (!d) {
              printLine(`${figure},${unit},0,,,,,,`);
              continue;
            }
            const outliers = d.outliers.map((o) => `cell ${o.cell} (${formatSI(o.value, unit)})`).join('; ');
            printLine(
              [figure, unit, d.n, d.min, d.q1, d.median, d.q3, d.max, outliers ? `"${outliers}"` : '']
                .map(String)
                .join(','),
            );
          }
          log(`stats: outliers are cells beyond a robust z of ${OUTLIER_ROBUST_Z} (median and MAD)`);
        } finally {
          store.close();
        }
      },
    );
}
