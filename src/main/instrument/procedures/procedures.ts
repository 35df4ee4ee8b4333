/**
 * The ReRAM procedures. They only sequence the guarded instrument's typed operations and label
 * the points: no SCPI here. The runner owns startup (known state, compliance first) and the
 * shutdown that always leaves the output off.
 */
import {
  enduranceReadCycles,
  procedureSteps,
  type EnduranceParams,
  type FormingParams,
  type RetentionParams,
  type ProcedureName,
  type ProcedureParams,
  type RetentionState,
  type PulseTrainParams,
  type ReadParams,
  type SetResetParams,
  type WriteVerifyParams,
} from '../../../shared/procedures';
import { isFormingEvent } from '../../../shared/cell-guard';
import { median } from '../../../shared/chip-stats';
import { switchingVoltage, type SweepPoint } from '../../../shared/levels/switching';
import { ReramError } from '../../../shared/errors';
import { AIC_EVIDENCE, fitDrift, retentionReadTimes } from '../../../shared/levels/drift';
import { conductanceOf, type Phase } from '../../../shared/run';
import type { ProcedureContext } from './context';

async function readAt(ctx: ProcedureContext, v: number, label: Parameters<ProcedureContext['record']>[1]) {
  ctx.checkCancelled();
  await ctx.smu.setVoltage(v);
  const m = await ctx.smu.measure();
  return ctx.record(m, label);
}

/** Compliance-limited staircase ramp; stops at the first current jump (the forming event). */
async function forming(ctx: ProcedureContext, p: FormingParams): Promise<void> {
  const direction = Math.sign(p.vStop - p.vStart) || 1;
  let previous: number | undefined;
  let formedAt: number | undefined;
  let done = 0;
  for (let k = 0; ; k++) {
    const v = p.vStart + direction * k * p.vStep;
    if (direction * (v - p.vStop) > 1e-12) break;
    ctx.checkCancelled();
    // The live floor (line frequency and link measured at connect), not the 60 Hz catalogue one.
    const m = await ctx.smu.pulse(v, Math.max(p.dwell, ctx.smu.pulseWidthRange().min));
    ctx.record(m, { phase: 'forming', kind: 'step', pulse: k, cycle: 0 });
    ctx.step(`ramp ${v.toFixed(2)} V`);
    done = k + 1;
    if (isFormingEvent(previous, m, p.jumpFactor)) {
      formedAt = v;
      // Stored even if the run is cancelled from here on: the cell is formed now.
      ctx.summary.formed = true;
      ctx.summary.formingVoltage = Number(v.toPrecision(6));
      break;
    }
    previous = m.i === null ? Number.POSITIVE_INFINITY : Math.abs(m.i);
  }
  if (formedAt !== undefined)
    ctx.endEarly(
      `formed at ${formedAt.toFixed(2)} V: the ramp stopped at step ${done} of ${procedureSteps(p)}`,
    );
  const read = await readAt(ctx, p.readV, { phase: 'read', kind: 'read', pulse: 0, cycle: 0 });
  ctx.summary.formed = formedAt !== undefined;
  ctx.summary.formingVoltage = formedAt === undefined ? null : Number(formedAt.toPrecision(6));
  ctx.summary.conductanceAfter = read.g;
  ctx.log(
    formedAt !== undefined
      ? `formed at ${formedAt.toFixed(2)} V; now ${read.g?.toExponential(3)} S`
      : `no forming event up to ${p.vStop} V`,
  );
}

/** Levels per staircase call: small enough that progress and cancel stay responsive. */
const STAIRCASE_CHUNK = 20;

/** A true DC staircase 0 → vPeak → 0 (the I–V loop), output on throughout, then a read. */
async function setReset(ctx: ProcedureContext, p: SetResetParams): Promise<void> {
  const steps = Math.ceil(Math.abs(p.vPeak) / p.vStep);
  const levels = [
    ...Array.from({ length: steps + 1 }, (_, k) => (p.vPeak * k) / steps),
    ...Array.from({ length: steps }, (_, k) => (p.vPeak * (steps - 1 - k)) / steps),
  ];
  const phase: Phase = p.procedure;
  const swept: SweepPoint[] = [];
  for (let start = 0; start < levels.length; start += STAIRCASE_CHUNK) {
    ctx.checkCancelled();
    const readings = await ctx.smu.list(levels.slice(start, start + STAIRCASE_CHUNK), p.dwell);
    readings.forEach((m, k) => {
      ctx.record(m, { phase, kind: 'step', pulse: start + k, cycle: 0 });
      swept.push({ vSource: m.vSource, i: m.i, compliance: m.compliance });
      ctx.step();
    });
  }
  // V_SET / V_RESET with the rule that found it (src/shared/levels/switching.ts).
  const switching = switchingVoltage(p.procedure, swept);
  ctx.summary.switchingVoltage = switching.value;
  ctx.summary.switchingCriterion = switching.criterion;
  const read = await readAt(ctx, p.readV, { phase: 'read', kind: 'read', pulse: 0, cycle: 0 });
  ctx.summary.conductanceAfter = read.g;
  ctx.step();
}

async function readProcedure(ctx: ProcedureContext, p: ReadParams): Promise<void> {
  for (let k = 0; k < p.count; k++) {
    await readAt(ctx, p.readV, { phase: 'read', kind: 'read', pulse: k, cycle: 0 });
    ctx.step();
    if (p.interval > 0 && k < p.count - 1) await ctx.sleep(p.interval);
  }
}

/** N identical pulses with a read after each: potentiation, then depression, for C cycles. */
async function pulseTrain(ctx: ProcedureContext, p: PulseTrainParams): Promise<void> {
  if (p.prepare === 'reset') {
    for (let n = 1; n <= p.pulses; n++) {
      ctx.checkCancelled();
      ctx.record(await ctx.smu.pulse(p.resetV, p.width), {
        phase: 'reset',
        kind: 'pulse',
        pulse: n,
        cycle: 0,
      });
      ctx.step('preparing: depressing to the low state');
    }
  }
  for (let cycle = 0; cycle < p.cycles; cycle++) {
    for (const [phase, v] of [
      ['ltp', p.setV],
      ['ltd', p.resetV],
    ] as const) {
      await readAt(ctx, p.readV, { phase, kind: 'read', pulse: 0, cycle });
      for (let n = 1; n <= p.pulses; n++) {
        ctx.checkCancelled();
        ctx.record(await ctx.smu.pulse(v, p.width), { phase, kind: 'pulse', pulse: n, cycle });
        await readAt(ctx, p.readV, { phase, kind: 'read', pulse: n, cycle });
        ctx.step(`cycle ${cycle + 1}/${p.cycles} ${phase.toUpperCase()} pulse ${n}/${p.pulses}`);
      }
    }
  }
}

/** What ISPP programming needs, shared by write-verify and retention. */
type VerifySettings = Pick<
  WriteVerifyParams,
  'width' | 'readV' | 'stepV' | 'setStartV' | 'resetStartV' | 'maxIterations'
>;

/** Pulses, reads, the window's ends and ISPP to a target, labelled as verify points. */
function verifier(ctx: ProcedureContext, p: VerifySettings) {
  let pulseCount = 0;
  const pulse = async (v: number, cycle: number, target: number | null) => {
    ctx.checkCancelled();
    ctx.record(await ctx.smu.pulse(v, p.width), {
      phase: 'verify',
      kind: 'pulse',
      pulse: pulseCount++,
      cycle,
      target,
    });
  };
  const read = (cycle: number, target: number | null) =>
    readAt(ctx, p.readV, { phase: 'verify', kind: 'read', pulse: pulseCount, cycle, target });

  /**
   * Pulses one way until the conductance stops moving: the end of the window. Reads carry
   * cycle-to-cycle noise, so "stopped" means the mean of the last 10 reads has made no progress
   * in the pulse direction over the 10 before (one small step between two noisy reads happens
   * by chance long before saturation).
   */
  const saturate = async (v0: number, cycle: number) => {
    const reads = [(await read(cycle, null)).g ?? 0];
    const v = Math.sign(v0) * Math.min(ctx.smu.limits.maxVoltage, Math.abs(v0) + 10 * p.stepV);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    for (let k = 0; k < 300; k++) {
      await pulse(v, cycle, null);
      reads.push((await read(cycle, null)).g ?? 0);
      if (reads.length > 20) {
        const progress = Math.sign(v0) * (mean(reads.slice(-10)) - mean(reads.slice(-20, -10)));
        if (progress <= 0) return mean(reads.slice(-10));
      }
    }
    return mean(reads.slice(-10));
  };

  /** The window's ends, low then high; throws when the cell does not switch. */
  const window = async (): Promise<{ low: number; high: number }> => {
    const low = await saturate(p.resetStartV, 0);
    ctx.step('finding the low end of the window');
    const high = await saturate(p.setStartV, 0);
    ctx.step('finding the high end of the window');
    if (!(high > low * 1.05)) {
      throw new ReramError(
        'DEVICE',
        `The cell does not switch (${low.toExponential(3)} S → ${high.toExponential(3)} S): is it formed? Run forming first, or raise the SET/RESET start voltages.`,
        { low, high },
      );
    }
    return { low, high };
  };

  /** ISPP until a read lands in target ± band; returns the landing read's conductance, or null. */
  const programTo = async (target: number, band: number, cycle: number, index: number) => {
    let vSet = p.setStartV;
    let vReset = p.resetStartV;
    for (let iteration = 0; iteration < p.maxIterations; iteration++) {
      ctx.checkCancelled();
      await ctx.smu.setVoltage(p.readV);
      const m = await ctx.smu.measure();
      const g = conductanceOf(m.v, m.i) ?? 0;
      const inBand = Math.abs(g - target) <= band && !m.compliance && !m.overflow;
      ctx.record(m, {
        phase: 'verify',
        kind: inBand ? 'final' : 'read',
        pulse: pulseCount,
        cycle,
        target: index,
      });
      if (inBand) return g;
      if (g < target) {
        await pulse(vSet, cycle, index);
        vSet = Math.min(ctx.smu.limits.maxVoltage, vSet + p.stepV);
        vReset = p.resetStartV;
      } else {
        await pulse(vReset, cycle, index);
        vReset = Math.max(-ctx.smu.limits.maxVoltage, vReset - p.stepV);
        vSet = p.setStartV;
      }
    }
    return null;
  };
  return { saturate, window, programTo };
}

/** Each level's band: a fraction of the gap to its nearest neighbour (there are at least two). */
function bandsFor(targets: readonly number[], tolerance: number): number[] {
  return targets.map(
    (g, k, all) =>
      tolerance *
      Math.min(k > 0 ? g - all[k - 1]! : Infinity, k < all.length - 1 ? all[k + 1]! - g : Infinity),
  );
}

/** Incremental-step pulse programming to each target, in both directions, repeated for a spread. */
async function writeVerify(ctx: ProcedureContext, p: WriteVerifyParams): Promise<void> {
  const v = verifier(ctx, p);
  let targets = p.targets;
  if (!targets) {
    const { low, high } = await v.window();
    targets = Array.from({ length: p.levels }, (_, k) => low + ((high - low) * k) / (p.levels - 1));
  }
  // Placed targets are dense where the weights are: a level only has to stay clear of its neighbours.
  const bands = bandsFor(targets, p.tolerance);
  ctx.setTargets(targets, bands);
  const converged = new Array<number>(targets.length).fill(0);
  for (let repeat = 0; repeat < p.repeats; repeat++) {
    await v.saturate(p.resetStartV, repeat);
    for (const [k, target] of targets.entries()) {
      if ((await v.programTo(target, bands[k]!, repeat, k)) !== null) converged[k]!++;
      ctx.step(`repeat ${repeat + 1}/${p.repeats} level ${k + 1}/${targets.length}`);
    }
  }
  ctx.summary.targets = targets;
  ctx.summary.converged = converged;
  ctx.summary.attempts = p.repeats;
}

/** Instrument time passes where the instrument is virtual; otherwise the host waits. Cancellable. */
async function waitFor(ctx: ProcedureContext, seconds: number): Promise<void> {
  let remaining = seconds;
  // Chunks keep cancel responsive; at most about 200 of them per wait.
  const chunk = Math.max(10, seconds / 200);
  while (remaining > 1e-9) {
    ctx.checkCancelled();
    const step = Math.min(remaining, chunk);
    if (!(await ctx.smu.idle(step))) return ctx.sleep(remaining);
    remaining -= step;
  }
}

/**
 * Retention: each level programmed by ISPP (write-verify's), then read at log-spaced times with
 * the cell unbiased in between; each level's drift fitted as a power law and as linear in log
 * time (src/shared/levels/drift.ts), and the better named.
 *
 * The state (targets, each level's reads, the level held and for how long) is checkpointed after
 * every read. A run that continues a stopped one (`resume`) takes that state over: levels done
 * stay done, the level the cell still holds is read on at the schedule's remaining times (the
 * ones that passed while nothing ran are listed as missed), and the rest are programmed as usual.
 */
async function retention(ctx: ProcedureContext, p: RetentionParams): Promise<void> {
  const v = verifier(ctx, p);
  const carried = ctx.resume;
  const times = retentionReadTimes(p.firstRead, p.duration, p.readsPerDecade);
  let targets: number[];
  let bands: number[];
  const levels: RetentionState['levels'] = [];
  let startLevel = 0;
  let held: { elapsed: number } | undefined;
  if (carried) {
    ({ targets, bands } = carried.state);
    levels.push(...carried.state.levels.map((l) => ({ ...l, reads: [...l.reads], missed: [...l.missed] })));
    if (carried.state.current !== null) {
      startLevel = carried.state.current;
      held = { elapsed: carried.state.elapsed + carried.gapS };
    } else startLevel = levels.length;
    // The window is not measured again: that would overwrite the level the cell holds.
    for (let k = 0; k < 2 + startLevel * (times.length + 1); k++) ctx.step();
    ctx.log(
      `continuing run ${carried.fromRun}: ${startLevel} level(s) done${held ? `, level ${startLevel + 1} held for ${held.elapsed.toPrecision(3)} s` : ''}`,
    );
  } else {
    const { low, high } = await v.window();
    targets = Array.from({ length: p.levels }, (_, k) => low + ((high - low) * k) / (p.levels - 1));
    bands = bandsFor(targets, p.tolerance);
  }
  ctx.setTargets(targets, bands);
  const continues = carried ? [...carried.state.continues, carried.fromRun] : [];
  const checkpoint = (current: number | null, elapsed: number) => {
    ctx.summary.retentionState = {
      targets,
      bands,
      times,
      levels,
      current,
      elapsed,
      at: new Date().toISOString(),
      continues,
    } satisfies RetentionState;
    ctx.checkpoint();
  };
  for (let k = startLevel; k < targets.length; k++) {
    const target = targets[k]!;
    let elapsed = 0;
    let level: RetentionState['levels'][number];
    if (held && k === startLevel) {
      level = levels[k]!;
      elapsed = held.elapsed;
      const last = level.reads.at(-1)?.t ?? 0;
      const missed = times.filter((t) => t > last && t <= elapsed);
      level.missed.push(...missed);
      // Its reads so far, taken or missed, are steps already done.
      const passed = times.filter((t) => t <= elapsed).length;
      for (let j = 0; j < passed; j++) ctx.step();
      if (missed.length) ctx.log(`level ${k + 1}: ${missed.length} read(s) missed while stopped`);
    } else {
      const landed = await v.programTo(target, bands[k]!, 0, k);
      level = { target, programmed: landed, reads: [], missed: [] };
      levels.push(level);
    }
    checkpoint(k, elapsed);
    for (const t of times) {
      if (t <= elapsed) continue;
      // Unbiased between reads: 0 V, so the reads do not disturb what they measure.
      await ctx.smu.setVoltage(0);
      await waitFor(ctx, t - elapsed);
      elapsed = t;
      const read = await readAt(ctx, p.readV, {
        phase: 'read',
        kind: 'read',
        pulse: level.reads.length + level.missed.length,
        cycle: k,
        target: k,
      });
      if (read.g !== null) level.reads.push({ t, g: read.g });
      checkpoint(k, elapsed);
      ctx.step(`level ${k + 1}/${targets.length}: read at ${t < 100 ? t.toPrecision(3) : Math.round(t)} s`);
    }
    checkpoint(null, 0);
  }
  const summaries = levels.map((level) => {
    const fit = fitDrift(
      level.reads.map((r) => r.t),
      level.reads.map((r) => r.g),
    );
    return {
      target: level.target,
      programmed: level.programmed,
      reads: level.reads.length,
      ...(level.missed.length ? { missed: level.missed.length } : {}),
      ...(fit ? { fit } : {}),
    };
  });
  ctx.summary.retention = { duration: p.duration, times, levels: summaries };
  if (continues.length) ctx.summary.continues = continues;
  // Drift depends on temperature: the stated one travels with the fits (and into profiles).
  if (p.temperature !== undefined) ctx.summary.temperature = p.temperature;
  const fits = summaries.flatMap((l) => (l.fit ? [l.fit] : []));
  ctx.summary.driftNu = fits.map((f) => f.powerLaw.nu);
  // Over all levels: the summed ΔAIC (each level's fits are independent).
  const evidence = fits.reduce((sum, f) => sum + f.deltaAic, 0);
  ctx.summary.driftBetter =
    evidence > AIC_EVIDENCE ? 'power-law' : evidence < -AIC_EVIDENCE ? 'log-linear' : 'either';
  ctx.log(
    `drift ν per level: ${fits.map((f) => f.powerLaw.nu.toFixed(4)).join(', ')}; better fit: ${String(ctx.summary.driftBetter)}`,
  );
}

/**
 * SET/RESET cycling: one full SET and one full RESET pulse per cycle. At log-spaced read points
 * HRS and LRS are read after each of `readsPerPoint` consecutive cycles, and the point's window is
 * median(LRS) − median(HRS): single cycles scatter, and a failure must not be one bad read. The
 * cell has failed at the first point whose window is below `windowFraction` of the first point's;
 * that point's first cycle is stored as the cycles to failure (the window closed after the
 * previous point, by this one).
 */
async function endurance(ctx: ProcedureContext, p: EnduranceParams): Promise<void> {
  const readCycles = new Set(enduranceReadCycles(p.cycles, p.readsPerDecade));
  let initialWindow: number | null = null;
  let lastGood: number | null = null;
  let failedAt: number | null = null;
  let point: { start: number; lrs: number[]; hrs: number[] } | null = null;
  let done = 0;
  for (let cycle = 1; cycle <= p.cycles; cycle++) {
    ctx.checkCancelled();
    if (!point && readCycles.has(cycle)) point = { start: cycle, lrs: [], hrs: [] };
    const label = (phase: 'set' | 'reset', kind: 'pulse' | 'read') => ({
      phase,
      kind,
      pulse: cycle,
      cycle: 0,
    });
    ctx.record(await ctx.smu.pulse(p.setV, p.width), label('set', 'pulse'));
    if (point) point.lrs.push((await readAt(ctx, p.readV, label('set', 'read'))).g ?? 0);
    ctx.record(await ctx.smu.pulse(p.resetV, p.width), label('reset', 'pulse'));
    if (point) point.hrs.push((await readAt(ctx, p.readV, label('reset', 'read'))).g ?? 0);
    done = cycle;
    if (!point || (point.lrs.length < p.readsPerPoint && cycle < p.cycles)) {
      ctx.step();
      continue;
    }
    const window = median(point.lrs) - median(point.hrs);
    initialWindow ??= window;
    if (!(initialWindow > 0))
      throw new ReramError(
        'DEVICE',
        `The cell does not switch (LRS ${median(point.lrs).toExponential(3)} S, HRS ${median(point.hrs).toExponential(3)} S): is it formed, and do the pulses switch it fully?`,
      );
    ctx.step(`cycle ${cycle}: window ${(window * 1e6).toPrecision(3)} µS`);
    if (window < p.windowFraction * initialWindow) {
      failedAt = point.start;
      break;
    }
    lastGood = point.start;
    point = null;
  }
  ctx.summary.cyclesDone = done;
  ctx.summary.cyclesToFailure = failedAt;
  ctx.summary.lastGoodCycle = lastGood;
  ctx.summary.initialWindow = initialWindow;
  ctx.summary.windowFraction = p.windowFraction;
  if (failedAt !== null)
    ctx.endEarly(`window below ${p.windowFraction * 100} % by cycle ${failedAt} (last good: ${lastGood})`);
  ctx.log(
    failedAt !== null
      ? `failed: the window fell below ${p.windowFraction * 100} % of ${initialWindow?.toExponential(3)} S between cycles ${lastGood} and ${failedAt}`
      : `no failure in ${done} cycles`,
  );
}

type Executor<K extends ProcedureName> = (
  ctx: ProcedureContext,
  params: ProcedureParams & { procedure: K },
) => Promise<void>;

/** One executor per declared procedure (shared/procedures.ts holds the rest of each declaration). */
const EXECUTORS: { [K in ProcedureName]: Executor<K> } = {
  forming,
  set: setReset,
  reset: setReset,
  read: readProcedure,
  'pulse-train': pulseTrain,
  'write-verify': writeVerify,
  endurance,
  retention,
};

export function executeProcedure(ctx: ProcedureContext, params: ProcedureParams): Promise<void> {
  return (EXECUTORS[params.procedure] as Executor<ProcedureName>)(ctx, params);
}
