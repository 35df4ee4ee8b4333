/**
 * SCPI round-trip overhead: the median query round trip through our ScpiSession against a raw
 * `net` socket ping-pong to the same virtual-SMU process, interleaved in the same run.
 */
import { Socket } from 'node:net';
import { ScpiSession } from '../src/main/instrument/scpi/session';
import { TcpTransport } from '../src/main/instrument/transport/tcp';
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

export async function benchScpi(rounds = 3000): Promise<void> {
  const sim = await spawnSim(['--time-scale', '0']);
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
    const ratio = median(ours) / median(bare);
    report(
      `SCPI round trip (${rounds} × '${COMMAND}', virtual SMU process on loopback, time scale 0)`,
      [
        ['ScpiSession median', `${fmt(median(ours) * 1000)} µs`],
        ['raw net socket median', `${fmt(median(bare) * 1000)} µs`],
      ],
      { ratio, target: '≤ 1.5×', pass: ratio <= 1.5 },
    );
  } finally {
    await sim.stop();
  }
}
