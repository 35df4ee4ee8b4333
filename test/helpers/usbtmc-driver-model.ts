/**
 * The Linux usbtmc driver's read semantics (drivers/usb/class/usbtmc.c), over a TCP link to the
 * virtual SMU, for the transport's tests where no USB-TMC hardware exists:
 * - every read() sends a new REQUEST_DEV_DEP_MSG_IN with a new bTag and waits the driver's
 *   timeout (5000 ms unless USBTMC_IOCTL_SET_TIMEOUT changed it), then fails with ETIMEDOUT;
 * - the device answers requests in order; an answer that arrives for an older bTag than the
 *   read waiting for it is rejected, and that read returns 0 bytes;
 * - USBTMC_IOCTL_ABORT_BULK_IN discards the answer to every request still outstanding;
 * - USBTMC_IOCTL_MSG_IN_ATTR says whether the last read ended the message (EOM);
 * - USBTMC_IOCTL_CLEAR clears the device.
 * Every call is logged, so a test can check what the transport asked of the driver.
 */
import { Socket } from 'node:net';
import { USBTMC_IOCTL, type UsbtmcDeviceFile } from '../../src/main/instrument/transport/usbtmc';

export interface UsbtmcDriverModel extends UsbtmcDeviceFile {
  log: string[];
  /** The next read gets a stray answer under a wrong bTag (a device or hub glitch): 0 bytes. */
  strayAnswer(): void;
}

export async function openUsbtmcModel(port: number): Promise<UsbtmcDriverModel> {
  const socket = new Socket();
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, '127.0.0.1', () => resolve());
  });
  const log: string[] = [];
  let timeoutMs = 5000;
  let nextTag = 1;
  /** Requests sent and not yet answered, oldest first; `discard` after an abort. */
  const outstanding: Array<{ tag: number; discard: boolean }> = [];
  const answers: Array<{ tag: number; data: Buffer }> = [];
  let partial = Buffer.alloc(0);
  let wake: (() => void) | undefined;
  let eom = false;
  let stray = false;
  socket.on('data', (chunk: Buffer) => {
    partial = Buffer.concat([partial, chunk]);
    for (let end = partial.indexOf(0x0a); end >= 0; end = partial.indexOf(0x0a)) {
      const message = partial.subarray(0, end + 1);
      partial = partial.subarray(end + 1);
      const request = outstanding.shift();
      if (!request || request.discard) continue;
      answers.push({ tag: request.tag, data: Buffer.from(message) });
    }
    wake?.();
  });
  return {
    log,
    strayAnswer: () => void (stray = true),
    async read(buffer) {
      const tag = nextTag++;
      log.push(`read tag=${tag} timeout=${timeoutMs}`);
      if (stray) {
        stray = false;
        log.push(`read tag=${tag} got a stray answer: rejected, 0 bytes`);
        return 0;
      }
      outstanding.push({ tag, discard: false });
      const deadline = Date.now() + timeoutMs;
      while (answers.length === 0 && Date.now() < deadline) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, Math.max(1, deadline - Date.now()));
        });
        wake = undefined;
      }
      const answer = answers.shift();
      if (!answer) {
        log.push(`read tag=${tag} ETIMEDOUT`);
        throw Object.assign(new Error('Connection timed out'), { code: 'ETIMEDOUT' });
      }
      if (answer.tag !== tag) {
        // The answer to an older request: "wrong bTag", and this read's own request stays outstanding.
        log.push(`read tag=${tag} got tag=${answer.tag}: rejected, 0 bytes`);
        return 0;
      }
      const n = Math.min(buffer.length, answer.data.length);
      answer.data.copy(buffer, 0, 0, n);
      eom = n === answer.data.length;
      if (!eom) answers.unshift({ tag, data: answer.data.subarray(n) });
      return n;
    },
    async write(data) {
      log.push(`write ${data.toString('latin1').trim()}`);
      socket.write(data);
    },
    async ioctl(request, arg) {
      if (request === USBTMC_IOCTL.SET_TIMEOUT) {
        timeoutMs = arg!.readUInt32LE(0);
        log.push(`ioctl SET_TIMEOUT ${timeoutMs}`);
      } else if (request === USBTMC_IOCTL.ABORT_BULK_IN) {
        for (const r of outstanding) r.discard = true;
        answers.length = 0;
        log.push('ioctl ABORT_BULK_IN');
      } else if (request === USBTMC_IOCTL.MSG_IN_ATTR) {
        arg!.writeUInt8(eom ? 1 : 0, 0);
      } else if (request === USBTMC_IOCTL.CLEAR) {
        log.push('ioctl CLEAR');
      } else return -1;
      return 0;
    },
    async close() {
      socket.destroy();
    },
  };
}
