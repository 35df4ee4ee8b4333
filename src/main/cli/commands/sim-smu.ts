import type { Command } from 'commander';
import { DEVICE_PRESETS, findPreset } from '../../../shared/levels/presets';
import { Die } from '../../virtual-smu/die';
import { findSmuModel, K4200_KXCI, SMU_MODEL_IDS, SMU_MODEL_LIST } from '../../services/bench';
import { startPtyBridge } from '../../virtual-smu/pty';
import { startPrologixEmulator } from '../../virtual-smu/prologix';
import { startSimServer, type SimServer } from '../../virtual-smu/server';
import { startMatrixServer, type MatrixServer } from '../../virtual-smu/matrix';
import { K707_COLUMNS_PER_SLOT, K707_ROWS, wiringProblem } from '../../../shared/switch-matrix';
import { log, printLine, UsageError } from '../output';
import { parseListen, parseNonNegative, parsePositiveInt } from '../parse';

const TERMINATORS: Record<string, string> = { CR: '\r', LF: '\n', CRLF: '\r\n' };

export function registerSimSmu(program: Command): void {
  program
    .command('sim-smu')
    .description(
      `run the virtual SMU: simulated ReRAM cells behind the interface of a ${SMU_MODEL_LIST.map((m) => m.info.label).join(', ')}`,
    )
    .option('--model <model>', `instrument dialect: ${SMU_MODEL_IDS.join('|')} (any case)`, '2400')
    .option('--listen <host:port>', 'TCP address (LAN raw socket); port 0 picks a free one', '127.0.0.1:5025')
    .option('--pty', 'also serve on a pseudo-terminal through socat (serial path)')
    .option('--pty-link <path>', 'path of the pty link (default: a temp path)')
    .option('--term <CR|LF|CRLF>', "reply terminator on the pty (the 2400's RS-232 TERMINATOR setting)", 'CR')
    .option('--language <SCPI|SCPI2400|TSP>', '2450: the command set *LANG? reports', 'SCPI')
    .option(
      '--interlock <asserted|open>',
      'the safety interlock line (fixture lid closed or open)',
      'asserted',
    )
    .option(
      '--gpib <address>',
      'also put the instrument on GPIB at this address, behind a Prologix-style adapter on TCP',
    )
    .option('--gpib-pty', 'with --gpib: also offer the adapter as a USB serial port (a pty), like a GPIB-USB')
    .option(
      '--matrix <host:port>',
      'also serve a Keysight B2200A switch matrix in front of the die (its cells a crossbar of pads)',
    )
    .option('--matrix-rows <n>', 'with --matrix: row pads (columns = cells / rows); default √cells')
    .option(
      '--matrix-model <model>',
      'with --matrix: b2200a (Keysight, SCPI) or 707b (Keithley, TSP; one 8×12 card in slot 1)',
      'b2200a',
    )
    .option(
      '--drift <nu>',
      'retention drift: median ν of G(t) = G₀·(t/t₀)^−ν (log-normal over cells); default none',
    )
    .option('--preset <name>', `device preset: ${DEVICE_PRESETS.map((p) => p.name).join(', ')}`, 'AlOx/HfO2')
    .option('--cells <n>', 'cells on the die (select with :SIM:CELL n)', '16')
    .option('--seed <n>', 'random seed (same seed, same cells and noise)', '1')
    .option('--time-scale <x>', 'wall seconds per instrument second (0: instant)', '1')
    .option('--noise-scale <x>', 'scale cycle-to-cycle and read noise (0: noiseless)', '1')
    .option('--d2d-scale <x>', 'scale device-to-device variation (0: identical cells)', '1')
    .option(
      '--endurance <cycles>',
      "wear: median SET/RESET cycles to a 50 % window (log-normal over cells, σ_ln 0.3); 'none' for no wear",
      '10000',
    )
    .action(simSmuAction);
}

async function simSmuAction(options: SimSmuOptions): Promise<void> {
  const model = findSmuModel(String(options.model))?.info.id;
  if (!model)
    throw new UsageError(`--model must be one of ${SMU_MODEL_IDS.join(', ')}, got '${options.model}'`);
  const language = String(options.language).toUpperCase();
  if (!['SCPI', 'SCPI2400', 'TSP'].includes(language))
    throw new UsageError('--language must be SCPI, SCPI2400 or TSP');
  const interlock = String(options.interlock).toLowerCase();
  if (!['asserted', 'open'].includes(interlock)) throw new UsageError('--interlock must be asserted or open');
  const preset = findPreset(String(options.preset));
  if (!preset)
    throw new UsageError(
      `unknown --preset '${options.preset}'; choose from ${DEVICE_PRESETS.map((p) => p.name).join(', ')}`,
    );
  const term = TERMINATORS[String(options.term).toUpperCase()];
  if (!term) throw new UsageError('--term must be CR, LF or CRLF');
  if (options.pty && model !== '2400') {
    throw new UsageError(
      `the ${findSmuModel(model)!.info.label} has no RS-232 port here; --pty emulates the 2400 only`,
    );
  }
  const { host, port } = parseListen(String(options.listen));
  const seed = parsePositiveInt(String(options.seed), '--seed', 0);
  const die = new Die({
    preset,
    cells: parsePositiveInt(String(options.cells), '--cells', 1),
    seed,
    noiseScale: parseNonNegative(String(options.noiseScale), '--noise-scale'),
    d2dScale: parseNonNegative(String(options.d2dScale), '--d2d-scale'),
    ...(options.drift !== undefined ? { driftNu: parseNonNegative(String(options.drift), '--drift') } : {}),
    ...(String(options.endurance).toLowerCase() === 'none'
      ? {}
      : { enduranceCycles: parsePositiveInt(String(options.endurance), '--endurance', 1) }),
  });
  const serial = `SIM${String(seed).padStart(5, '0')}`;
  const server = await startSimServer({
    model,
    die,
    host,
    port,
    serial,
    timeScale: parseNonNegative(String(options.timeScale), '--time-scale'),
    language,
    interlockAsserted: interlock === 'asserted',
    ...(options.pty ? { serialTerminator: term } : {}),
    log: (message) => log(`sim-smu: ${message}`),
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE')
      throw new UsageError(`${host}:${port} is in use; pick another with --listen (port 0 picks a free one)`);
    throw error;
  });
  log(
    `sim-smu: ${model} with ${die.cells.length} ${preset.name} cells (seed ${seed}) listening on ${host}:${server.port}`,
  );
  // KXCI is NUL-terminated; clients default to NUL only on its own port, 1225.
  if (model === '4200a' && server.port !== K4200_KXCI.port)
    log('sim-smu: KXCI ends messages with NUL: connect with --term NUL (or listen on port 1225)');
  printLine(server.resource);
  const pty = options.pty
    ? await startPtyBridge({
        host,
        port: server.serialPort!,
        ...(options.ptyLink ? { link: String(options.ptyLink) } : {}),
        log: (m) => log(`sim-smu: ${m}`),
      })
    : undefined;
  if (pty) {
    log(`sim-smu: serial on pty ${pty.path}`);
    printLine(`ASRL${pty.path}::INSTR`);
  }
  const gpib = options.gpib !== undefined ? await startGpibAdapter(options, server, host) : undefined;
  const matrix = options.matrix !== undefined ? await startMatrix(options, server, die) : undefined;
  await new Promise<void>((resolve) => {
    const stop = () => {
      void Promise.all([pty?.close(), gpib?.pty?.close(), gpib?.adapter.close(), matrix?.close()])
        .then(() => server.close())
        .finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

type SimSmuOptions = Record<string, string | boolean | undefined>;

/** --gpib: the instrument on a GPIB bus behind a Prologix-style adapter on TCP (and a pty, --gpib-pty). */
async function startGpibAdapter(options: SimSmuOptions, server: SimServer, host: string) {
  const address = parsePositiveInt(String(options.gpib), '--gpib', 0);
  if (address > 30) throw new UsageError('--gpib must be a GPIB address 0–30');
  const adapter = await startPrologixEmulator({
    device: server.gpib(),
    address,
    host,
    flavour: options.gpibPty ? 'usb' : 'ethernet',
    log: (m) => log(`sim-smu: ${m}`),
  });
  log(`sim-smu: GPIB address ${address} behind a Prologix-style adapter at ${adapter.resource}`);
  printLine(`GPIB-ADAPTER ${adapter.resource}`);
  if (!options.gpibPty) return { adapter, pty: undefined };
  const pty = await startPtyBridge({ host, port: adapter.port, log: (m) => log(`sim-smu: ${m}`) });
  printLine(`GPIB-ADAPTER ASRL${pty.path}::INSTR`);
  return { adapter, pty };
}

/** --matrix: a switch matrix in front of the die, its cells a crossbar of row and column pads. */
async function startMatrix(options: SimSmuOptions, server: SimServer, die: Die): Promise<MatrixServer> {
  const cells = die.cells.length;
  const rows =
    options.matrixRows !== undefined
      ? parsePositiveInt(String(options.matrixRows), '--matrix-rows', 1)
      : Math.round(Math.sqrt(cells));
  if (cells % rows !== 0)
    throw new UsageError(`--cells ${cells} is not a ${rows}-row crossbar; set --matrix-rows`);
  const wiring = { rows, columns: cells / rows, hiInput: 1, loInput: 2 };
  const matrixModel = String(options.matrixModel).toLowerCase();
  if (matrixModel !== 'b2200a' && matrixModel !== '707b')
    throw new UsageError(`--matrix-model must be b2200a or 707b, got '${String(options.matrixModel)}'`);
  const problem =
    matrixModel === '707b' ? wiringProblem(wiring, K707_COLUMNS_PER_SLOT, K707_ROWS) : wiringProblem(wiring);
  if (problem) throw new UsageError(`--matrix: ${problem}`);
  const where = parseListen(String(options.matrix));
  const matrix = await startMatrixServer({
    instrument: server.instrument,
    wiring,
    model: matrixModel,
    host: where.host,
    port: where.port,
    log: (m) => log(`sim-smu: matrix: ${m}`),
  });
  log(
    `sim-smu: ${matrixModel === '707b' ? '707B' : 'B2200A'} at ${where.host}:${matrix.port}: rows on outputs 1–${rows}, columns on ${rows + 1}–${rows + wiring.columns}, SMU HI on input 1, LO on input 2`,
  );
  printLine(`MATRIX ${matrix.resource}`);
  return matrix;
}
