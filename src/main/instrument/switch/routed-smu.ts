/**
 * An SMU behind a switch matrix: the same Smu, whose selectCell() moves relays instead of probes.
 *
 * The guard rule: no relay moves while the output is on. Hot-switching arcs across the relay
 * contacts and puts the charge of the cables into the cell that is being connected — a transient
 * no compliance limit catches. So before any crosspoint changes, the output is switched off and
 * the instrument must confirm it (`outputState()` reads false); otherwise nothing moves. After the
 * move, the matrix must report exactly the two crosspoints of the cell closed.
 */
import { cellCount, cellPaths, type MatrixPath, type MatrixWiring } from '../../../shared/switch-matrix';
import { SafetyError } from '../errors';
import type { InstrumentErrorEntry } from '../errors';
import type { CheckItem, Measurement, OffReport, Smu, SmuConfig } from '../drivers/smu';
import type { SwitchMatrix } from './matrix';

const key = (paths: readonly MatrixPath[]) =>
  paths
    .map((p) => p.input * 100 + p.output)
    .sort((a, b) => a - b)
    .join(',');
const samePaths = (a: readonly MatrixPath[], b: readonly MatrixPath[]) => key(a) === key(b);

export class RoutedSmu implements Smu {
  /** Relay moves made, all with the output confirmed off. */
  moves = 0;
  private selected: number | null = null;

  constructor(
    readonly inner: Smu,
    readonly matrix: SwitchMatrix,
    readonly wiring: MatrixWiring,
  ) {}

  get identity() {
    return this.inner.identity;
  }
  get driver() {
    return `${this.inner.driver} via ${this.matrix.identity.model}`;
  }
  get capabilities() {
    return this.inner.capabilities;
  }
  get resource() {
    return this.inner.resource;
  }
  get connected() {
    return this.inner.connected;
  }
  get virtual() {
    return this.inner.virtual;
  }
  /** The cell the matrix connects now (null: none, or unknown after an error). */
  get selectedCell(): number | null {
    return this.selected;
  }

  onConnectionLost(listener: (error: Error) => void): () => void {
    return this.inner.onConnectionLost(listener);
  }

  /** Output off and confirmed, or a SafetyError: the precondition of every relay move. */
  private async outputConfirmedOff(what: string): Promise<void> {
    await this.inner.output(false);
    if (await this.inner.outputState())
      throw new SafetyError(
        `${what}: the ${this.inner.identity.model} still reports its output on, so no relay was moved. Switch the output off at the instrument.`,
      );
  }

  async selectCell(cell: number): Promise<boolean> {
    if (!Number.isInteger(cell) || cell < 0 || cell >= cellCount(this.wiring))
      throw new SafetyError(
        `Cell ${cell} is not wired: the matrix reaches cells 0–${cellCount(this.wiring) - 1} (${this.wiring.rows}×${this.wiring.columns}).`,
      );
    if (this.selected === cell) {
      // Still confirm nothing changed behind our back (front panel, another program).
      if (samePaths(await this.matrix.closed(), cellPaths(this.wiring, cell))) return true;
    }
    await this.outputConfirmedOff(`Moving to cell ${cell}`);
    this.selected = null;
    const paths = cellPaths(this.wiring, cell);
    await this.matrix.connectOnly(paths);
    this.moves++;
    const closed = await this.matrix.closed();
    if (!samePaths(closed, paths))
      throw new SafetyError(
        `After moving to cell ${cell} the matrix reports ${this.matrix.channels(closed)} closed, not ${this.matrix.channels(paths)}: another cell may be in the circuit. Check the matrix's connection rule and front panel.`,
      );
    this.selected = cell;
    return true;
  }

  idle(seconds: number): Promise<boolean> {
    return this.inner.idle(seconds);
  }

  virtualDie(): Promise<string | null> {
    return this.inner.virtualDie();
  }

  /** Output off and reset as the SMU does it; the relays stay where they are. */
  prepare(): Promise<InstrumentErrorEntry[]> {
    return this.inner.prepare();
  }
  configure(config: SmuConfig): Promise<void> {
    return this.inner.configure(config);
  }
  setVoltage(v: number): Promise<void> {
    return this.inner.setVoltage(v);
  }
  output(on: boolean): Promise<void> {
    return this.inner.output(on);
  }
  outputState(): Promise<boolean> {
    return this.inner.outputState();
  }
  measure(): Promise<Measurement> {
    return this.inner.measure();
  }
  pulseWidthRange(): { min: number; max: number } {
    return this.inner.pulseWidthRange();
  }
  nplcRange(): { min: number; max: number } {
    return this.inner.nplcRange();
  }
  pulse(v: number, width: number): Promise<Measurement> {
    return this.inner.pulse(v, width);
  }
  list(vs: number[], dwell: number): Promise<Measurement[]> {
    return this.inner.list(vs, dwell);
  }
  async errors(): Promise<InstrumentErrorEntry[]> {
    const own = await this.inner.errors();
    const matrix = await this.matrix.errors();
    return [...own, ...matrix.map((e) => ({ ...e, message: `switch matrix: ${e.message}` }))];
  }
  switchOff(timeoutMs: number): Promise<OffReport> {
    return this.inner.switchOff(timeoutMs);
  }
  async settings(): Promise<Record<string, unknown>> {
    return {
      ...(await this.inner.settings()),
      switchMatrix: {
        model: this.matrix.identity.model,
        resource: this.matrix.resource,
        wiring: this.wiring,
        closed: this.matrix.channels(await this.matrix.closed()),
      },
    };
  }
  async diagnose(): Promise<CheckItem[]> {
    const items = await this.inner.diagnose();
    const errors = await this.matrix.errors();
    items.push({
      name: 'Switch matrix',
      status: errors.length ? 'warn' : 'ok',
      detail: `${this.matrix.identity.make} ${this.matrix.identity.model} at ${this.matrix.resource}, ${this.wiring.rows}×${this.wiring.columns} cells, SMU on inputs ${this.wiring.hiInput}/${this.wiring.loInput}${errors.length ? `; errors waiting: ${errors.map((e) => `${e.code},"${e.message}"`).join('; ')}` : ''}`,
    });
    return items;
  }
  /** Opens every crosspoint (output confirmed off first), then closes both links. */
  async close(): Promise<void> {
    try {
      if (this.inner.connected) {
        await this.outputConfirmedOff('Disconnecting');
        await this.matrix.openAll();
      }
    } finally {
      await this.matrix.close();
      await this.inner.close();
    }
  }
}
