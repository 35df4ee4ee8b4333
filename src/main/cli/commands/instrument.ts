import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { PROCEDURE_SCHEMAS, ProcedureParams } from '../../../shared/procedures';
import { flagName } from '../../../shared/params';
import { PROCEDURES } from '../../../shared/run';
import {
  connectInstrument,
  installProcessSafety,
  safeAll,
  switchOffConfirmed,
  type Smu,
} from '../../services/bench';
import { findResources } from '../../services/discovery';
import { recordRun } from '../../services/recorder';
import { pointsToCsv } from '../../services/exports';
import { sampleLabel } from '../../../shared/cell-guard';
import { cellHarmWarnings, GENERIC_COMPLIANCE_CEILING } from '../../../shared/procedure-checks';
import { addSampleOptions, openBench } from '../sample-options';
import { addConnectionOptions, connectionOptions } from '../connection-options';
import { EXIT, formatTable, log, printJson, printLine, ProgressLine, UsageError } from '../output';
import { parseNumberOption } from '../parse';
import { addSchemaOptions, readSchemaOptions, unionFields, usageFromZod } from '../schema-options';

const PROCEDURE_FIELDS = unionFields(
  Object.values(PROCEDURE_SCHEMAS).map((p) => p.schema),
  ['procedure'],
);

/**
 * "Output off" was sent but not confirmed (the instrument is stalled): keep the link open and
 * keep asking, so the user learns when it is really off — or that they must go and switch it off.
 */
async function waitForOff(smu: Smu, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  log(`waiting up to ${seconds} s for the instrument to confirm its output is off (Ctrl-C stops waiting)…`);
  while (Date.now() < deadline && smu.connected) {
    try {
      const report = await switchOffConfirmed(smu, Math.min(5000, Math.max(500, deadline - Date.now())));
      log(`output off confirmed (${report.via === 'link' ? 'on the same link' : 'over a second link'})`);
      return true;
    } catch {
      // still not answering
    }
  }
  return false;
}

/** Everything a bench could be reached through, as `pyvisa-shell list` shows it. */
async function listResources(options: { gpibAdapter?: string; json?: boolean }): Promise<void> {
  const found = await findResources(options.gpibAdapter ? { gpibAdapter: options.gpibAdapter } : {});
  if (options.json) return printJson(found);
  printLine(
    found.resources.length
      ? formatTable(
          ['resource', 'via', 'detail'],
          found.resources.map((r) => [r.resource, r.via, r.detail]),
        )
      : 'No instruments found.',
  );
  if (found.serialWarning) log(`note: ${found.serialWarning}`);
  if (!found.visaLibrary)
    log(
      'note: no VISA library installed: GPIB through VISA, VXI-11 and HiSLIP are not listed (GPIB adapters: --gpib-adapter).',
    );
}

export function registerInstrumentCommands(program: Command): void {
  registerListCommand(program);

  addConnectionOptions(
    program
      .command('idn')
      .argument(
        '<resource>',
        'ASRL/dev/ttyUSB0::INSTR, TCPIP::host::5025::SOCKET, GPIB0::24::INSTR, USB0::…::INSTR',
      )
      .description('identify an instrument (*IDN?) and name the driver that would run it')
      .option('--json', 'machine-readable output'),
  ).action(async (resource: string, options: Record<string, unknown>) => {
    const smu = await connectInstrument(resource, connectionOptions(options));
    try {
      const info = { resource, ...smu.identity, driver: smu.driver, virtual: smu.virtual };
      if (options.json) printJson(info);
      else
        printLine(
          `${info.make} ${info.model}, serial ${info.serial}, firmware ${info.firmware} (driver ${info.driver}${info.virtual ? ', virtual SMU' : ''})`,
        );
    } finally {
      await smu.close();
    }
  });

  const characterize = program
    .command('characterize')
    .argument(
      '<resource>',
      'ASRL/dev/ttyUSB0::INSTR, TCPIP::host::5025::SOCKET, GPIB0::24::INSTR, USB0::…::INSTR',
    )
    .description('run a procedure on a cell, storing every point in the database as it arrives')
    .requiredOption('--procedure <name>', PROCEDURES.join('|'));
  addSchemaOptions(characterize, PROCEDURE_FIELDS)
    .option('--off-wait <s>', 'if "output off" is not confirmed, keep asking this long (0–3600 s)', '60')
    .option('--db <file>', 'SQLite database (default: the OS user-data folder)')
    .option('--out <file.csv>', 'also write the points as CSV')
    .option('--json', 'print the outcome as JSON')
    .option(
      '--acknowledge-cell-state',
      "run even though the cell's recorded state says not to (forming a formed cell, programming an unformed one)",
    );
  addSampleOptions(characterize);
  addConnectionOptions(characterize).action(characterizeAction);
}

async function characterizeAction(resource: string, options: Record<string, unknown>) {
  const procedure = String(options.procedure);
  const entry = Object.hasOwn(PROCEDURE_SCHEMAS, procedure)
    ? PROCEDURE_SCHEMAS[procedure as keyof typeof PROCEDURE_SCHEMAS]
    : undefined;
  if (!entry) throw new UsageError(`--procedure must be one of ${PROCEDURES.join(', ')}, got '${procedure}'`);
  const raw = { procedure, ...readSchemaOptions(options, PROCEDURE_FIELDS) };
  const ownKeys = new Set(Object.keys(entry.schema.shape));
  const foreign = Object.keys(raw).filter((key) => !ownKeys.has(key));
  if (foreign.length)
    throw new UsageError(
      `${foreign.map((key) => flagName(key, PROCEDURE_FIELDS.find((f) => f.key === key)?.meta)).join(', ')} does not apply to --procedure ${procedure}`,
    );
  const parsed = ProcedureParams.safeParse(raw);
  if (!parsed.success) throw usageFromZod(parsed.error, PROCEDURE_FIELDS);
  const params = parsed.data;
  for (const warning of cellHarmWarnings(params, GENERIC_COMPLIANCE_CEILING))
    log(`warning: ${warning.message}`);
  const offWait = parseNumberOption(String(options.offWait), '--off-wait');
  if (!(offWait >= 0 && offWait <= 3600)) throw new UsageError('--off-wait must be between 0 and 3600 s');

  const { store, smu, sample } = await openBench(resource, options);
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
    `${smu.identity.make} ${smu.identity.model} at ${resource}: ${params.procedure} on cell ${params.cell}`,
  );
  log(`sample: ${sampleLabel(sample)}`);
  try {
    const { runId, result } = await recordRun(store, smu, params, sample, {
      acknowledgeCellState: options.acknowledgeCellState === true,
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
    let offConfirmed = result.error?.code !== 'SAFETY';
    if (!offConfirmed && offWait > 0 && signals === 0) offConfirmed = await waitForOff(smu, offWait);
    if (!offConfirmed) log('THE OUTPUT MAY STILL BE ON: switch it off at the instrument.');
    if (options.out) {
      writeFileSync(String(options.out), pointsToCsv(store.runs.getPoints(runId)));
      log(`points written to ${options.out}`);
    }
    if (options.json)
      printJson({
        runId,
        status: result.status,
        points: result.points,
        outputOffConfirmed: offConfirmed,
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
    await smu.close();
    store.close();
  }
}

function registerListCommand(program: Command): void {
  program
    .command('list')
    .description(
      "list the resources instruments can be reached through: serial ports, usbtmc devices, a GPIB adapter's bus, VISA",
    )
    .option(
      '--gpib-adapter <resource>',
      'also ask every address on the bus behind this Prologix-style adapter',
    )
    .option('--json', 'machine-readable output')
    .action((options: { gpibAdapter?: string; json?: boolean }) => listResources(options));
}
