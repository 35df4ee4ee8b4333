import type { Command } from 'commander';
import { ConnectionSettings } from '../../shared/connection';
import { fieldsOf } from '../../shared/params';
import { toConnectOptions, type ConnectOptions } from '../services/bench';
import { log, UsageError } from './output';
import { addSchemaOptions, readSchemaOptions, usageFromZod } from './schema-options';

const FIELDS = fieldsOf(ConnectionSettings);

export function addConnectionOptions(command: Command): Command {
  return addSchemaOptions(command, FIELDS)
    .option('--term <t>', 'both terminators at once: CR|LF|CRLF|NUL (--write-term/--read-term win)')
    .option('--verbose', 'log SCPI traffic to stderr');
}

export function connectionOptions(options: Record<string, unknown>): ConnectOptions {
  const raw = readSchemaOptions(options, FIELDS);
  if (options.term !== undefined) {
    const term = String(options.term).toUpperCase();
    if (!['CR', 'LF', 'CRLF', 'NUL'].includes(term))
      throw new UsageError('--term must be CR, LF, CRLF or NUL');
    raw.writeTerminator ??= term;
    raw.readTerminator ??= term;
  }
  const parsed = ConnectionSettings.safeParse(raw);
  if (!parsed.success) throw usageFromZod(parsed.error, FIELDS);
  try {
    return toConnectOptions(
      parsed.data,
      options.verbose ? (direction, text) => log(`scpi ${direction} ${text}`) : undefined,
    );
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
