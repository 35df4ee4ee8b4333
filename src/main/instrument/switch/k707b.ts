/**
 * Keithley 707B / 708B switching matrix in its own language, TSP (Models 707B and 708B Reference
 * Manual, "channel" functions). A matrix card's rows A–H are the inputs and its columns, 12 per
 * slot, the outputs; a channel is SRCC ("1A01"). The matrix is reset with break-before-make
 * (`channel.connectrule = channel.BREAK_BEFORE_MAKE`) and every channel open; a cell is selected
 * with `channel.exclusiveclose`, which opens whatever else is closed, and then
 * `channel.getclose("allslots")` must list exactly the cell's two crosspoints.
 */
import { ReramError } from '../../../shared/errors';
import type { InstrumentIdentity } from '../../../shared/run';
import {
  K707_COLUMNS_PER_SLOT,
  K707_ROWS,
  parseK707Channels,
  toK707Channels,
  type MatrixPath,
} from '../../../shared/switch-matrix';
import { ScpiParseError, type InstrumentErrorEntry } from '../errors';
import { TSP_CONVENTIONS, type ScpiSession } from '../scpi/session';
import type { SwitchMatrix } from './matrix';

export class Keithley707 implements SwitchMatrix {
  readonly inputs = K707_ROWS;
  readonly outputs: number;

  constructor(
    private readonly session: ScpiSession,
    readonly identity: InstrumentIdentity,
    readonly resource: string,
  ) {
    session.conventions = TSP_CONVENTIONS;
    // Six card slots on the 707B, one on the 708B.
    this.outputs = (/^708/.test(identity.model) ? 1 : 6) * K707_COLUMNS_PER_SLOT;
  }

  static matches(identity: InstrumentIdentity): boolean {
    return identity.make.toUpperCase().includes('KEITHLEY') && /^70[78]B?$/i.test(identity.model);
  }

  async prepare(): Promise<void> {
    await this.session.write('errorqueue.clear()');
    await this.session.write('channel.connectrule = channel.BREAK_BEFORE_MAKE');
    await this.session.write('channel.open("allslots")');
    await this.session.checkErrors('while preparing the switch matrix');
  }

  async openAll(): Promise<void> {
    await this.session.write('channel.open("allslots")');
    await this.session.checkErrors('while opening every crosspoint');
  }

  async connectOnly(paths: readonly MatrixPath[]): Promise<void> {
    const list = toK707Channels(paths);
    await this.session.write(`channel.exclusiveclose("${list}")`);
    await this.session.checkErrors(`while closing ${list || 'nothing'}`);
    const closed = toK707Channels(await this.closed());
    if (closed !== list)
      throw new ReramError(
        'INSTRUMENT',
        `The switch matrix reports ${closed || 'nothing'} closed instead of ${list || 'nothing'}: check the cards fitted and the channel numbers.`,
      );
  }

  async closed(): Promise<MatrixPath[]> {
    const command = 'print(channel.getclose("allslots"))';
    const reply = await this.session.query(command);
    try {
      return parseK707Channels(reply);
    } catch {
      throw new ScpiParseError(command, reply, 'nil, or channels such as 1A01,1B05');
    }
  }

  channels(paths: readonly MatrixPath[]): string {
    return toK707Channels(paths);
  }

  errors(): Promise<InstrumentErrorEntry[]> {
    return this.session.drainErrors();
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
