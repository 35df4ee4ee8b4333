/**
 * SCPI round-trip overhead: the median query round trip through our ScpiSession against a raw
 * `net` socket ping-pong to the same virtual-SMU process, interleaved in the same run.
 */
import { Socket } from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSession } from '../src/main/instrument/connect';
import { ScpiSession } from '../src/main/instrument/scpi/session';
import { TcpTransport } from '../src/main/instrument/transport/tcp';
import { UsbtmcTransport } from '../src/main/instrument/transport/usbtmc';
import { startPtyBridge } from '../src/main/virtual-smu/pty';
import { spawnSim } from '../test/helpers/sim';
import { fmt, median, report } from './harness';

const COMMAND = ':SIM:CELL?';

async function rawClient(port: number) {
  const socket = new Socket();
  socket.setNoDelay(true);
  await new Promise<void>((resolve) => socket.connect(port, '127.0.0.1', resolve));
  let buffer = '';
  let waiter: ((line: string) => void) | undefined;
  socket.on('data', (chunk) => {
    buffer += chunk.toString('latin1');
    const index = buffer.indexOf('\n');
    if (index >= 0 && waiter) {
      const line = buffer.slice(0, index);
      buffer = buffer.slice(index + 1);
      const w = waiter;
      waiter = undefined;
      w(line);
    }
  });
  return {
    query: (command: string) =>
      new Promise<string>((resolve) => {
        waiter = resolve;
        socket.write(`${command}\n`);
      }),
    close: () => socket.destroy(),
  };
}

/**
 * The other links, each a session to the same virtual SMU, reported as a ratio to the raw
 * socket: a real pty (RS-232), a Prologix-style GPIB adapter on TCP, a usbtmc-style device file
 * (a pty bridge), and VISA (a VISA-compatible library compiled here) — each adds its own hops.
 */
async function transportRoundTrips(
  sim: Awaited<ReturnType<typeof spawnSim>>,
  rounds: number,
  rawMedian: number,
): Promise<Array<[string, string]>> {
  const dir = mkdtempSync(join(tmpdir(), 'reram-bench-scpi-'));
  const library = join(dir, 'libfakevisa.so');
  execFileSync('cc', [
    '-shared',
    '-fPIC',
    '-O2',
    '-o',
    library,
    join(import.meta.dirname, '..', 'test', 'fixtures', 'fakevisa.c'),
  ]);
  process.env.RERAM_VISA_LIBRARY = library;
  process.env.FAKE_VISA_TARGET = `127.0.0.1:${sim.port}`;
  const bridge = await startPtyBridge({ host: '127.0.0.1', port: sim.port });
  const links: Array<[string, () => Promise<ScpiSession>]> = [
    ['serial pty (RS-232, CR)', () => openSession(sim.pty!)],
    [
      'GPIB via Prologix-style adapter (TCP)',
      () => openSession('GPIB0::24::INSTR', { gpibAdapter: sim.gpibAdapters[0]! }),
    ],
    [
      'usbtmc device file (pty)',
      async () => {
        const session = new ScpiSession(new UsbtmcTransport(bridge.path, 'USB0::0x05E6::0x2450::X::INSTR'));
        await session.open();
        return session;
      },
    ],
    ['VISA (VXI-11 resource, VISA-compatible library)', () => openSession('TCPIP::127.0.0.1::inst0::INSTR')],
  ];
  const rows: Array<[string, string]> = [];
  try {
    for (const [label, open] of links) {
      const session = await open();
      try {
        for (let k = 0; k < 50; k++) await session.query(COMMAND);
        const times: number[] = [];
        for (let k = 0; k < rounds; k++) {
          const t = performance.now();
          await session.query(COMMAND);
          times.push(performance.now() - t);
        }
        rows.push([
          `${label} median`,
          `${fmt(median(times) * 1000)} µs (${(median(times) / rawMedian).toFixed(2)}× raw socket)`,
        ]);
      } finally {
        await session.close();
      }
    }
  } finally {
    await bridge.close();
  }
  return rows;
}

export async function benchScpi(rounds = 3000): Promise<void> {
  const sim = await spawnSim(['--time-scale', '0', '--pty', '--gpib', '24']);
  try {
    const session = new ScpiSession(new TcpTransport('127.0.0.1', sim.port));
    await session.open();
    const raw = await rawClient(sim.port);
    for (let k = 0; k < 300; k++) {
      await session.query(COMMAND);
      await raw.query(COMMAND);
    }
    const ours: number[] = [];
    const bare: number[] = [];
    for (let k = 0; k < rounds; k++) {
      let t = performance.now();
      await session.query(COMMAND);
      ours.push(performance.now() - t);
      t = performance.now();
      await raw.query(COMMAND);
      bare.push(performance.now() - t);
    }
    raw.close();
    await session.close();
    const transports = await transportRoundTrips(sim, Math.min(rounds, 500), median(bare));
    const ratio = median(ours) / median(bare);
    report(
      `SCPI round trip (${rounds} × '${COMMAND}', virtual SMU process on loopback, time scale 0)`,
      [
        ['ScpiSession median', `${fmt(median(ours) * 1000)} µs`],
        ['raw net socket median', `${fmt(median(bare) * 1000)} µs`],
        ...transports,
      ],
      { ratio, target: '≤ 1.5×', pass: ratio <= 1.5 },
    );
  } finally {
    await sim.stop();
  }
}
