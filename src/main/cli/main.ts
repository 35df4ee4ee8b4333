import { Command, CommanderError } from 'commander';
import { ReramError } from '../../shared/errors';
import { appVersion } from '../paths';
import { registerDoctor } from './commands/doctor';
import { registerServe } from './commands/serve';
import { registerSimSmu } from './commands/sim-smu';
import { registerInstrumentCommands } from './commands/instrument';
import { registerDataCommands } from './commands/data';
import { registerPredictCommands } from './commands/predict';
import { registerPlace } from './commands/place';
import { registerDemo } from './commands/demo';
import { registerSweepCommands } from './commands/sweep';
import { registerRun } from './commands/run';
import { registerStats } from './commands/stats';
import { setGlobalDb } from './db';
import { EXIT, log, UsageError } from './output';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('reram-bench')
    .description(
      'Characterize ReRAM cells on a source-measure unit, fit level tables and predict\n' +
        'neural-network accuracy on a ReRAM crossbar (linear vs MES quantization).',
    )
    .version(appVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    // A subcommand's options belong to it (sweep --out vs sweep merge --out).
    .enablePositionalOptions()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) })
    .option('--db <file>', 'SQLite database for the command (also taken after the command name)')
    .hook('preAction', (root) => setGlobalDb(root.opts<{ db?: string }>().db))
    .exitOverride();
  registerDoctor(program);
  registerServe(program);
  registerSimSmu(program);
  registerInstrumentCommands(program);
  registerDataCommands(program);
  registerPredictCommands(program);
  registerPlace(program);
  registerSweepCommands(program);
  registerRun(program);
  registerStats(program);
  registerDemo(program);
  return program;
}

export async function runCli(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end through exitOverride with exit code 0.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof UsageError) {
      log(`error: ${error.message}`);
      return EXIT.usage;
    }
    if (error instanceof ReramError) {
      log(`error: ${error.message}`);
      if (error.details?.cellGuard !== undefined)
        log('(to run it anyway, add --acknowledge-cell-state; a queue skips or asks, as its recipe says)');
      return error.code === 'CANCELLED'
        ? EXIT.cancelled
        : error.code === 'INVALID_INPUT' || error.code === 'OUT_OF_RANGE'
          ? EXIT.usage
          : EXIT.failure;
    }
    // Not a failure we anticipated: one line for the user, the stack only when asked for.
    const message = error instanceof Error ? error.message : String(error);
    log(`error: ${message}`);
    if (process.env.RERAM_DEBUG) log((error as Error).stack ?? '');
    else log('(this looks like a bug in ReRAM Bench; RERAM_DEBUG=1 shows the details)');
    return EXIT.failure;
  }
}
