/**
 * "Output off, confirmed", the protocol every driver follows; the model gives only its commands.
 * On the open link: pre-empt everything queued, device clear where the link has one, switch off,
 * then read the state with a query whose reply cannot be mistaken for a stale one. Only if the
 * link itself failed, and the link allows it, the same on a fresh second link.
 */
import { ReramError } from '../../../shared/errors';
import { SafetyError } from '../errors';
import type { ScpiSession } from '../scpi/session';
import type { OffReport } from './smu';

export interface OffCommands {
  /** Named in the error when the instrument reports its output still on. */
  what: string;
  /** Switches the output off (ahead of anything queued). */
  off: string;
  /** Reads the state back, with something in the reply that only a fresh reply has. */
  confirm: string;
  /** The state from the confirming reply: true on, false off, undefined for another (stale) reply. */
  state(reply: string): boolean | undefined;
  /** On a fresh second link: switch off, then whether it is still on. */
  secondLink: { off: string; isOn(session: ScpiSession): Promise<boolean> };
}

export async function runOffProtocol(
  session: ScpiSession,
  commands: OffCommands,
  timeoutMs: number,
  openSecondLink?: () => Promise<ScpiSession>,
  /** Runs once the "off" is written, inside the pre-empting section (drivers forget cached levels). */
  afterOff: () => void = () => {},
): Promise<OffReport> {
  let cleared = false;
  const stillOn = () => new SafetyError(`${commands.what} still on.`);
  try {
    return await session.urgent(async (link) => {
      cleared = await link.clear();
      await link.write(commands.off);
      afterOff();
      const reply = await link.queryUntil(
        commands.confirm,
        (line) => commands.state(line) !== undefined,
        timeoutMs,
      );
      if (commands.state(reply)) throw stillOn();
      return { confirmed: true, via: 'link' as const, cleared };
    });
  } catch (error) {
    const code = error instanceof ReramError ? error.code : 'INTERNAL';
    const linkFailed = code === 'CONNECTION_LOST' || code === 'TRANSPORT' || code === 'TIMEOUT';
    if (!linkFailed || !openSecondLink) {
      if (code === 'TIMEOUT') return { confirmed: false, via: 'link', cleared };
      throw error;
    }
  }
  const second = await openSecondLink();
  try {
    await second.write(commands.secondLink.off);
    if (await commands.secondLink.isOn(second)) throw stillOn();
    return { confirmed: true, via: 'second-link', cleared };
  } catch (error) {
    // Written on both links, confirmed on neither: the instrument is not answering.
    if (error instanceof ReramError && error.code === 'TIMEOUT')
      return { confirmed: false, via: 'second-link', cleared };
    throw error;
  } finally {
    await second.close();
  }
}
