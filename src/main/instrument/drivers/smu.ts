import type { InstrumentIdentity } from '../../../shared/run';
import type { InstrumentErrorEntry } from '../errors';

export type SenseMode = '2w' | '4w';
export type Terminals = 'front' | 'rear';

export interface SmuConfig {
  /** Current compliance (A). Always required: set before the output can turn on. */
  compliance: number;
  /** Integration time in power-line cycles. */
  nplc: number;
  /** Current measurement range (A), or auto. */
  currentRange?: number | 'auto';
  /** 2-wire, or 4-wire (remote) sense. */
  sense?: SenseMode;
  terminals?: Terminals;
  /** Auto-zero before each reading: slower and longer pulses, but no drift. */
  autoZero?: boolean;
}

/** How a pulse came out: what was asked, what the instrument can have applied, and how we know. */
export interface PulseWidth {
  nominal: number;
  achieved: number;
  /** 'hardware': the instrument's pulse generator; 'model': nominal plus documented overheads; 'host': timed by this computer. */
  basis: 'hardware' | 'model' | 'host';
}

export interface Measurement {
  /** The programmed source level (V). */
  vSource: number;
  /** Measured voltage at the terminals (V): lower than vSource in compliance; null when not a reading. */
  v: number | null;
  /** Current (A); null on overflow or when the instrument had no data. */
  i: number | null;
  /** The instrument flagged real compliance (the current limit held the source down). */
  compliance: boolean;
  /** The reading reached the top of a fixed range (2400 status bit 16). */
  rangeCompliance: boolean;
  /** The instrument reported an overflow (+9.9E37, or its overflow status bit). */
  overflow: boolean;
  /** The instrument's own timestamp (s), where it sends one. */
  time: number | null;
  width?: PulseWidth;
}

export interface SmuCapabilities {
  // The shortest pulse depends on the line frequency and link measured at connect:
  // pulseWidthRange() gives it, not a catalogue value here.
  maxPulseWidth: number;
  maxVoltage: number;
  maxCompliance: number;
  /** Dedicated pulse hardware (B2900); otherwise pulses are source-delay-measure cycles. */
  truePulse: boolean;
  terminals: readonly Terminals[];
}

export interface OffReport {
  confirmed: boolean;
  /** 'link': on the open connection; 'second-link': a fresh one, where the link allows one. */
  via: 'link' | 'second-link';
  /** Device clear sent before "output off". */
  cleared: boolean;
}

/** One item of the bring-up check: what was found, and the exact fix when it is not right. */
export interface CheckItem {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/**
 * The one interface every driver implements (docs/architecture.md §3). A driver owns its session (SCPI here;
 * a TSP or FLEX instrument brings its own) and holds command tables, not experiments.
 */
export interface Smu {
  readonly identity: InstrumentIdentity;
  readonly driver: string;
  readonly capabilities: SmuCapabilities;
  readonly resource: string;
  readonly connected: boolean;
  /** The built-in virtual SMU (it can move its own "probes"). */
  readonly virtual: boolean;
  onConnectionLost(listener: (error: Error) => void): () => void;
  /** Virtual SMU: select the cell. Real instruments return false: the user moves the probes. */
  selectCell(cell: number): Promise<boolean>;
  /**
   * Virtual SMU: lets `seconds` of instrument time pass (paced by its time scale) and returns
   * true. Real instruments return false: the host waits.
   */
  idle(seconds: number): Promise<boolean>;
  /** Virtual SMU: the id of its die (the sample its runs belong to). Real instruments: null. */
  virtualDie(): Promise<string | null>;
  /**
   * Before a run: output off (confirmed), the previous user's errors reported, then a reset to a
   * known state. Returns the error entries that were waiting.
   */
  prepare(): Promise<InstrumentErrorEntry[]>;
  configure(config: SmuConfig): Promise<void>;
  /** Sets the DC source level (V). */
  setVoltage(v: number): Promise<void>;
  output(on: boolean): Promise<void>;
  outputState(): Promise<boolean>;
  /** Measures at the present source level with the output on. */
  measure(): Promise<Measurement>;
  /** The pulse widths possible with the present configuration (s). */
  pulseWidthRange(): { min: number; max: number };
  /** The integration times the instrument takes, in power-line cycles at its line frequency. */
  nplcRange(): { min: number; max: number };
  /** One pulse of v for `width` seconds, measured at its top; the source is back at 0 V afterwards. */
  pulse(v: number, width: number): Promise<Measurement>;
  /** A DC staircase: steps through `vs`, holding each for `dwell` s before measuring, output on throughout. */
  list(vs: number[], dwell: number): Promise<Measurement[]>;
  /** Drains the instrument's error queue. */
  errors(): Promise<InstrumentErrorEntry[]>;
  /** Output off now: pre-empts everything queued, clears the device where the link can, confirms. */
  switchOff(timeoutMs: number): Promise<OffReport>;
  /** Snapshot of the instrument settings, stored with each run. */
  settings(): Promise<Record<string, unknown>>;
  /** The bring-up check: read-only, output untouched (only the error queue is read out). */
  diagnose(): Promise<CheckItem[]>;
  close(): Promise<void>;
}
