/**
 * Safety, enforced in one place. Every procedure talks to the instrument through a GuardedSmu:
 * compliance must be configured before the output can turn on, no |V| above the run's maximum is
 * ever sent, and safe() leaves the output off even when the original link is gone.
 */
import { ReramError } from '../../shared/errors';
import { SafetyError } from './errors';
import type { Measurement, Smu, SmuConfig } from './drivers/smu';

export interface SafetyLimits {
  maxVoltage: number;
  /** Largest compliance a run may configure (A). */
  maxCompliance: number;
}

export interface GuardOptions {
  /** Called when safe() cannot use the normal link: open another and switch the output off. */
  rescue?: () => Promise<void>;
  safeTimeoutMs?: number;
}

const LINK_ERRORS = new Set(['CONNECTION_LOST', 'TRANSPORT', 'TIMEOUT']);

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new ReramError('TIMEOUT', `${what} did not finish within ${ms} ms`)),
      ms,
    );
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

export class GuardedSmu implements Smu {
  private configured: SmuConfig | undefined;

  constructor(
    private readonly inner: Smu,
    readonly limits: SafetyLimits,
    private readonly options: GuardOptions = {},
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
  get driver() {
    return this.inner.driver;
  }
  get capabilities() {
    return this.inner.capabilities;
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

  reset(): Promise<void> {
    this.configured = undefined;
    return this.inner.reset();
  }

  async configure(config: SmuConfig): Promise<void> {
    if (!(config.compliance > 0))
      throw new SafetyError('A compliance (A) is required before anything is sourced.');
    if (
      config.compliance > this.limits.maxCompliance ||
      config.compliance > this.inner.capabilities.maxCompliance
    ) {
      throw new SafetyError(
        `Compliance ${config.compliance} A exceeds the allowed ${Math.min(this.limits.maxCompliance, this.inner.capabilities.maxCompliance)} A.`,
      );
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

  outputState(): Promise<boolean> {
    return this.inner.outputState();
  }

  measure(): Promise<Measurement> {
    this.requireCompliance('Measurement');
    return this.inner.measure();
  }

  pulse(v: number, width: number): Promise<Measurement> {
    this.checkVoltage(v, 'Pulse');
    this.requireCompliance('Pulse');
    if (!(width >= this.inner.capabilities.minPulseWidth)) {
      throw new SafetyError(
        `A ${width} s pulse is shorter than this instrument can make (${this.inner.capabilities.minPulseWidth} s).`,
      );
    }
    return this.inner.pulse(v, width);
  }

  list(vs: number[], dwell: number): Promise<Measurement[]> {
    vs.forEach((v, k) => this.checkVoltage(v, `List level ${k}`));
    this.requireCompliance('List sweep');
    return this.inner.list(vs, dwell);
  }

  /**
   * Output off, whatever happened: through the normal link first, then through a fresh one.
   * Throws a SafetyError only when neither worked, so the caller can tell the user to act.
   */
  async safe(): Promise<void> {
    const timeoutMs = this.options.safeTimeoutMs ?? 3000;
    try {
      await withTimeout(this.inner.safe(), timeoutMs, 'Output off');
      return;
    } catch (error) {
      const code = error instanceof ReramError ? error.code : 'INTERNAL';
      if (!this.options.rescue || !LINK_ERRORS.has(code)) throw error;
    }
    try {
      await withTimeout(this.options.rescue(), timeoutMs, 'Output off on a new connection');
    } catch (error) {
      throw new SafetyError(
        `Could not switch the output off: the instrument is unreachable (${(error as Error).message}). Turn the output off at the instrument.`,
      );
    }
  }

  settings(): Promise<Record<string, unknown>> {
    return this.inner.settings();
  }
}
