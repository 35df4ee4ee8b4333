/**
 * The virtual SMU's Keithley 4200A-SCS dialect: KXCI user mode, as PyMeasure's keithley4200.py and
 * its protocol tests show it (K4200_KXCI in facts.ts; the KXCI manual was not at hand,
 * so docs/bench-setup.md marks what is our stand-in).
 *
 * Cards: SMU1 wired to the die, SMUPA2 (with a preamplifier) with its terminals open, PMU1 and
 * CVU1; an SMU is disabled (0 V, output off) until a DV with a level. A line holds commands separated by ';' (`US;DV1,0,1.5,1e-3`). A line of settings is
 * answered "ACK"; a line with a query answers its reading. A command that fails sets bit 1 of the
 * status byte (SP; reading it clears the bit), answers nothing and ends the line: our stand-in for
 * what the manual says.
 *
 * Time: a host-timed pulse is a DV step the host holds for a while, so between commands the cell
 * sees the present level for the wall time that passed (divided by the time scale).
 */
import type { Die } from '../../../virtual-smu/die';
import { VirtualInstrument } from '../../../virtual-smu/instrument';
import { ScpiError } from '../../../virtual-smu/scpi-parser';
import type { CommandInterpreter } from '../model';
import { K4200_KXCI, k4200Id } from './facts';

/** DV voltage ranges by index: 0 auto; 1 the 20 V range; 2 and 3 the 200 V range (PyMeasure's list). */
const V_RANGES: ReadonlyMap<number, number> = new Map([
  [0, 210],
  [1, 21],
  [2, 210],
  [3, 210],
]);

const KXCI_ERROR = (detail: string) => new ScpiError(2, `syntax error: ${detail}`);

interface Card {
  name: string;
  smu?: VirtualInstrument;
}

export class KxciInterpreter implements CommandInterpreter {
  readonly cards: Card[];
  private status = 0;
  private readyAt: number | undefined;
  /** Virtual time the present non-zero level of SMU1 started: the simulator's record of a pulse. */
  private topStartedAt: number | undefined;

  constructor(
    /** The SMU wired to the die (SMU1). */
    readonly instrument: VirtualInstrument,
    die: Die,
    private readonly serial: string,
    /** Virtual seconds per wall second is 1 / timeScale (wall time is taken as is at scale 0). */
    private readonly timeScale = 1,
  ) {
    const open = new VirtualInstrument(instrument.traits, die, serial);
    open.cellConnected = false;
    this.cards = [
      { name: 'SMU1', smu: instrument },
      { name: 'SMUPA2', smu: open },
      { name: 'PMU1' },
      { name: 'CVU1' },
    ];
  }

  /** One message; returns its reply lines (none after a failure). */
  /** Left to the simulator: the simulator's `:SIM` commands. */
  leavesToSimulator(line: string): boolean {
    return /^\s*:SIM/i.test(line);
  }

  execute(line: string): string[] {
    this.elapse();
    try {
      return this.run(line);
    } finally {
      // The server paces this message's virtual time before replying: that wall time is not idle.
      this.readyAt = performance.now() + this.instrument.pendingSeconds * this.timeScale * 1000;
    }
  }

  private run(line: string): string[] {
    const replies: string[] = [];
    let settings = 0;
    for (const command of line.split(';').map((c) => c.trim())) {
      if (command === '') continue;
      try {
        const reply = this.command(command);
        if (reply === undefined) settings++;
        else replies.push(reply);
      } catch (error) {
        this.status |= K4200_KXCI.status.syntaxError;
        this.instrument.pushError(error instanceof ScpiError ? error : KXCI_ERROR((error as Error).message));
        return [];
      }
    }
    // A message of settings only (US alone included) is acknowledged once.
    if (replies.length === 0 && settings > 0) return ['ACK'];
    return replies;
  }

  /** The wall time since the last command passes at the present levels, without pacing again. */
  private elapse(): void {
    const now = performance.now();
    if (this.readyAt !== undefined) {
      const wall = Math.max(0, now - this.readyAt) / 1000;
      const seconds = this.timeScale > 0 ? wall / this.timeScale : wall;
      for (const card of this.cards) {
        if (!card.smu) continue;
        const paced = card.smu.pendingSeconds;
        card.smu.advance(seconds);
        card.smu.pendingSeconds = paced;
      }
    }
  }

  private command(text: string): string | undefined {
    const match = /^(\*?[A-Za-z]{2,}\??)\s*(.*)$/.exec(text);
    if (!match) throw KXCI_ERROR(`'${text}'`);
    const name = match[1]!.toUpperCase();
    const args = match[2]!.trim() === '' ? [] : match[2]!.split(',').map((a) => a.trim());
    const handler = this.handlers[name];
    if (!handler) throw KXCI_ERROR(`unknown command ${name}`);
    return handler(args);
  }

  private readonly handlers: Record<string, (args: string[]) => string | undefined> = {
    ID: (a) => (count(a, 0, 0), k4200Id(this.serial)),
    '*OPT?': (a) => (count(a, 0, 0), this.cards.map((c) => c.name).join(',')),
    SP: (a) => {
      count(a, 0, 0);
      // The simulator's own :SIM lines report through the same bit.
      const failed = this.instrument.errorCount() > 0 ? K4200_KXCI.status.syntaxError : 0;
      const status = this.status | failed;
      this.status &= ~K4200_KXCI.status.syntaxError;
      while (this.instrument.errorCount() > 0) this.instrument.popErrorEntry();
      return String(status);
    },
    US: (a) => (count(a, 0, 0), undefined),
    BC: (a) => (count(a, 0, 0), (this.status &= ~K4200_KXCI.status.dataReady), undefined),
    IT: (a) => {
      count(a, 1, 4);
      const mode = int(a[0], 'integration mode', 1, 4);
      const plc =
        mode === 4
          ? (count(a, 4, 4),
            num(a[1], 'delay factor', 0, 100),
            num(a[2], 'filter factor', 0, 100),
            num(a[3], 'aperture', K4200_KXCI.minPlc, K4200_KXCI.maxPlc))
          : (count(a, 1, 1), [0.1, 1, 10][mode - 1]!);
      for (const card of this.cards) if (card.smu) card.smu.nplc = plc;
      return undefined;
    },
    DV: (a) => {
      const smu = this.smu(a[0]);
      // `DV ch` alone disables the SMU (PyMeasure's disable()): 0 V, output off.
      if (a.length === 1) {
        smu.setLevel(0);
        this.recordTop(smu, 0);
        smu.setOutput(false);
        return undefined;
      }
      count(a, 4, 4);
      const limit = V_RANGES.get(int(a[1], 'range', 0, 3))!;
      const v = num(a[2], 'voltage', -limit, limit);
      smu.compliance = num(a[3], 'compliance', 1e-12, 0.105);
      smu.setOutput(true);
      smu.setLevel(v);
      this.recordTop(smu, v);
      return undefined;
    },
    TI: (a) => (count(a, 1, 1), this.read(a[0], 'I')),
    TV: (a) => (count(a, 1, 1), this.read(a[0], 'V')),
  };

  /** A step up from 0 V starts a top; the step back to 0 V ends it (lastPulseSeconds). */
  private recordTop(smu: VirtualInstrument, level: number): void {
    if (smu !== this.instrument) return;
    if (level !== 0 && this.topStartedAt === undefined) this.topStartedAt = smu.clock;
    if (level === 0 && this.topStartedAt !== undefined) {
      smu.lastPulseSeconds = smu.clock - this.topStartedAt;
      this.topStartedAt = undefined;
    }
  }

  private smu(text: string | undefined): VirtualInstrument {
    const index = int(text, 'channel', 1, 9);
    const card = this.cards.find((c) => c.smu && new RegExp(`^SMU(PA)?${index}$`).test(c.name));
    if (!card?.smu) throw KXCI_ERROR(`no SMU${index}`);
    return card.smu;
  }

  private read(channel: string | undefined, type: 'I' | 'V'): string {
    const smu = this.smu(channel);
    const r = smu.measureNow();
    const status = r.overflow && type === 'I' ? 'V' : r.compliance ? 'C' : 'N';
    const letter = 'ABCDEFGHI'[Number(channel) - 1]!;
    const value = status === 'V' ? 1e22 : type === 'I' ? r.i : r.v;
    this.status |= K4200_KXCI.status.dataReady;
    return `${status}${letter}${type}${formatKxciNumber(value)}`;
  }
}

/** ±d.ddddE±dd, as the readings in PyMeasure's tests and the 4145 heritage have it. */
export function formatKxciNumber(x: number): string {
  const [mantissa, exponent] = Math.abs(x).toExponential(4).split('e') as [string, string];
  const e = Number(exponent);
  return `${x < 0 ? '-' : '+'}${mantissa}E${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

function count(args: string[], min: number, max: number): void {
  if (args.length < min || args.length > max) throw KXCI_ERROR('wrong number of parameters');
}

function num(text: string | undefined, what: string, min: number, max: number): number {
  const value =
    text === undefined || !/^[+-]?(\d+\.?\d*|\.\d+)(E[+-]?\d+)?$/i.test(text) ? NaN : Number(text);
  if (!Number.isFinite(value)) throw KXCI_ERROR(`${what} is not a number`);
  if (value < min || value > max) throw KXCI_ERROR(`${what} ${value} is outside ${min} to ${max}`);
  return value;
}

function int(text: string | undefined, what: string, min: number, max: number): number {
  const value = num(text, what, min, max);
  if (!Number.isInteger(value)) throw KXCI_ERROR(`${what} must be an integer`);
  return value;
}
