/**
 * Any VISA resource through the VISA shared library already installed on the machine (NI-VISA,
 * Keysight IO Libraries, R&S VISA), called through koffi: GPIB, USB, VXI-11 (TCPIP::host::INSTR)
 * and HiSLIP, as PyVISA reaches them. Reads run on koffi's worker threads, so a slow instrument
 * never blocks the event loop; a read that hits VISA's timeout is simply asked again while the
 * session still waits. Without a VISA library these resources get an error naming what to install.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ReramError } from '../../../shared/errors';
import { ConnectionLostError, TransportError } from '../errors';
import { ReadRequests, type Transport, type TransportHandlers } from './transport';

const VI_SUCCESS_MAX_CNT = 0x3fff0006;
const VI_ERROR_TMO = 0xbfff0015 | 0;
const VI_ERROR_RSRC_NFOUND = 0xbfff0011 | 0;
const VI_ERROR_CONN_LOST = 0xbfff00a6 | 0;
const VI_ATTR_TMO_VALUE = 0x3fff001a;
const VI_ATTR_TERMCHAR = 0x3fff0018;
const VI_ATTR_TERMCHAR_EN = 0x3fff0038;
const READ_CHUNK = 64 * 1024;

type Async = (...args: unknown[]) => void;
interface VisaFunctions {
  viOpenDefaultRM(rm: number[]): number;
  viOpen: ((rm: number, name: string, mode: number, timeout: number, vi: number[]) => number) & {
    async: Async;
  };
  viClose: ((vi: number) => number) & { async: Async };
  viWrite: ((vi: number, buf: Buffer, count: number, ret: number[]) => number) & { async: Async };
  viRead: ((vi: number, buf: Buffer, count: number, ret: number[]) => number) & { async: Async };
  viSetAttribute: ((vi: number, attribute: number, value: number) => number) & { async: Async };
  viClear: ((vi: number) => number) & { async: Async };
  viFindRsrc(rm: number, expr: string, list: number[], count: number[], desc: Buffer): number;
  viFindNext(list: number, desc: Buffer): number;
  viStatusDesc(vi: number, status: number, desc: Buffer): number;
}

export interface VisaLibrary {
  path: string;
  fns: VisaFunctions;
  rm: number;
}

/**
 * The VISA libraries the dynamic linker knows (`ldconfig -p`): NI-VISA's libvisa, Keysight IO
 * Libraries' libiovisa (and libktvisa32), R&S VISA's librsvisa; 64-bit entries first.
 */
export function visaLibrariesFromLdconfig(output: string): string[] {
  const found: Array<{ path: string; wide: boolean }> = [];
  for (const line of output.split('\n')) {
    const match = /^\s*(lib(?:visa|iovisa|ktvisa32|rsvisa)\.so[.\d]*)\s+\(([^)]*)\)\s+=>\s+(\S+)/.exec(line);
    if (match) found.push({ path: match[3]!, wide: /x86-64|64bit|AArch64/i.test(match[2]!) });
  }
  return [...found.filter((f) => f.wide), ...found.filter((f) => !f.wide)].map((f) => f.path);
}

let ldconfigCache: string[] | undefined;
function ldconfigVisa(): string[] {
  if (ldconfigCache) return ldconfigCache;
  try {
    const output = execFileSync('ldconfig', ['-p'], {
      encoding: 'utf8',
      timeout: 5000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    ldconfigCache = visaLibrariesFromLdconfig(output);
  } catch {
    // No ldconfig (some containers): the fixed paths below still apply.
    ldconfigCache = [];
  }
  return ldconfigCache;
}

/** Where the vendors install VISA; RERAM_VISA_LIBRARY names another. */
export function visaCandidates(): string[] {
  const fromEnv = process.env.RERAM_VISA_LIBRARY ? [process.env.RERAM_VISA_LIBRARY] : [];
  switch (process.platform) {
    case 'win32':
      return [...fromEnv, 'visa64.dll', 'visa32.dll'];
    case 'darwin':
      return [...fromEnv, '/Library/Frameworks/VISA.framework/VISA'];
    default:
      return [
        ...fromEnv,
        // An explicit library means that one only (tests, and users with several installed).
        ...(fromEnv.length ? [] : ldconfigVisa()),
        '/usr/lib/x86_64-linux-gnu/libvisa.so',
        '/usr/local/vxipnp/linux/lib64/libvisa.so',
        '/usr/lib64/libvisa.so',
        '/opt/keysight/iolibs/libktvisa32.so',
        '/usr/lib/x86_64-linux-gnu/librsvisa.so',
        '/usr/lib64/librsvisa.so',
        'libvisa.so',
      ];
  }
}

let cached: VisaLibrary | null | undefined;

export async function loadVisa(): Promise<VisaLibrary | null> {
  if (cached !== undefined) return cached;
  const koffi = (await import('koffi')).default;
  for (const path of visaCandidates()) {
    if (path.includes('/') && !existsSync(path)) continue;
    let lib;
    try {
      lib = koffi.load(path);
    } catch {
      continue;
    }
    // VISA's calling convention: stdcall on 32-bit Windows (visa32.dll), the C default elsewhere.
    const cc = process.platform === 'win32' && process.arch === 'ia32' ? '__stdcall ' : '';
    const fns = {
      viOpenDefaultRM: lib.func(`int32 ${cc}viOpenDefaultRM(_Out_ uint32 *rm)`),
      viOpen: lib.func(
        `int32 ${cc}viOpen(uint32 rm, const char *name, uint32 mode, uint32 timeout, _Out_ uint32 *vi)`,
      ),
      viClose: lib.func(`int32 ${cc}viClose(uint32 vi)`),
      viWrite: lib.func(`int32 ${cc}viWrite(uint32 vi, const uint8_t *buf, uint32 count, _Out_ uint32 *ret)`),
      viRead: lib.func(`int32 ${cc}viRead(uint32 vi, _Out_ uint8_t *buf, uint32 count, _Out_ uint32 *ret)`),
      viSetAttribute: lib.func(`int32 ${cc}viSetAttribute(uint32 vi, uint32 attribute, uintptr_t value)`),
      viClear: lib.func(`int32 ${cc}viClear(uint32 vi)`),
      viFindRsrc: lib.func(
        `int32 ${cc}viFindRsrc(uint32 rm, const char *expr, _Out_ uint32 *list, _Out_ uint32 *count, _Out_ char *desc)`,
      ),
      viFindNext: lib.func(`int32 ${cc}viFindNext(uint32 list, _Out_ char *desc)`),
      viStatusDesc: lib.func(`int32 ${cc}viStatusDesc(uint32 vi, int32 status, _Out_ char *desc)`),
    } as unknown as VisaFunctions;
    const rm = [0];
    if (fns.viOpenDefaultRM(rm) < 0) continue;
    cached = { path, fns, rm: rm[0]! };
    return cached;
  }
  cached = null;
  return null;
}

export function noVisaLibrary(resource: string): ReramError {
  return new ReramError(
    'UNSUPPORTED',
    `${resource} needs a VISA library, and none is installed (looked for ${visaCandidates()
      .filter((p) => p.includes('/') || p.endsWith('.dll'))
      .join(
        ', ',
      )}). Install NI-VISA, Keysight IO Libraries Suite or R&S VISA, or set RERAM_VISA_LIBRARY to its path. GPIB also works through a Prologix-style adapter (--gpib-adapter), and USB instruments through the Linux usbtmc driver.`,
  );
}

function statusText(visa: VisaLibrary, vi: number, status: number): string {
  const desc = Buffer.alloc(256);
  visa.fns.viStatusDesc(vi, status, desc);
  const text = desc.toString('latin1').replace(/\0.*$/s, '').trim();
  return text || `VISA status 0x${(status >>> 0).toString(16)}`;
}

/** Every resource the VISA library can see (as `pyvisa-shell list` shows them). */
export async function listVisaResources(expression = '?*::INSTR'): Promise<string[]> {
  const visa = await loadVisa();
  if (!visa) return [];
  const list = [0];
  const count = [0];
  const desc = Buffer.alloc(256);
  const status = visa.fns.viFindRsrc(visa.rm, expression, list, count, desc);
  if (status < 0) return [];
  const take = () => desc.toString('latin1').replace(/\0.*$/s, '');
  const found = [take()];
  for (let k = 1; k < count[0]!; k++) {
    desc.fill(0);
    if (visa.fns.viFindNext(list[0]!, desc) < 0) break;
    found.push(take());
  }
  visa.fns.viClose(list[0]!);
  return found;
}

function call<T>(fn: { async: Async }, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) =>
    fn.async(...args, (error: Error | null, value: T) => (error ? reject(error) : resolve(value))),
  );
}

export class VisaTransport implements Transport {
  readonly kind = 'visa' as const;
  /** VISA sessions are independent: another one can switch the output off while this one hangs. */
  readonly allowsSecondLink = true;
  private vi: number | undefined;
  private handlers: TransportHandlers | undefined;
  private readonly reads = new ReadRequests((timeoutMs) => this.readOne(timeoutMs));
  /** viClear calls so far: a read that straddles one ends without taking the link down. */
  private clears = 0;
  private timeoutSet: number | undefined;
  private closing = false;

  constructor(
    private readonly visa: VisaLibrary,
    readonly resource: string,
    private readonly readTerminator = 0x0a,
  ) {}

  get isOpen(): boolean {
    return this.vi !== undefined && !this.closing;
  }

  async open(handlers: TransportHandlers): Promise<void> {
    const vi = [0];
    const status = await call<number>(this.visa.fns.viOpen, this.visa.rm, this.resource, 0, 2000, vi);
    if (status < 0)
      throw new TransportError(
        status === VI_ERROR_RSRC_NFOUND
          ? `${this.resource} was not found by VISA (${this.visa.path}): check the address and the cable.`
          : `VISA could not open ${this.resource}: ${statusText(this.visa, this.visa.rm, status)}`,
      );
    this.vi = vi[0]!;
    // Sockets and serial ports have no END: stop reads at the terminator there (GPIB/USB use END anyway).
    await call<number>(this.visa.fns.viSetAttribute, this.vi, VI_ATTR_TERMCHAR, this.readTerminator);
    await call<number>(this.visa.fns.viSetAttribute, this.vi, VI_ATTR_TERMCHAR_EN, 1);
    this.handlers = handlers;
  }

  async write(data: Buffer): Promise<void> {
    if (this.vi === undefined || this.closing) throw new ConnectionLostError(`${this.resource} is closed.`);
    const written = [0];
    const status = await call<number>(this.visa.fns.viWrite, this.vi, data, data.length, written);
    if (status < 0) {
      const text = statusText(this.visa, this.vi, status);
      if (status === VI_ERROR_CONN_LOST) this.lost(new Error(text));
      throw new ConnectionLostError(`Writing to ${this.resource} failed: ${text}`);
    }
  }

  /** One reply: one viRead that may wait up to the session's deadline (more only for a long reply). */
  requestRead(timeoutMs: number, stillWaiting?: () => boolean): Promise<void> {
    return this.reads.request(timeoutMs, stillWaiting);
  }

  private async readOne(timeoutMs: number): Promise<void> {
    const tmo = Math.max(1, Math.ceil(timeoutMs));
    for (;;) {
      if (this.vi === undefined || this.closing) return;
      if (tmo !== this.timeoutSet) {
        await call<number>(this.visa.fns.viSetAttribute, this.vi, VI_ATTR_TMO_VALUE, tmo);
        this.timeoutSet = tmo;
      }
      const buffer = Buffer.alloc(READ_CHUNK);
      const count = [0];
      const clears = this.clears;
      const status = await call<number>(this.visa.fns.viRead, this.vi, buffer, READ_CHUNK, count);
      if (clears !== this.clears && status < 0) return;
      if (count[0]! > 0) this.handlers?.onData(buffer.subarray(0, count[0]!));
      // A timeout is the session's to report (it has the same deadline); a clear ends the read too.
      if (status === VI_ERROR_TMO) return;
      if (status < 0) {
        if (!this.closing) this.lost(new Error(statusText(this.visa, this.vi, status)));
        return;
      }
      // The buffer filled before END or the terminator: the rest of this reply follows.
      if (status !== VI_SUCCESS_MAX_CNT) return;
    }
  }

  async clear(): Promise<void> {
    if (this.vi === undefined) return;
    // A read queued behind the one being cleared is no longer wanted: no read after a clear.
    this.reads.drop();
    this.clears++;
    await call<number>(this.visa.fns.viClear, this.vi);
  }

  sibling(): VisaTransport {
    return new VisaTransport(this.visa, this.resource, this.readTerminator);
  }

  private lost(error: Error): void {
    const handlers = this.handlers;
    this.handlers = undefined;
    handlers?.onClose(error);
  }

  async close(): Promise<void> {
    this.closing = true;
    const vi = this.vi;
    this.vi = undefined;
    if (vi !== undefined) await call<number>(this.visa.fns.viClose, vi);
  }
}
