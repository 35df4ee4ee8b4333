import type { InstrumentIdentity } from '../../../shared/run';

export interface SmuConfig {
  /** Current compliance (A). Always required: set before the output can turn on. */
  compliance: number;
  /** Integration time in power-line cycles. */
  nplc: number;
  /** Current measurement range (A), or auto. */
  currentRange?: number | 'auto';
}

export interface Measurement {
  /** Voltage at the terminals (V): lower than the source level when in compliance. */
  v: number;
  /** Current (A). */
  i: number;
  /** The current limit was reached. */
  compliance: boolean;
}

export interface SmuCapabilities {
  /** Shortest pulse the instrument can make (s). */
  minPulseWidth: number;
  maxVoltage: number;
  maxCompliance: number;
  /** Dedicated pulse hardware (B2900); otherwise pulses are source-delay-measure cycles. */
  truePulse: boolean;
}

/** The one interface every driver implements (DESIGN.md §3). Drivers hold command tables, not experiments. */
export interface Smu {
  readonly identity: InstrumentIdentity;
  readonly driver: 'k2400' | 'k2450' | 'b2900';
  readonly capabilities: SmuCapabilities;
  reset(): Promise<void>;
  configure(config: SmuConfig): Promise<void>;
  /** Sets the DC source level (V). */
  setVoltage(v: number): Promise<void>;
  output(on: boolean): Promise<void>;
  outputState(): Promise<boolean>;
  /** Measures at the present source level with the output on. */
  measure(): Promise<Measurement>;
  /** One pulse of v for `width` seconds, measured at its top; the output is off (or at 0 V) afterwards. */
  pulse(v: number, width: number): Promise<Measurement>;
  /** Steps through `vs`, holding each for `dwell` s before measuring. */
  list(vs: number[], dwell: number): Promise<Measurement[]>;
  /** Output off and source at 0 V, as directly as the link allows. */
  safe(): Promise<void>;
  /** Snapshot of the instrument settings, stored with each run. */
  settings(): Promise<Record<string, unknown>>;
}
