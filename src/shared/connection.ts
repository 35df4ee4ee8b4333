/**
 * How to reach an instrument, declared once (labels, units, ranges, defaults, help): the
 * Instrument page's form, the `instrument.connect` API and the CLI's connection flags all come
 * from here. Time values are bounded so no timer can overflow.
 */
import { z } from 'zod';
import { param } from './params';
import { MatrixWiringFields } from './switch-matrix';

const terminator = z.enum(['CR', 'LF', 'CRLF', 'NUL']);

export const ConnectionSettings = z.object({
  baudRate: param(z.number().int().min(300).max(4_000_000).default(9600), {
    label: 'Baud rate',
    help: 'serial: must match the instrument (2400 factory setting 9600)',
    flag: 'baud',
  }),
  dataBits: param(z.number().int().min(7).max(8).default(8), {
    label: 'Data bits',
    help: 'serial: 7 or 8 (7 needs even or odd parity)',
    advanced: true,
  }),
  parity: param(z.enum(['none', 'even', 'odd']).default('none'), {
    label: 'Parity',
    help: 'serial',
    advanced: true,
  }),
  stopBits: param(z.number().int().min(1).max(2).default(1), {
    label: 'Stop bits',
    help: 'serial',
    advanced: true,
  }),
  flow: param(z.enum(['none', 'xonxoff']).default('none'), {
    label: 'Flow control',
    help: 'serial: none or XON/XOFF (the 2400 has no hardware handshake)',
    advanced: true,
  }),
  writeTerminator: param(terminator.optional(), {
    label: 'Write terminator',
    help: "ends each command: CR on RS-232 (the 2400 executes on CR), LF on LAN/USB/GPIB, NUL on the 4200A's KXCI port 1225",
    advanced: true,
    flag: 'write-term',
  }),
  readTerminator: param(terminator.optional(), {
    label: 'Read terminator',
    help: "ends each reply: the instrument's TERMINATOR setting on RS-232 (factory CR), NUL on KXCI (LAN port 1225), LF elsewhere",
    advanced: true,
    flag: 'read-term',
  }),
  timeoutMs: param(z.number().int().min(10).max(600_000).default(5000), {
    label: 'Timeout',
    unit: 'ms',
    help: 'per query (10 ms – 10 min); slow readings get more on top',
    flag: 'timeout',
  }),
  gpibAdapter: param(z.string().trim().min(1).max(300).optional(), {
    label: 'GPIB adapter',
    help: 'GPIB resources: the Prologix-style adapter (ASRL/dev/ttyUSB0::INSTR or TCPIP::host::1234::SOCKET)',
    advanced: true,
  }),
  smuChannel: param(z.enum(['a', 'b']).default('a'), {
    label: 'SMU channel',
    help: 'two-channel Keithley 2600B (2602B, 2612B, 2636B…): smua or smub; other models have one',
    advanced: true,
    flag: 'channel',
  }),
  smuSlot: param(z.number().int().min(1).max(10).optional(), {
    label: 'SMU slot',
    help: 'Keysight B1500A: the slot of the SMU module wired to the cell (1–10), default the first SMU UNT? lists; Keithley 4200A: the SMU number (SMU1 is 1), default the first SMU *OPT? lists',
    advanced: true,
    flag: 'slot',
  }),
  ...MatrixWiringFields,
});
export type ConnectionSettings = z.output<typeof ConnectionSettings>;
