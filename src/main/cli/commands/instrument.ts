import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { ProcedureParams } from '../../../shared/procedures';
import { PROCEDURES } from '../../../shared/run';
import { formatZodIssues } from '../../../shared/zod-format';
import { connectInstrument } from '../../instrument/connect';
import { installProcessSafety, safeAll } from '../../instrument/safety';
import { recordRun } from '../../services/recorder';
import { pointsToCsv } from '../../store/csv';
import { addConnectionOptions, connectionOptions } from '../connection-options';
import { openCliStore } from '../db';
import { EXIT, log, printJson, printLine, ProgressLine, UsageError } from '../output';
import { parseNumberOption } from '../parse';

/** Procedure options on the command line (commander's camelCase) and the parameter each sets. */
const PROCEDURE_OPTIONS = [
  'pulses',
  'cycles',
  'setV',
  'resetV',
  'width',
  'readV',
  'levels',
  'tolerance',
  'repeats',
  'vStop',
  'vPeak',
  'count',
] as const;
const kebab = (name: string) => `--${name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export function registerInstrumentCommands(program: Command): void {
  addConnectionOptions(
    program
      .command('idn')
      .argument('<resource>', 'ASRL/dev/ttyUSB0::INSTR or TCPIP::host::5025::SOCKET')
      .description('identify an instrument (*IDN?) and name the driver that would run it')
      .option('--json', 'machine-readable output'),
  ).action(async (resource: string, options: Record<string, unknown>) => {
    const connection = await connectInstrument(resource, connectionOptions(options));
    try {
      const info = {
        resource,
        ...connection.identity,
        driver: connection.smu.driver,
        virtual: connection.virtual,
      };
      if (options.json) printJson(info);
      else
        printLine(
          `${info.make} ${info.model}, serial ${info.serial}, firmware ${info.firmware} (driver ${info.driver}${info.virtual ? ', virtual SMU' : ''})`,
        );
    } finally {
      await connection.close();
    }
  });

  const characterize = program
    .command('characterize')
    .argument('<resource>', 'ASRL/dev/ttyUSB0::INSTR or TCPIP::host::5025::SOCKET')
    .description('run a procedure on a cell, storing every point in the database as it arrives')
    .requiredOption('--procedure <name>', PROCEDURES.join('|'))
    .option('--max-v <V>', 'largest |V| the run may apply (required for safety)', '3')
    .option('--compliance <A>', 'current compliance', '1e-3')
    .option('--cell <n>', 'cell index (virtual SMU: :SIM:CELL)', '0')
    .option('--nplc <n>', 'read integration time (power-line cycles)', '1')
    .option('--pulses <n>', 'pulse-train: pulses per direction')
    .option('--cycles <n>', 'pulse-train: LTP+LTD cycles')
    .option('--set-v <V>', 'pulse-train: potentiation pulse amplitude')
    .option('--reset-v <V>', 'pulse-train: depression pulse amplitude (negative)')
    .option('--width <s>', 'pulse width')
    .option('--read-v <V>', 'read voltage')
    .option('--levels <k>', 'write-verify: target levels')
    .option('--tolerance <f>', 'write-verify: acceptance band, fraction of the level spacing')
    .option('--repeats <r>', 'write-verify: repeats per level')
    .option('--v-stop <V>', 'forming: ramp end')
    .option('--v-peak <V>', 'set/reset: sweep peak')
    .option('--count <n>', 'read: number of reads')
    .option('--db <file>', 'SQLite database (default: the OS user-data folder)')
    .option('--out <file.csv>', 'also write the points as CSV')
    .option('--json', 'print the outcome as JSON');
  addConnectionOptions(characterize).action(async (resource: string, options: Record<string, unknown>) => {
    const raw: Record<string, unknown> = {
      procedure: options.procedure,
      maxVoltage: parseNumberOption(String(options.maxV), '--max-v'),
      compliance: parseNumberOption(String(options.compliance), '--compliance'),
      cell: parseNumberOption(String(options.cell), '--cell'),
      nplc: parseNumberOption(String(options.nplc), '--nplc'),
    };
    for (const option of PROCEDURE_OPTIONS) {
      if (options[option] !== undefined)
        raw[option] = parseNumberOption(String(options[option]), kebab(option));
    }
    const parsed = ProcedureParams.safeParse(raw);
    if (!parsed.success) throw new UsageError(`invalid parameters: ${formatZodIssues(parsed.error)}`);
    const params = parsed.data;
    const ignored = Object.keys(raw).filter((key) => !(key in params));
    if (ignored.length)
      throw new UsageError(
        `${ignored.map(kebab).join(', ')} does not apply to --procedure ${params.procedure}`,
      );

    const store = openCliStore(options.db as string | undefined);
    const connection = await connectInstrument(resource, connectionOptions(options));
    // Signals cancel the run (which then leaves the output off); a second signal, or a crash, switches everything off at once.
    installProcessSafety({ handleSignals: false, beforeExit: () => store.close() });
    const controller = new AbortController();
    let signals = 0;
    let firstSignal: NodeJS.Signals | undefined;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      firstSignal ??= signal;
      if (signals === 1) {
        log(`${signal}: cancelling the run…`);
        controller.abort();
      } else {
        void safeAll().finally(() => process.exit(EXIT.cancelled));
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const progress = new ProgressLine();
    log(
      `${connection.identity.make} ${connection.identity.model} at ${resource}: ${params.procedure} on cell ${params.cell}`,
    );
    try {
      const { runId, result } = await recordRun(store, connection, params, {
        signal: controller.signal,
        onRunCreated: (id) => log(`run ${id} in ${store.path}`),
        onProgress: (p) =>
          progress.update(
            `${params.procedure} ${p.done}/${p.total} (${Math.round((100 * p.done) / p.total)} %)${p.remainingS !== null ? `, ${Math.ceil(p.remainingS)} s left` : ''}${p.message ? ` — ${p.message}` : ''}`,
          ),
        log,
      });
      progress.done(
        `run ${runId} ${result.status}: ${result.points} points${result.error ? ` — ${result.error.message}` : ''}`,
      );
      if (options.out) {
        writeFileSync(String(options.out), pointsToCsv(store.getPoints(runId)));
        log(`points written to ${options.out}`);
      }
      if (options.json)
        printJson({
          runId,
          status: result.status,
          points: result.points,
          summary: result.summary,
          error: result.error ?? null,
        });
      else printLine(String(runId));
      process.exitCode =
        result.status === 'completed'
          ? EXIT.ok
          : result.status === 'cancelled'
            ? firstSignal === 'SIGTERM'
              ? EXIT.terminated
              : EXIT.cancelled
            : EXIT.failure;
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await connection.close();
      store.close();
    }
  });
}
