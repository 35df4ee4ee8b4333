import type { Command } from 'commander';
import type { ConnectOptions } from '../instrument/connect';
import type { Terminator } from '../instrument/transport/resource';
import { log, UsageError } from './output';
import { parsePositiveInt } from './parse';

export function addConnectionOptions(command: Command): Command {
  return command
    .option('--baud <n>', 'serial: baud rate', '9600')
    .option('--data-bits <n>', 'serial: 7 or 8', '8')
    .option('--parity <p>', 'serial: none|even|odd', 'none')
    .option('--stop-bits <n>', 'serial: 1 or 2', '1')
    .option('--flow <f>', 'serial: none|xonxoff (the 2400 has no hardware flow control)', 'none')
    .option('--term <t>', 'terminator: CR|LF|CRLF (must match the instrument)', 'LF')
    .option('--timeout <ms>', 'per-query timeout in ms', '5000')
    .option('--verbose', 'log SCPI traffic to stderr');
}

export function connectionOptions(options: Record<string, unknown>): ConnectOptions {
  const dataBits = Number(options.dataBits);
  const stopBits = Number(options.stopBits);
  const parity = String(options.parity);
  const flow = String(options.flow);
  const term = String(options.term).toUpperCase();
  if (dataBits !== 7 && dataBits !== 8) throw new UsageError('--data-bits must be 7 or 8');
  if (stopBits !== 1 && stopBits !== 2) throw new UsageError('--stop-bits must be 1 or 2');
  if (!['none', 'even', 'odd'].includes(parity)) throw new UsageError('--parity must be none, even or odd');
  if (!['none', 'xonxoff'].includes(flow)) throw new UsageError('--flow must be none or xonxoff');
  if (!['CR', 'LF', 'CRLF'].includes(term)) throw new UsageError('--term must be CR, LF or CRLF');
  return {
    serial: {
      baudRate: parsePositiveInt(String(options.baud), '--baud', 50),
      dataBits,
      stopBits,
      parity: parity as 'none' | 'even' | 'odd',
      flow: flow as 'none' | 'xonxoff',
    },
    terminator: term as Terminator,
    timeoutMs: parsePositiveInt(String(options.timeout), '--timeout', 10),
    ...(options.verbose
      ? { log: (direction: string, text: string) => log(`scpi ${direction} ${text}`) }
      : {}),
  };
}
