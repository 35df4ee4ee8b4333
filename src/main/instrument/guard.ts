import { withTimeout } from '../async';
import { formatSI } from '../../shared/units';
/**
 * Safety, enforced in one place.
 * - Every procedure talks to the instrument through a GuardedSmu: compliance must be configured
 *   before the output can turn on, and no |V| above the run's maximum is ever sent.
 * - safe() switches the output off ahead of anything queued (the driver pre-empts its session,
 *   clears the device where the link can, and confirms), falling back to a second link only
 *   where the link allows one. An unconfirmed "off" is an error the user sees, never a guess.
 * - Every instrument in use is registered here, and SIGINT, SIGTERM, an uncaught exception or an
 *   unhandled rejection switch them all off before the process exits.
 */
import { ReramError } from '../../shared/errors';
import { SafetyError } from './errors';
import type { Measurement, OffReport, Smu, SmuConfig } from './drivers/smu';

export interface SafetyLimits {
  maxVoltage: number;
  /** Largest compliance a run may configure (A). */
  maxCompliance: number;
}

export const DEFAULT_SAFE_TIMEOUT_MS = 3000;

/** Switches the output off and confirms it, or throws a SafetyError that says what to do. */
export async function switchOffConfirmed(smu: Smu, timeoutMs = DEFAULT_SAFE_TIMEOUT_MS): Promise<OffReport> {
  let report: OffReport;
  try {
    report = await smu.switchOff(timeoutMs);
  } catch (error) {
    if (error instanceof SafetyError) throw error;
    throw new SafetyError(
      `Could not switch the output off: the instrument at ${smu.resource} is unreachable (${(error as Error).message}). Turn the output off at the instrument.`,
      { code: error instanceof ReramError ? error.code : 'INTERNAL' },
    );
  }
  if (!report.confirmed)
    throw new SafetyError(
      `"Output off" was sent to ${smu.resource}${report.cleared ? ' after a device clear' : ''}, but the instrument did not confirm it within ${timeoutMs} ms: it is not answering. Check its output and switch it off at the instrument if it is still on.`,
      { unconfirmed: true },
    );
  return report;
}

export class GuardedSmu {
  private configured: SmuConfig | undefined;

  constructor(
    readonly inner: Smu,
    readonly limits: SafetyLimits,
    private readonly safeTimeoutMs = DEFAULT_SAFE_TIMEOUT_MS,
  ) {
    if (!(limits.maxVoltage > 0) || limits.maxVoltage > inner.capabilities.maxVoltage) {
      throw new SafetyError(
        `The maximum |V| must be between 0 and ${inner.capabilities.maxVoltage} V (got ${limits.maxVoltage}).`,
      );
    }
  }

  get identity() {
    return this.inner.identity;
  }
  get capabilities() {
    return this.inner.capabilities;
  }

  /** The live pulse-width range (line frequency and link measured at connect). */
  pulseWidthRange(): { min: number; max: number } {
    return this.inner.pulseWidthRange();
  }

  private checkVoltage(v: number, what: string): void {
    if (!Number.isFinite(v)) throw new SafetyError(`${what}: ${v} is not a voltage.`);
    if (Math.abs(v) > this.limits.maxVoltage) {
      throw new SafetyError(
        `${what} of ${v} V exceeds the maximum |V| of ${this.limits.maxVoltage} V; nothing was sent.`,
        { v },
      );
    }
  }

  private requireCompliance(what: string): void {
    if (!this.configured) throw new SafetyError(`${what} refused: the compliance has not been set yet.`);
  }

  /** Output off (confirmed), previous errors read, reset: the known state every run starts from. */
  async prepare() {
    this.configured = undefined;
    return this.inner.prepare();
  }

  async configure(config: SmuConfig): Promise<void> {
    if (!(config.compliance > 0))
      throw new SafetyError('A compliance (A) is required before anything is sourced.');
    const allowed = Math.min(this.limits.maxCompliance, this.inner.capabilities.maxCompliance);
    if (config.compliance > allowed) {
      throw new SafetyError(`Compliance ${config.compliance} A exceeds the allowed ${allowed} A.`);
    }
    this.configured = undefined;
    await this.inner.configure(config);
    this.configured = config;
  }

  async setVoltage(v: number): Promise<void> {
    this.checkVoltage(v, 'Source level');
    await this.inner.setVoltage(v);
  }

  async output(on: boolean): Promise<void> {
    if (on) this.requireCompliance('Output on');
    await this.inner.output(on);
  }

  // Async, so a refusal is always a rejected promise, like every other failure of a call.
  async measure(): Promise<Measurement> {
    this.requireCompliance('Measurement');
    return this.inner.measure();
  }

  async pulse(v: number, width: number): Promise<Measurement> {
    this.checkVoltage(v, 'Pulse');
    this.requireCompliance('Pulse');
    const { min, max } = this.inner.pulseWidthRange();
    if (!(width >= min * 0.999999 && width <= max))
      throw new SafetyError(
        `A ${formatSI(width, 's')} pulse is outside what the ${this.inner.identity.model} makes (${formatSI(min, 's')} to ${formatSI(max, 's')}); nothing was sent.`,
        { width, min, max },
      );
    return this.inner.pulse(v, width);
  }

  async list(vs: number[], dwell: number): Promise<Measurement[]> {
    vs.forEach((v, k) => this.checkVoltage(v, `Staircase level ${k}`));
    this.requireCompliance('Staircase');
    return this.inner.list(vs, dwell);
  }

  /** Virtual SMU: instrument time passes (retention waits); false on a real one (the host waits). */
  idle(seconds: number): Promise<boolean> {
    return this.inner.idle(seconds);
  }

  /** Output off, whatever happened, confirmed; throws a SafetyError telling the user to act otherwise. */
  safe(): Promise<OffReport> {
    return switchOffConfirmed(this.inner, this.safeTimeoutMs);
  }
}

// ——— process-wide: every instrument in use, switched off on signals and crashes ———

type SafeAction = () => Promise<unknown>;

const active = new Map<number, { label: string; safe: SafeAction }>();
let nextId = 1;
let installed = false;
let shuttingDown = false;

export function registerInstrument(label: string, safe: SafeAction): () => void {
  const id = nextId++;
  active.set(id, { label, safe });
  return () => active.delete(id);
}

/** Switches every registered instrument's output off, each within `timeoutMs`. */
export async function safeAll(
  timeoutMs = DEFAULT_SAFE_TIMEOUT_MS,
  log: (m: string) => void = () => {},
): Promise<void> {
  await Promise.all(
    [...active.values()].map(async ({ label, safe }) => {
      try {
        await withTimeout(safe(), timeoutMs + 500, 'Switching the output off');
        log(`${label}: output off (confirmed)`);
      } catch (error) {
        log(`${label}: ${(error as Error).message}`);
      }
    }),
  );
}

export interface ProcessSafetyOptions {
  log?: (message: string) => void;
  /** Extra cleanup after the outputs are off (close the database…). */
  beforeExit?: () => Promise<void> | void;
  /** false when the caller handles SIGINT/SIGTERM itself (e.g. to cancel a run gracefully). */
  handleSignals?: boolean;
}

export function installProcessSafety(options: ProcessSafetyOptions = {}): void {
  if (installed) return;
  installed = true;
  const log = options.log ?? ((m: string) => process.stderr.write(`${m}\n`));
  const shutdown = async (reason: string, code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`${reason}: leaving instruments safe`);
    await safeAll(DEFAULT_SAFE_TIMEOUT_MS, log);
    try {
      await options.beforeExit?.();
    } finally {
      process.exit(code);
    }
  };
  if (options.handleSignals !== false) {
    process.on('SIGINT', () => void shutdown('SIGINT', 130));
    process.on('SIGTERM', () => void shutdown('SIGTERM', 143));
  }
  process.on('uncaughtException', (error) => void shutdown(`uncaught exception: ${error.message}`, 1));
  process.on('unhandledRejection', (reason) => void shutdown(`unhandled rejection: ${String(reason)}`, 1));
}
