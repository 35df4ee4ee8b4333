/**
 * The level table: the conductance states a cell can be programmed to, with their measured
 * spread. It is what quantization maps weights onto (docs/architecture.md §5).
 */
import { z } from 'zod';
import { invalidInput } from '../errors';

const conductance = z.number().finite().nonnegative();

/** Far above any device (16 bits of states); bounds every loop over a table. */
export const MAX_LEVELS = 65_536;

export const Level = z.object({
  /** Mean conductance (S). */
  g: conductance,
  /** Standard deviation of the programmed conductance (S). */
  sigma: conductance,
  /** Samples behind the estimate (0 for model-derived levels). */
  n: z.number().int().nonnegative(),
  /** A many-cell table: the device-to-device σ of this level's mean across the cells (S). */
  d2dSigma: conductance.optional(),
});
export type Level = z.infer<typeof Level>;

const Spread = z.object({ mean: z.number().finite(), sd: z.number().finite().nonnegative() });

/** A table built from many cells: which cells, which were left out and why, and their spread. */
export const CellSpread = z.object({
  cells: z.array(z.number().int().nonnegative()),
  excluded: z.array(z.object({ cell: z.number().int().nonnegative(), reason: z.string() })),
  /** Spread of the cells' fitted LTP curves (present where every kept cell has one). */
  nl: Spread.optional(),
  gMin: Spread.optional(),
  gMax: Spread.optional(),
  /** What each level's σ holds: the cycle-to-cycle spread only, or that and the device-to-device spread. */
  sigma: z.enum(['c2c', 'c2c+d2d']),
  /** RMS over levels of the d2d/c2c σ ratio: above 1 the cells differ more than one cell repeats. */
  d2dOverC2c: z.number().finite().nonnegative(),
  /**
   * Each kept cell's own level conductances (S), aligned with the table's levels: a prediction can
   * draw each crossbar cell's device from these instead of a Gaussian (skew and outlier cells kept).
   */
  perCell: z
    .array(z.object({ cell: z.number().int().nonnegative(), g: z.array(z.number().finite()) }))
    .optional(),
});
export type CellSpread = z.infer<typeof CellSpread>;

/**
 * How the levels drift after programming, measured by retention runs (docs/methods.md, "Drift"):
 * at each measured conductance, the power law's ν (mean over cells) and its device-to-device σ.
 * Levels between the points take ν interpolated in ln G; outside them, the nearest point's.
 */
export const DriftLaw = z.object({
  /** Reference time of the power law G(t) = G(t₀)·(t/t₀)^−ν (s). */
  t0: z.number().finite().positive(),
  points: z
    .array(
      z.object({
        g: conductance,
        nu: z.number().finite().min(-1).max(1),
        nuSigma: z.number().finite().nonnegative(),
        /** Cells behind the point. */
        n: z.number().int().positive(),
      }),
    )
    .min(1),
  /** Where it was measured (runs, cells). */
  source: z.string().max(500),
});
export type DriftLaw = z.infer<typeof DriftLaw>;

export const FittedCurve = z.object({
  direction: z.enum(['ltp', 'ltd']),
  gMin: conductance,
  gMax: conductance,
  /** Curvature in pulses. */
  a: z.number().finite().positive(),
  pMax: z.number().finite().positive(),
  /** NeuroSim non-linearity label from A/Pmax (magnitude); clamped when outside the table. */
  nl: z.number().finite(),
  nlClamped: z.boolean(),
  r2: z.number().finite(),
  /** Root-mean-square residual (S). */
  rmse: z.number().finite().nonnegative(),
  /** Cycle-to-cycle σ as a fraction of (Gmax − Gmin), from the residuals. */
  c2cSigma: z.number().finite().nonnegative(),
  /** One-standard-error uncertainties. */
  uncertainty: z.object({
    gMin: z.number().nonnegative(),
    gMax: z.number().nonnegative(),
    a: z.number().nonnegative(),
    nl: z.number().nonnegative(),
  }),
  points: z.number().int().nonnegative(),
  cycles: z.number().int().nonnegative(),
});
export type FittedCurve = z.infer<typeof FittedCurve>;

export const Provenance = z.object({
  runIds: z.array(z.number().int()).default([]),
  instrument: z.string().optional(),
  cell: z.number().int().optional(),
  createdAt: z.string(),
  softwareVersion: z.string(),
  method: z.string(),
  warnings: z.array(z.string()).default([]),
});
export type Provenance = z.infer<typeof Provenance>;

export const LevelTable = z
  .object({
    name: z.string().trim().min(1).max(200),
    levels: z
      .array(Level)
      .min(2, 'a level table needs at least 2 levels')
      .max(MAX_LEVELS, `a level table holds at most ${MAX_LEVELS} levels`),
    gMin: conductance,
    gMax: conductance,
    /** Read voltage the conductances refer to (V). */
    readVoltage: z.number().finite().positive(),
    /**
     * What each level's σ is: 'open-loop' spread of pulsing from the reset state (it grows with
     * the pulse count), or the spread left after 'write-verify' (bounded by its tolerance).
     */
    programming: z.enum(['open-loop', 'write-verify']).optional(),
    fits: z.array(FittedCurve).default([]),
    /** Built from many cells (`profile build`): the cells and their spread. */
    cellSpread: CellSpread.optional(),
    /** Measured retention drift (`profile build` over cells with retention runs). */
    drift: DriftLaw.optional(),
    provenance: Provenance,
  })
  .superRefine((table, ctx) => {
    for (let i = 1; i < table.levels.length; i++) {
      if (!(table.levels[i]!.g > table.levels[i - 1]!.g)) {
        ctx.addIssue({
          code: 'custom',
          path: ['levels', i, 'g'],
          message: `levels must be sorted strictly ascending by g (level ${i} ≤ level ${i - 1})`,
        });
        break;
      }
    }
    if (!(table.gMax > table.gMin))
      ctx.addIssue({ code: 'custom', path: ['gMax'], message: 'gMax must exceed gMin' });
  });
export type LevelTable = z.output<typeof LevelTable>;
export type LevelTableInput = z.input<typeof LevelTable>;

/** Mean conductances of a table as a plain array. */
export function levelConductances(table: Pick<LevelTable, 'levels'>): number[] {
  return table.levels.map((level) => level.g);
}

/**
 * The 2^bits states reached after equally spaced pulse counts: picks levels at indices
 * round(k·(L−1)/(2^bits−1)) of a table whose levels are consecutive pulse counts. A table that
 * already has 2^bits levels is returned as is.
 */
export function selectLevels(table: LevelTable, bits: number): LevelTable {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16)
    throw invalidInput(`bits must be an integer 1…16, got ${bits}`);
  const wanted = 2 ** bits;
  const available = table.levels.length;
  if (wanted === available) return table;
  if (wanted > available) {
    throw invalidInput(
      `'${table.name}' has ${available} levels; ${bits} bits need ${wanted}. Use at most ${Math.floor(Math.log2(available))} bits.`,
    );
  }
  const picked = Array.from({ length: wanted }, (_, k) => Math.round((k * (available - 1)) / (wanted - 1)));
  const levels = picked.map((k) => table.levels[k]!);
  const spread = table.cellSpread;
  return {
    ...table,
    name: `${table.name} (${bits}-bit)`,
    levels,
    // Each cell's own levels follow the same selection.
    ...(spread?.perCell
      ? {
          cellSpread: {
            ...spread,
            perCell: spread.perCell.map((c) => ({ ...c, g: picked.map((k) => c.g[k]!) })),
          },
        }
      : {}),
  };
}
