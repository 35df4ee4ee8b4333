/**
 * Keysight B2200A / B2201A femto-leakage switch mainframe (SCPI over GPIB). Used in the auto
 * configuration mode (all cards as one, card number 0), with the single-route rule and
 * break-before-make, as the B2200 User's Guide ch. 5 gives them: `:ROUT:FUNC ACON`,
 * `:ROUT:CONN:RULE ALL,SROU`, `:ROUT:CONN:SEQ ALL,BBM`, `:ROUT:OPEN:CARD ALL`,
 * `:ROUT:CLOS (@cIIOO,…)` and `:ROUT:CLOS? (@…)` (1 closed / 0 open, one per channel).
 */
import { ReramError } from '../../../shared/errors';
import type { InstrumentIdentity } from '../../../shared/run';
import {
  B2200_INPUTS,
  B2200_OUTPUTS,
  parseChannelList,
  toChannelList,
  type MatrixPath,
} from '../../../shared/switch-matrix';
import type { InstrumentErrorEntry } from '../errors';
import { ScpiParseError } from '../errors';
import type { ScpiSession } from '../scpi/session';
import type { SwitchMatrix } from './matrix';

export class KeysightB2200 implements SwitchMatrix {
  readonly outputs = B2200_OUTPUTS;
  readonly inputs = B2200_INPUTS;

  constructor(
    private readonly session: ScpiSession,
    readonly identity: InstrumentIdentity,
    readonly resource: string,
  ) {}

  static matches(identity: InstrumentIdentity): boolean {
    const make = identity.make.toUpperCase();
    return (make.includes('AGILENT') || make.includes('KEYSIGHT')) && /^B220[01]A?$/i.test(identity.model);
  }

  async prepare(): Promise<void> {
    await this.session.write('*CLS');
    await this.session.write(':ROUT:FUNC ACON');
    await this.session.write(':ROUT:CONN:RULE ALL,SROU');
    await this.session.write(':ROUT:CONN:SEQ ALL,BBM');
    await this.session.write(':ROUT:OPEN:CARD ALL');
    await this.session.checkErrors('while preparing the switch matrix');
  }

  async openAll(): Promise<void> {
    await this.session.write(':ROUT:OPEN:CARD ALL');
    await this.session.checkErrors('while opening every crosspoint');
  }

  async connectOnly(paths: readonly MatrixPath[]): Promise<void> {
    await this.session.write(':ROUT:OPEN:CARD ALL');
    if (paths.length) await this.session.write(`:ROUT:CLOS ${toChannelList(paths)}`);
    await this.session.checkErrors(`while closing ${toChannelList(paths)}`);
    if (!paths.length) return;
    const states = await this.session.queryNumbers(`:ROUT:CLOS? ${toChannelList(paths)}`, {
      count: paths.length,
    });
    const open = paths.filter((_, k) => states[k] !== 1);
    if (open.length)
      throw new ReramError(
        'INSTRUMENT',
        `The switch matrix did not close ${toChannelList(open)}: check the cards fitted and the channel numbers.`,
      );
  }

  async closed(): Promise<MatrixPath[]> {
    const reply = await this.session.query(':ROUT:CLOS:CARD? 0');
    try {
      return parseChannelList(reply);
    } catch {
      throw new ScpiParseError(':ROUT:CLOS:CARD? 0', reply, 'a channel list (@cIIOO,…)');
    }
  }

  channels(paths: readonly MatrixPath[]): string {
    return toChannelList(paths);
  }

  errors(): Promise<InstrumentErrorEntry[]> {
    return this.session.drainErrors();
  }

  async close(): Promise<void> {
    await this.session.close();
  }
}
