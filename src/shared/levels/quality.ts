/**
 * Is this level table worth saving? A verdict a user sees before saving a profile, with the
 * reasons and what to do about them. A fit can converge and still say nothing: an NL whose
 * interval spans the NeuroSim table, a curve the model explains little of, levels closer than
 * their own spread. Such a profile makes MES lose to linear for reasons that are not physics.
 */
import { formatNumber } from '../units';
import { selectLevels, type FittedCurve, type LevelTable } from './level-table';
import { NL_MAX, NL_MIN } from './pulse-model';

export type FitVerdict = 'good' | 'poor' | 'failed';

export interface FitQuality {
  verdict: FitVerdict;
  reasons: string[];
  suggestions: string[];
}

const worse = (a: FitVerdict, b: FitVerdict): FitVerdict =>
  a === 'failed' || b === 'failed' ? 'failed' : a === 'poor' || b === 'poor' ? 'poor' : 'good';

/** The NL interval (±1 standard error) covers more than half the table, or reaches its edge. */
function nlUndetermined(fit: FittedCurve): boolean {
  const span = NL_MAX - NL_MIN;
  return 2 * fit.uncertainty.nl > span / 2 || (fit.nlClamped && fit.uncertainty.nl > span / 10);
}

export function assessLevelTable(table: LevelTable): FitQuality {
  let verdict: FitVerdict = 'good';
  const reasons: string[] = [];
  const suggestions = new Set<string>();
  const openLoop = table.programming !== 'write-verify';
  for (const fit of table.fits) {
    const name = fit.direction.toUpperCase();
    // The table's levels come from potentiation: a bad LTP fit fails the table, a bad LTD one weakens it.
    const severe: FitVerdict = fit.direction === 'ltp' ? 'failed' : 'poor';
    if (fit.r2 < 0.5) {
      verdict = worse(verdict, severe);
      reasons.push(`${name} R² ${formatNumber(fit.r2, 2)}: the pulse model explains little of the reads.`);
    } else if (fit.r2 < 0.9) {
      verdict = worse(verdict, 'poor');
      reasons.push(
        `${name} R² ${formatNumber(fit.r2, 2)} (below 0.9): the reads scatter widely around the curve.`,
      );
    }
    // Why an open-loop train scatters even on a perfect device model: every pulse adds
    // cycle-to-cycle noise to the state (NeuroSim's σ·√ΔP), so the state drifts along the train.
    if (openLoop && fit.r2 < 0.9 && fit.c2cSigma > 0.08 && fit.direction === 'ltp')
      reasons.push(
        `The reads wander ${formatNumber(100 * fit.c2cSigma, 2)} % of the window around the mean curve: open-loop pulses add cycle-to-cycle noise to the state at every pulse, so it drifts along the train. NL fitted from such runs spreads from cell to cell by this noise, not by device-to-device variation.`,
      );
    if (nlUndetermined(fit)) {
      verdict = worse(verdict, severe);
      reasons.push(
        `${name} NL ${formatNumber(fit.nl, 2)} ± ${formatNumber(fit.uncertainty.nl, 2)} is not determined: the interval spans the NeuroSim table (${NL_MIN}…${NL_MAX}).`,
      );
    }
    if (fit.cycles < 2 && openLoop) {
      verdict = worse(verdict, 'poor');
      reasons.push(`${name} from one cycle: the level σ is a guess from the scatter around the fit.`);
    }
    if (openLoop && (fit.r2 < 0.9 || nlUndetermined(fit)))
      suggestions.add(
        `Measure more cycles (this run has ${fit.cycles}): the means and the NL interval tighten about as 1/√cycles.`,
      );
  }
  const allStates = table.provenance.method === 'pulse-train (all states)';
  // Among every state of a curve, neighbours near saturation swap within noise: expected there.
  if (!allStates && table.provenance.warnings.some((w) => w.includes('out of order'))) {
    verdict = worse(verdict, 'poor');
    reasons.push('Some level means were out of order: neighbouring states overlap within the noise.');
  }
  const overlaps = (levels: LevelTable['levels']) => {
    let count = 0;
    for (let k = 1; k < levels.length; k++)
      if (levels[k]!.g - levels[k - 1]!.g < (levels[k]!.sigma + levels[k - 1]!.sigma) / 2) count++;
    return { count, pairs: Math.max(1, levels.length - 1) };
  };
  let overlapping = 0;
  if (allStates) {
    // Every state of a curve: neighbours are meant to be close. What matters is how many bits'
    // worth of states (2^b at even pulse counts, as predictions take them) stay apart.
    let apart = 0;
    for (let b = 1; 2 ** b <= table.levels.length; b++) {
      const { count, pairs } = overlaps(selectLevels(table, b).levels);
      if (count / pairs > 0.1) {
        overlapping = count;
        break;
      }
      apart = b;
    }
    if (apart < 2) {
      verdict = worse(verdict, 'failed');
      reasons.push(`Even 4 states (2 bits) are closer than their own σ: they cannot be told apart.`);
    } else if (apart < 3) {
      verdict = worse(verdict, 'poor');
      reasons.push(
        `States stay apart (beyond their σ) only up to ${apart} bits; at more bits neighbours overlap.`,
      );
    } else reasons.push(`States stay apart (beyond their σ) up to ${apart} bits.`);
  } else {
    const { count, pairs } = overlaps(table.levels);
    overlapping = count;
    if (count / pairs > 0.5) {
      verdict = worse(verdict, 'failed');
      reasons.push(
        `${count} of ${pairs} neighbouring levels are closer than their own σ: they cannot be told apart.`,
      );
    } else if (count / pairs > 0.1) {
      verdict = worse(verdict, 'poor');
      reasons.push(`${count} of ${pairs} neighbouring levels are closer than their own σ.`);
    }
  }
  if (verdict !== 'good') {
    if (openLoop)
      suggestions.add(
        'Program the levels with write-verify instead: each level lands inside a verified band.',
      );
    if (overlapping > 0) suggestions.add('Save fewer bits (fewer, farther-apart levels).');
    suggestions.add('To judge quantization alone, predict with programming σ × 0.');
  }
  return { verdict, reasons, suggestions: [...suggestions] };
}
