/**
 * Keithley 4200A-SCS through KXCI (its external-control program), one SMU card on the cell, in
 * KXCI's user mode. What we know of KXCI comes from PyMeasure's driver and its protocol tests, not
 * the KXCI manual (K4200_KXCI in facts.ts; docs/bench-setup.md lists what is unchecked).
 *
 * - The card: the SMU the user names (`--slot N` is SMUN), or the first SMU `*OPT?` lists. A PMU,
 *   CVU or anything else is refused by name.
 * - Every setting is answered "ACK"; anything else (or no answer) is a refusal, and the status
 *   byte (`SP`, bit 1) says why.
 * - Output on is `DV ch,0,V,Icomp` (autorange); off is `DV ch`, the SMU back at 0 V. KXCI has no
 *   output-state query that we know of: off is confirmed by the SMU's own voltage reading (TV)
 *   within 10 mV of 0 V.
 * - Reads are `TI` then `TV` (a pulse's top: TI only). Integration is IT4 with the aperture in PLC.
 * - Pulses are DV steps timed by this computer (basis 'host'): KXCI's SMU commands have no pulse
 *   timing, and the 4225-PMU is not driven. The shortest pulse follows from the link's measured
 *   round trip; the width recorded is what the host measured between the two steps' ACKs.
 */
import { ReramError } from '../../../../shared/errors';
import { K4200_INFO, K4200_KXCI } from './facts';
import type { InstrumentIdentity } from '../../../../shared/run';
import { InstrumentError, SafetyError, ScpiParseError, type InstrumentErrorEntry } from '../../errors';
import { KXCI_CONVENTIONS, type ScpiSession } from '../../scpi/session';
import {
  checkList,
  errorQueueCheck,
  formatSeconds,
  hostStaircase,
  operationTimeout,
  resolveConfig,
  roundTripCheck,
  SessionDriver,
  type DriverOptions,
  type ResolvedConfig,
} from '../../drivers/scpi-driver';
import { runOffProtocol } from '../../drivers/switch-off';
import type { CheckItem, Measurement, OffReport, Smu, SmuCapabilities, SmuConfig } from '../../drivers/smu';

const INFO = K4200_INFO;

/** A KXCI reading: status (N normal, C compliance, V overflow…), channel letter, type, value. */
export interface KxciReading {
  status: string;
  channel: string;
  type: 'I' | 'V';
  value: number;
}

const READING = /^([A-Z])([A-Z])([IV])\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:E[+-]?\d+)?)$/i;

export function parseKxciReading(command: string, reply: string): KxciReading {
  const match = READING.exec(reply.trim());
  const value = match ? Number(match[4]) : NaN;
  if (!match || !Number.isFinite(value))
    throw new ScpiParseError(command, reply, 'a reading such as NAI+1.2345E-06');
  return {
    status: match[1]!.toUpperCase(),
    channel: match[2]!.toUpperCase(),
    type: match[3]!.toUpperCase() as 'I' | 'V',
    value,
  };
}

/** `*OPT?`: the cards, as "SMU1,SMUPA2,PMU1,CVU1": SMU number → card name. */
export function parseCards(reply: string): { smus: Map<number, string>; others: string[] } {
  const smus = new Map<number, string>();
  const others: string[] = [];
  for (const card of reply.split(',').map((c) => c.trim().toUpperCase())) {
    if (card === '') continue;
    const match = /^(SMU(?:PA)?)(\d+)$/.exec(card);
    if (match) smus.set(Number(match[2]), card);
    else others.push(card);
  }
  return { smus, others };
}

/** A value as a command takes it: 6 significant digits, no float noise (3.0500000000000003 → 3.05). */
const kxciNumber = (x: number) => String(Number(x.toPrecision(6)));

export class Keithley4200 extends SessionDriver implements Smu {
  readonly driver = '4200a';
  readonly capabilities: SmuCapabilities = {
    maxPulseWidth: K4200_KXCI.maxPulseS,
    maxVoltage: INFO.maxVoltage,
    maxCompliance: INFO.maxCompliance,
    truePulse: false,
    terminals: INFO.terminals,
  };
  private config: ResolvedConfig | undefined;
  private level = 0;
  private on = false;
  /** KXCI does not report the line frequency: times in PLC assume this. */
  private readonly lineFrequency = 50;
  /** A running estimate of one exchange's round trip (s): the floor under a host-timed pulse. */
  private roundTrip = 0;

  private constructor(
    session: ScpiSession,
    identity: InstrumentIdentity,
    options: DriverOptions,
    /** The SMU's number (SMU1 is 1) and card name (SMUPA: with a preamplifier). */
    readonly smu: number,
    readonly card: string,
    private readonly cards: string,
  ) {
    super(session, identity, options);
  }

  static matches(identity: InstrumentIdentity): boolean {
    return /^4200A?-SCS$/.test(identity.model.toUpperCase());
  }

  /** Reads the cards and takes the SMU to drive; refuses any other card by name. */
  static async open(
    session: ScpiSession,
    identity: InstrumentIdentity,
    options: DriverOptions,
  ): Promise<Keithley4200> {
    session.conventions = KXCI_CONVENTIONS;
    const reply = await session.query('*OPT?');
    const { smus, others } = parseCards(reply);
    const listing = reply.trim() || 'none';
    const smu = options.slot ?? [...smus.keys()].sort((a, b) => a - b)[0];
    if (smu === undefined)
      throw new ReramError('UNSUPPORTED', `The 4200A lists no SMU card (*OPT?: ${listing}).`);
    const card = smus.get(smu);
    if (!card) {
      const pmus = others.filter((c) => c.startsWith('PMU'));
      throw new ReramError(
        'UNSUPPORTED',
        `The 4200A has no SMU${smu}. Choose an SMU (cards: ${listing})${pmus.length ? `; ${pmus.join(', ')} ${pmus.length === 1 ? 'is a pulse measure unit' : 'are pulse measure units'}, which ReRAM Bench does not drive through KXCI` : ''}.`,
      );
    }
    const driver = new Keithley4200(session, identity, options, smu, card, listing);
    driver.roundTrip = (await roundTripCheck(session)).ms / 1000;
    return driver;
  }

  /** One user-mode setting: the reply must be ACK; otherwise the status byte says why. */
  private async set(command: string): Promise<void> {
    let reply: string;
    try {
      reply = await this.session.query(`US;${command}`);
    } catch (error) {
      if (!(error instanceof ReramError) || error.code !== 'TIMEOUT') throw error;
      const entries = await this.session.drainErrors().catch(() => []);
      if (entries.length) throw new InstrumentError(entries, `after US;${command} (no ACK)`);
      throw error;
    }
    if (reply.trim() !== 'ACK') {
      const entries = await this.session.drainErrors().catch(() => []);
      throw new ScpiParseError(
        `US;${command}`,
        reply,
        `ACK${entries.length ? ` (status: ${entries.map((e) => e.message).join('; ')})` : ''}`,
      );
    }
  }

  /** A running estimate of an ACKed exchange's time: one slow exchange does not set the floor for good. */
  private noteRoundTrip(seconds: number): void {
    this.roundTrip = this.roundTrip === 0 ? seconds : 0.8 * this.roundTrip + 0.2 * seconds;
  }

  private timeoutFor(seconds: number): number {
    return operationTimeout(this.session, seconds);
  }

  async prepare(): Promise<InstrumentErrorEntry[]> {
    await this.output(false);
    if (await this.outputState())
      throw new SafetyError(`The 4200A's SMU${this.smu} still reads a voltage after DV${this.smu}.`);
    const leftover = await this.session.drainErrors();
    await this.set('BC');
    this.config = undefined;
    this.level = 0;
    this.on = false;
    return leftover;
  }

  async configure(config: SmuConfig): Promise<void> {
    const resolved = resolveConfig(config, this.capabilities.terminals);
    if (resolved.terminals !== 'rear')
      throw new ReramError(
        'UNSUPPORTED',
        "The 4200A's SMUs have their (triaxial) terminals at the rear only.",
      );
    if (resolved.sense !== '2w')
      throw new ReramError(
        'UNSUPPORTED',
        'Remote sense is wired at the 4200A, not set through KXCI: use 2-wire.',
      );
    if (resolved.currentRange !== undefined && resolved.currentRange !== 'auto')
      throw new ReramError(
        'UNSUPPORTED',
        'Through KXCI user mode the 4200A measures in autorange here: leave the current range on auto.',
      );
    if (!(resolved.compliance > 0 && resolved.compliance <= INFO.maxCompliance))
      throw new ReramError(
        'OUT_OF_RANGE',
        `Compliance ${resolved.compliance} A is outside 0–100 mA on the 4200A's ${this.card}.`,
      );
    const { min, max } = this.nplcRange();
    if (!(resolved.nplc >= min && resolved.nplc <= max))
      throw new ReramError('OUT_OF_RANGE', `NPLC ${resolved.nplc} is outside ${min}–${max} on the 4200A.`);
    // IT4: custom integration, delay factor 1, filter factor 1, aperture in PLC.
    await this.set(`IT4,1,1,${Number(resolved.nplc.toPrecision(4))}`);
    this.config = resolved;
    if (this.on) await this.applyLevel();
  }

  private compliance(): number {
    if (!this.config)
      throw new ReramError('INTERNAL', 'configure() must come before the output is switched on.');
    return this.config.compliance;
  }

  private async applyLevel(): Promise<void> {
    await this.set(`DV${this.smu},0,${kxciNumber(this.level)},${kxciNumber(this.compliance())}`);
  }

  async setVoltage(v: number): Promise<void> {
    if (!(Math.abs(v) <= INFO.maxVoltage))
      throw new ReramError('OUT_OF_RANGE', `${v} V is beyond the 4200A SMU's ±${INFO.maxVoltage} V.`);
    this.level = v;
    if (this.on) await this.applyLevel();
  }

  async output(on: boolean): Promise<void> {
    if (on) {
      this.compliance();
      this.on = true;
      await this.applyLevel();
    } else {
      await this.set(`DV${this.smu}`);
      this.on = false;
    }
  }

  /** The SMU's own voltage reading: off means within 10 mV of 0 V. */
  private isOn(reply: string): boolean | undefined {
    const match = READING.exec(reply.trim());
    if (!match || match[3]!.toUpperCase() !== 'V') return undefined;
    return Math.abs(Number(match[4])) > K4200_KXCI.offVoltageV;
  }

  async outputState(): Promise<boolean> {
    const command = `US;TV${this.smu}`;
    const reply = await this.session.query(command);
    const on = this.isOn(reply);
    if (on === undefined)
      throw new ScpiParseError(command, reply, 'a voltage reading such as NAV+0.0000E+00');
    return on || this.on;
  }

  private readingSeconds(): number {
    return (this.config?.nplc ?? 1) / this.lineFrequency;
  }

  private toMeasurement(vSource: number, current: KxciReading): Measurement {
    const overflow = current.status === 'V';
    return {
      vSource,
      v: null,
      i: overflow ? null : current.value,
      compliance: current.status === 'C',
      rangeCompliance: false,
      overflow,
      time: null,
    };
  }

  /** Current, then the voltage at the terminals (two readings: one KXCI reading is one quantity). */
  async measure(): Promise<Measurement> {
    const timeoutMs = this.timeoutFor(this.readingSeconds());
    const currentCommand = `US;TI${this.smu}`;
    const current = parseKxciReading(currentCommand, await this.session.query(currentCommand, { timeoutMs }));
    const voltageCommand = `US;TV${this.smu}`;
    const voltage = parseKxciReading(voltageCommand, await this.session.query(voltageCommand, { timeoutMs }));
    return { ...this.toMeasurement(this.level, current), v: voltage.status === 'V' ? null : voltage.value };
  }

  pulseWidthRange(): { min: number; max: number } {
    // A step's arrival, the reading and the step back fit in the top, with a round trip's margin.
    const min = Math.max(K4200_KXCI.minHostPulseS, 3 * this.roundTrip + this.readingSeconds());
    return { min: Number(min.toPrecision(3)), max: K4200_KXCI.maxPulseS };
  }

  nplcRange(): { min: number; max: number } {
    return INFO.nplc(this.lineFrequency);
  }

  async pulse(v: number, width: number): Promise<Measurement> {
    const { min, max } = this.pulseWidthRange();
    if (!(width >= min && width <= max))
      throw new ReramError(
        'OUT_OF_RANGE',
        `A ${formatSeconds(width)} pulse is outside what the 4200A can make through KXCI, timed by this computer (${formatSeconds(min)} to ${formatSeconds(max)}).`,
        { width, min, max },
      );
    const compliance = this.compliance();
    const ch = this.smu;
    const started = performance.now();
    await this.set(`DV${ch},0,${kxciNumber(v)},${kxciNumber(compliance)}`);
    const topReached = performance.now();
    this.noteRoundTrip((topReached - started) / 1000);
    // The top started about half a round trip before the ACK; after the wait come the reading (its
    // integration and a round trip) and the step down (half a round trip to arrive).
    const wait = width - this.readingSeconds() - 2 * this.roundTrip;
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait * 1000));
    const command = `US;TI${ch}`;
    const reply = await this.session.query(command, { timeoutMs: this.timeoutFor(this.readingSeconds()) });
    const offSent = performance.now();
    await this.set(`DV${ch},0,0,${kxciNumber(compliance)}`);
    const ended = performance.now();
    this.level = 0;
    // The top lasted from the first step's arrival to the second's: about each exchange's midpoint.
    const achieved = ((offSent + ended) / 2 - (started + topReached) / 2) / 1000;
    return {
      ...this.toMeasurement(v, parseKxciReading(command, reply)),
      width: { nominal: width, achieved: Number(achieved.toPrecision(4)), basis: 'host' },
    };
  }

  list(vs: number[], dwell: number): Promise<Measurement[]> {
    return hostStaircase(this, vs, dwell);
  }

  errors(): Promise<InstrumentErrorEntry[]> {
    return this.session.drainErrors();
  }

  switchOff(timeoutMs: number): Promise<OffReport> {
    const confirm = `US;TV${this.smu}`;
    return runOffProtocol(
      this.session,
      {
        what: `The 4200A's SMU${this.smu} reads a voltage: its output is`,
        off: `US;DV${this.smu}`,
        confirm,
        state: (reply) => this.isOn(reply),
        secondLink: {
          off: `US;DV${this.smu}`,
          isOn: async (second) => this.isOn(await second.query(confirm)) ?? true,
        },
      },
      timeoutMs,
      this.options.openSecondLink,
      () => {
        this.on = false;
        this.level = 0;
      },
    );
  }

  async settings(): Promise<Record<string, unknown>> {
    const snapshot: Record<string, unknown> = {
      driver: this.driver,
      idn: this.identity.raw,
      resource: this.resource,
      smu: this.smu,
      card: this.card,
      cards: this.cards,
      lineFrequencyAssumed: this.lineFrequency,
      level: this.level,
      pulseTiming: 'host',
      roundTripS: this.roundTrip,
      ...(this.config
        ? { config: this.config, compliance: this.config.compliance, nplc: this.config.nplc }
        : {}),
      units: { level: 'V', compliance: 'A', nplc: 'PLC', lineFrequencyAssumed: 'Hz', roundTripS: 's' },
    };
    snapshot.output = await this.outputState();
    await this.session.checkErrors('while reading the settings back');
    return snapshot;
  }

  async diagnose(): Promise<CheckItem[]> {
    const { items, add } = checkList();
    await add('identity and driver', async () => ({
      status: 'ok',
      detail: `${this.identity.make} ${this.identity.model}, ${this.identity.firmware}: driver ${this.driver}, ${this.card}${this.virtual ? ' (the virtual SMU)' : ''}`,
    }));
    await add('command language', async () => ({
      status: 'ok',
      detail: 'KXCI user mode (settings answered ACK; errors by the status byte, SP)',
    }));
    await add('cards', async () => ({ status: 'ok', detail: `${this.cards} (driving ${this.card})` }));
    await add('terminators', async () => {
      const { ms, ...item } = await roundTripCheck(this.session);
      this.roundTrip = ms / 1000;
      return item;
    });
    await add('line frequency', async () => ({
      status: 'warn',
      detail: `KXCI does not report it: time estimates assume ${this.lineFrequency} Hz`,
      fix: 'Nothing to do for measurements; the 4200A integrates over its own line setting.',
    }));
    await add('error queue', () => errorQueueCheck(this.session));
    await add('output', async () => {
      const on = await this.outputState();
      return on
        ? {
            status: 'fail',
            detail: `SMU${this.smu} reads a voltage`,
            fix: `Set it to 0 V (DV${this.smu}); every run starts by doing so and confirming.`,
          }
        : { status: 'ok', detail: `SMU${this.smu} at 0 V` };
    });
    await add('shortest pulse', async () => ({
      status: 'warn',
      detail: `${formatSeconds(this.pulseWidthRange().min)}, timed by this computer (KXCI's SMU commands have no pulse timing; the PMU is not driven)`,
      fix: 'For pulses shorter than a few ms use an instrument with pulse hardware (B2900, 2600B, B1500A).',
    }));
    await this.session.checkErrors('during the bring-up check').catch(() => undefined);
    return items;
  }
}
