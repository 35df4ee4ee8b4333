/**
 * A switch matrix in front of an array: what selecting a cell needs, and nothing about SCPI.
 * A driver owns its session, as an SMU driver does, so a TSP matrix (707B) can fit later.
 */
import type { InstrumentIdentity } from '../../../shared/run';
import type { MatrixPath } from '../../../shared/switch-matrix';
import type { InstrumentErrorEntry } from '../errors';

export interface SwitchMatrix {
  readonly identity: InstrumentIdentity;
  readonly resource: string;
  /** Outputs the matrix has (12 per installed card on a B2200A, 12 per slot on a 707B). */
  readonly outputs: number;
  /** Inputs (14 on a B2200A; the 8 rows of a 707B matrix card). */
  readonly inputs: number;
  /** A known state: every crosspoint open, break-before-make, one route per port. */
  prepare(): Promise<void>;
  /** Opens every crosspoint. */
  openAll(): Promise<void>;
  /** Opens every crosspoint, then closes exactly these (break before make). */
  connectOnly(paths: readonly MatrixPath[]): Promise<void>;
  /** The crosspoints closed now, as the matrix reports them. */
  closed(): Promise<MatrixPath[]>;
  /** Crosspoints in the matrix's own notation ("(@00103,00206)" on a B2200A, "1A03,1B06" on a 707B). */
  channels(paths: readonly MatrixPath[]): string;
  errors(): Promise<InstrumentErrorEntry[]>;
  close(): Promise<void>;
}
