/** What a run was and how it ended, in the words the run browser shows. */
import { type RunSummary } from '../../../shared/run';
import { formatNumber, formatSI, takesSiPrefix } from '../../../shared/units';

/** A retention run that stopped (crash, quit, cancel, lost link) with its state checkpointed. */
export function continuable(run: RunSummary): boolean {
  return (
    run.procedure === 'retention' &&
    run.status !== 'completed' &&
    run.status !== 'running' &&
    run.summary?.retentionState !== undefined
  );
}

/** The Characterize page with this run's parameters and "Continue run" set to it. */
export function continueLink(run: RunSummary): string {
  const query = new URLSearchParams({ procedure: 'retention' });
  for (const [key, value] of Object.entries(run.params))
    if (
      key !== 'procedure' &&
      key !== 'resumeFrom' &&
      (typeof value === 'number' || typeof value === 'string')
    )
      query.set(key, String(value));
  query.set('resumeFrom', String(run.id));
  return `#/characterize?${query.toString()}`;
}

/** The two or three parameters that say what a run was. */
export function keyParameters(run: RunSummary): string {
  const p = run.params;
  const v = (key: string, unit: string) => (typeof p[key] === 'number' ? formatSI(p[key], unit) : undefined);
  const parts: Array<string | undefined> = [];
  switch (run.procedure) {
    case 'forming':
      parts.push(`to ${v('vStop', 'V')}`, `compliance ${v('compliance', 'A')}`);
      break;
    case 'set':
    case 'reset':
      parts.push(`peak ${v('vPeak', 'V')}`, `compliance ${v('compliance', 'A')}`);
      break;
    case 'read':
      parts.push(`${String(p.count ?? '')} reads at ${v('readV', 'V')}`);
      break;
    case 'pulse-train':
      parts.push(
        `${String(p.pulses)} pulses × ${String(p.cycles)} cycles`,
        `${v('setV', 'V')}/${v('resetV', 'V')}`,
        `width ${v('width', 's')}`,
      );
      break;
    case 'write-verify':
      parts.push(
        Array.isArray(p.targets) ? `${p.targets.length} placed targets` : `${String(p.levels)} levels`,
        `band ±${String(p.tolerance)}`,
      );
      break;
    case 'retention':
      parts.push(`${String(p.levels)} levels`, `read for ${v('duration', 's')} each`);
      break;
    case 'endurance':
      parts.push(
        `up to ${String(p.cycles)} cycles`,
        `${v('setV', 'V')}/${v('resetV', 'V')}`,
        `width ${v('width', 's')}`,
      );
      break;
  }
  return parts.filter(Boolean).join(', ');
}

/** How a run ended, in a few words. */
export function outcomeText(run: RunSummary): string {
  const s = run.summary;
  if (run.error) return run.error;
  if (!s) return '';
  if (s.formed === true) return `formed at ${formatSI(Number(s.formingVoltage), 'V')}`;
  if (run.procedure === 'retention' && Array.isArray(s.driftNu))
    return `drift ν ${(s.driftNu as number[]).map((nu) => nu.toFixed(3)).join(', ')} (${String(s.driftBetter)} fits better)`;
  if (run.procedure === 'endurance' && 'cyclesToFailure' in s)
    return typeof s.cyclesToFailure === 'number'
      ? `failed after ${s.cyclesToFailure} cycles (window below ${Math.round(Number(s.windowFraction) * 100)} %)`
      : `no failure in ${String(s.cyclesDone)} cycles`;
  if (s.formed === false) return 'did not form';
  if (run.procedure === 'set' || run.procedure === 'reset') {
    const name = run.procedure === 'set' ? 'V_SET' : 'V_RESET';
    return typeof s.switchingVoltage === 'number'
      ? `${name} ${formatSI(s.switchingVoltage, 'V')}`
      : typeof s.switchingCriterion === 'string'
        ? `no ${run.procedure.toUpperCase()} seen`
        : '';
  }
  if (Array.isArray(s.converged))
    return `${(s.converged as number[]).reduce((a, b) => a + b, 0)} of ${(s.converged as number[]).length * Number(s.attempts ?? 1)} verified`;
  return '';
}

/** A stored value as the user reads it: SI prefix and unit where it has one. */
export function withUnit(value: unknown, unit: string | undefined): string {
  if (typeof value !== 'number') return typeof value === 'string' ? value : JSON.stringify(value);
  if (!unit) return formatNumber(value, 6);
  return takesSiPrefix(unit) ? formatSI(value, unit, 4) : `${formatNumber(value, 6)} ${unit}`;
}
