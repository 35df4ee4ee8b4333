/**
 * Procedure parameters, validated before anything is sent to an instrument. Every procedure
 * requires a compliance and a maximum |V|; every voltage it would apply is checked against that
 * maximum here and again by the safety guard in main.
 */
import { z } from 'zod';

const volts = z.number().finite();
const positive = z.number().finite().positive();
const seconds = z.number().finite().nonnegative();

export const SafetySettings = z.object({
  /** Largest |V| the run may apply (V). */
  maxVoltage: positive.max(210),
  /** Current compliance (A), set before the output turns on. */
  compliance: positive.max(3),
  /** Integration time for reads, in power-line cycles. */
  nplc: positive.max(100).default(1),
  /** Cell index on the die (virtual SMU) or the label of the probed cell. */
  cell: z.number().int().nonnegative().default(0),
});

export const FormingParams = SafetySettings.extend({
  procedure: z.literal('forming'),
  vStart: volts.default(0),
  vStop: volts.default(4),
  vStep: positive.default(0.05),
  /** Hold per ramp step (s). */
  dwell: seconds.default(0.01),
  /** Forming is detected when the current jumps by this factor between steps, or compliance is hit. */
  jumpFactor: z.number().finite().min(1.5).default(10),
  readV: volts.default(0.1),
});

export const SetResetParams = SafetySettings.extend({
  procedure: z.enum(['set', 'reset']),
  /** Peak of the sweep 0 → vPeak → 0 (V); negative for RESET. */
  vPeak: volts,
  vStep: positive.default(0.05),
  dwell: seconds.default(0.005),
  readV: volts.default(0.1),
});

export const ReadParams = SafetySettings.extend({
  procedure: z.literal('read'),
  readV: volts.default(0.1),
  count: z.number().int().min(1).max(100_000).default(10),
  /** Pause between reads (s). */
  interval: seconds.default(0),
});

export const PulseTrainParams = SafetySettings.extend({
  procedure: z.literal('pulse-train'),
  /** Pulses per direction. */
  pulses: z.number().int().min(2).max(10_000).default(40),
  cycles: z.number().int().min(1).max(1000).default(3),
  setV: volts.default(1.5),
  resetV: volts.default(-1.5),
  /** Pulse width (s). */
  width: positive.default(1e-3),
  readV: volts.default(0.1),
  /** Depress fully before the first cycle so potentiation starts from the low state. */
  prepare: z.enum(['reset', 'none']).default('reset'),
});

export const WriteVerifyParams = SafetySettings.extend({
  procedure: z.literal('write-verify'),
  /** Number of target levels (ignored when `targets` is given). */
  levels: z.number().int().min(2).max(1024).default(8),
  /** Explicit target conductances (S), ascending; default: evenly spaced over the measured window. */
  targets: z.array(positive).optional(),
  /** Acceptance band: ± this fraction of the spacing between targets. */
  tolerance: z.number().finite().positive().max(0.5).default(0.2),
  repeats: z.number().int().min(1).max(1000).default(5),
  setStartV: volts.default(1.0),
  resetStartV: volts.default(-1.0),
  /** ISPP amplitude step (V). */
  stepV: positive.default(0.05),
  width: positive.default(1e-3),
  readV: volts.default(0.1),
  maxIterations: z.number().int().min(1).max(10_000).default(100),
});

export const ProcedureParams = z
  .discriminatedUnion('procedure', [
    FormingParams,
    SetResetParams,
    ReadParams,
    PulseTrainParams,
    WriteVerifyParams,
  ])
  .superRefine((params, ctx) => {
    const check = (name: string, v: number | undefined) => {
      if (v !== undefined && Math.abs(v) > params.maxVoltage) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `|${v}| V exceeds the maximum |V| of ${params.maxVoltage} V`,
        });
      }
    };
    for (const key of [
      'vStart',
      'vStop',
      'vPeak',
      'readV',
      'setV',
      'resetV',
      'setStartV',
      'resetStartV',
    ] as const) {
      check(key, (params as Record<string, unknown>)[key] as number | undefined);
    }
    if (params.procedure === 'pulse-train') {
      if (params.setV <= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['setV'],
          message: 'the potentiation (SET) pulse must be positive',
        });
      if (params.resetV >= 0)
        ctx.addIssue({
          code: 'custom',
          path: ['resetV'],
          message: 'the depression (RESET) pulse must be negative',
        });
    }
    if (params.procedure === 'set' && params.vPeak <= 0)
      ctx.addIssue({ code: 'custom', path: ['vPeak'], message: 'a SET sweep goes positive' });
    if (params.procedure === 'reset' && params.vPeak >= 0)
      ctx.addIssue({ code: 'custom', path: ['vPeak'], message: 'a RESET sweep goes negative' });
    if (params.procedure === 'write-verify' && params.targets) {
      for (let k = 1; k < params.targets.length; k++) {
        if (!(params.targets[k]! > params.targets[k - 1]!)) {
          ctx.addIssue({ code: 'custom', path: ['targets', k], message: 'targets must ascend' });
          break;
        }
      }
    }
  });
export type ProcedureParams = z.output<typeof ProcedureParams>;
export type ProcedureParamsInput = z.input<typeof ProcedureParams>;
export type PulseTrainParams = z.output<typeof PulseTrainParams>;
export type WriteVerifyParams = z.output<typeof WriteVerifyParams>;
export type FormingParams = z.output<typeof FormingParams>;
export type SetResetParams = z.output<typeof SetResetParams>;
export type ReadParams = z.output<typeof ReadParams>;

/** Total steps a procedure will take, for progress and time-remaining estimates. */
export function procedureSteps(params: ProcedureParams): number {
  switch (params.procedure) {
    case 'forming':
      return Math.max(1, Math.ceil(Math.abs(params.vStop - params.vStart) / params.vStep) + 1);
    case 'set':
    case 'reset':
      return 2 * Math.ceil(Math.abs(params.vPeak) / params.vStep) + 2;
    case 'read':
      return params.count;
    case 'pulse-train':
      return params.cycles * 2 * params.pulses + (params.prepare === 'reset' ? params.pulses : 0);
    case 'write-verify':
      return params.repeats * (params.targets?.length ?? params.levels);
  }
}
