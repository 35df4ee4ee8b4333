/**
 * Keithley 2600B System SourceMeter (2601B/2602B/2604B/2611B/2612B/2614B/2634B/2635B/2636B) in
 * its own language, TSP (Lua), one channel (smua or smub) per driver. The session's conventions
 * read the error queue with `errorqueue.next()`; everything else is attributes and functions of
 * the channel, as the reference manual names them.
 *
 * Pulses run in the instrument's trigger model, uploaded once as a script (`loadscript` …
 * `endscript`) and called per pulse with its level, width and measure delay: the source action
 * applies the level, trigger timer 1 (armed with the sweep) ends the pulse through the end-pulse
 * action SOURCE_IDLE, and the current is read at the end of the top (the measure delay places
 * the aperture there) into nvbuffer1, which `printbuffer` returns. The output stays on at 0 V
 * between pulses, so no relay moves. The width is timed by the instrument ("hardware").
 */
import { ReramError } from '../../../../shared/errors';
import { K2600_INFO, K2600_PULSE } from './facts';
import type { InstrumentIdentity } from '../../../../shared/run';
import { SafetyError, ScpiParseError, type InstrumentErrorEntry } from '../../errors';
import { TSP_CONVENTIONS, type ScpiSession } from '../../scpi/session';
import { runOffProtocol } from '../../drivers/switch-off';
import {
  checkList,
  errorQueueCheck,
  formatSeconds,
  hostStaircase,
  operationTimeout,
  resolveConfig,
  SessionDriver,
  roundTripCheck,
  reading,
  type DriverOptions,
  type ResolvedConfig,
} from '../../drivers/scpi-driver';
import type { CheckItem, Measurement, OffReport, Smu, SmuCapabilities, SmuConfig } from '../../drivers/smu';

export type Channel = 'a' | 'b';

const PULSE_SCRIPT = 'reram_bench_pulse';
/** Unique text in the off confirmation, to tell it from a stale reply on the same stream. */
const OFF_MARK = 'reram-bench-off';

export class Keithley2600 extends SessionDriver implements Smu {
  readonly driver = 'k2600';
  readonly capabilities: SmuCapabilities = {
    maxPulseWidth: K2600_PULSE.maxWidthS,
    maxVoltage: K2600_INFO.maxVoltage,
    maxCompliance: K2600_INFO.maxCompliance,
    truePulse: true,
    terminals: ['rear'],
  };
  private readonly smu: string;
  private lineFrequency = 50;
  private config: ResolvedConfig | undefined;
  private level = 0;

  constructor(session: ScpiSession, identity: InstrumentIdentity, options: DriverOptions) {
    super(session, identity, options);
    session.conventions = TSP_CONVENTIONS;
    this.smu = `smu${options.channel ?? 'a'}`;
  }

  static matches(identity: InstrumentIdentity): boolean {
    return (
      identity.make.toUpperCase().includes('KEITHLEY') &&
      /^26(0[124]|1[124]|3[456])[AB]?$/.test(identity.model.toUpperCase())
    );
  }

  /** `print(a, b…)` → the printed values, tab-separated, as numbers. */
  private async printNumbers(expressions: string[], timeoutMs?: number): Promise<number[]> {
    const command = `print(${expressions.join(', ')})`;
    const reply = await this.session.query(command, timeoutMs === undefined ? {} : { timeoutMs });
    const values = reply.split('\t').map((p) => Number(p.trim()));
    if (values.length !== expressions.length || values.some((v) => !Number.isFinite(v)))
      throw new ScpiParseError(command, reply, `${expressions.length} number(s), tab-separated`);
    return values;
  }

  // The TSP simulator's probe station and clock are its `sim` table, not `:SIM:` commands.
  override async selectCell(cell: number): Promise<boolean> {
    if (!this.virtual) return false;
    await this.session.write(`sim.cell = ${cell}`);
    await this.session.checkErrors(`while moving to cell ${cell}`);
    return true;
  }

  override async idle(seconds: number): Promise<boolean> {
    if (!this.virtual) return false;
    await this.session.write(`sim.wait(${seconds})`);
    await this.session.opc(this.timeoutFor(seconds));
    return true;
  }

  override async virtualDie(): Promise<string | null> {
    if (!this.virtual) return null;
    return (await this.session.query('print(sim.die)')).trim();
  }

  async prepare(): Promise<InstrumentErrorEntry[]> {
    await this.output(false);
    if (await this.outputState())
      throw new SafetyError(`${this.identity.model} reports ${this.smu} still on after switching it off.`);
    const leftover = await this.session.drainErrors();
    await this.session.write(`${this.smu}.reset()`);
    await this.session.write('errorqueue.clear()');
    await this.session.opc();
    this.config = undefined;
    this.level = 0;
    const [f] = await this.printNumbers(['localnode.linefreq']);
    this.lineFrequency = f === 60 ? 60 : 50;
    // The pulse, as a script in the instrument: called per pulse with reram_v, reram_w, reram_md.
    const s = this.smu;
    const script = [
      `loadscript ${PULSE_SCRIPT}`,
      `${s}.trigger.source.listv({reram_v})`,
      'trigger.timer[1].delay = reram_w',
      `${s}.measure.nplc = reram_pn`,
      `${s}.measure.delay = reram_md`,
      `${s}.nvbuffer1.clear()`,
      `${s}.trigger.initiate()`,
      'waitcomplete()',
      `${s}.measure.nplc = reram_rn`,
      `${s}.measure.delay = 0`,
      `printbuffer(1, ${s}.nvbuffer1.n, ${s}.nvbuffer1.readings)`,
      'endscript',
    ];
    for (const line of script) await this.session.write(line);
    await this.session.checkErrors('while loading the pulse script');
    return leftover;
  }

  async configure(config: SmuConfig): Promise<void> {
    const resolved: ResolvedConfig = resolveConfig(config, this.capabilities.terminals);
    if (resolved.terminals !== 'rear')
      throw new ReramError('UNSUPPORTED', `The ${this.identity.model} has rear terminals only.`);
    const { min, max } = this.nplcRange();
    if (!(resolved.nplc >= min && resolved.nplc <= max))
      throw new ReramError(
        'OUT_OF_RANGE',
        `NPLC ${resolved.nplc} is outside ${min}–${max} on the ${this.identity.model}.`,
      );
    const s = this.smu;
    const range = resolved.currentRange ?? 'auto';
    const lines = [
      `${s}.source.func = ${s}.OUTPUT_DCVOLTS`,
      `${s}.source.offmode = ${s}.OUTPUT_NORMAL`,
      `${s}.source.autorangev = ${s}.AUTORANGE_ON`,
      `${s}.source.limiti = ${resolved.compliance}`,
      `${s}.measure.nplc = ${resolved.nplc}`,
      range === 'auto' ? `${s}.measure.autorangei = ${s}.AUTORANGE_ON` : `${s}.measure.rangei = ${range}`,
      `${s}.measure.autozero = ${resolved.autoZero ? `${s}.AUTOZERO_AUTO` : `${s}.AUTOZERO_ONCE`}`,
      `${s}.sense = ${resolved.sense === '4w' ? `${s}.SENSE_REMOTE` : `${s}.SENSE_LOCAL`}`,
      // The pulse's trigger model: level from the list, timer 1 ends it, current read into nvbuffer1.
      `${s}.trigger.source.action = ${s}.ENABLE`,
      `${s}.trigger.source.limiti = ${resolved.compliance}`,
      `${s}.trigger.measure.action = ${s}.ENABLE`,
      `${s}.trigger.measure.i(${s}.nvbuffer1)`,
      `${s}.trigger.endpulse.action = ${s}.SOURCE_IDLE`,
      `${s}.trigger.endpulse.stimulus = trigger.timer[1].EVENT_ID`,
      'trigger.timer[1].count = 1',
      'trigger.timer[1].passthrough = false',
      `trigger.timer[1].stimulus = ${s}.trigger.ARMED_EVENT_ID`,
      `${s}.trigger.count = 1`,
      `${s}.trigger.arm.count = 1`,
      `${s}.nvbuffer1.appendmode = 0`,
    ];
    for (const line of lines) await this.session.write(line);
    await this.session.checkErrors('while configuring');
    this.config = resolved;
  }

  async setVoltage(v: number): Promise<void> {
    await this.session.write(`${this.smu}.source.levelv = ${v}`);
    this.level = v;
  }

  async output(on: boolean): Promise<void> {
    await this.session.write(`${this.smu}.source.output = ${this.smu}.${on ? 'OUTPUT_ON' : 'OUTPUT_OFF'}`);
  }

  async outputState(): Promise<boolean> {
    const [state] = await this.printNumbers([`${this.smu}.source.output`]);
    return state === 1;
  }

  private timeoutFor(seconds: number): number {
    return operationTimeout(this.session, seconds);
  }

  private readingSeconds(): number {
    return (this.config?.nplc ?? 1) / this.lineFrequency + K2600_PULSE.readingOverheadS;
  }

  async measure(): Promise<Measurement> {
    // iv() returns the current and the voltage of one reading: print shows both, tab-separated.
    const command = `print(${this.smu}.measure.iv())`;
    const reply = await this.session.query(command, { timeoutMs: this.timeoutFor(this.readingSeconds()) });
    const values = reply.split('\t').map((p) => Number(p.trim()));
    if (values.length !== 2 || values.some((x) => !Number.isFinite(x)))
      throw new ScpiParseError(command, reply, 'current and voltage, tab-separated');
    const limited = (await this.session.query(`print(${this.smu}.source.compliance)`)).trim();
    if (limited !== 'true' && limited !== 'false')
      throw new ScpiParseError(`print(${this.smu}.source.compliance)`, limited, 'true or false');
    const i = reading(values[0]!);
    const v = reading(values[1]!);
    return {
      vSource: this.level,
      v: v.value,
      i: i.value,
      compliance: limited === 'true',
      rangeCompliance: false,
      overflow: i.overflow || v.overflow,
      time: null,
    };
  }

  /** The shortest pulse holds the shortest reading (0.001 PLC) and its overhead. */
  pulseWidthRange(): { min: number; max: number } {
    const shortestReading = K2600_INFO.nplc(this.lineFrequency).min / this.lineFrequency;
    return {
      min: Math.max(K2600_PULSE.minWidthS, shortestReading + K2600_PULSE.readingOverheadS),
      max: K2600_PULSE.maxWidthS,
    };
  }

  nplcRange(): { min: number; max: number } {
    return K2600_INFO.nplc(this.lineFrequency);
  }

  async pulse(v: number, width: number): Promise<Measurement> {
    const { min, max } = this.pulseWidthRange();
    if (!(width >= min * 0.999999 && width <= max))
      throw new ReramError(
        'OUT_OF_RANGE',
        `A ${formatSeconds(width)} pulse is outside what the ${this.identity.model} can make with these settings (${formatSeconds(min)} to ${formatSeconds(max)}).`,
        { width, min, max },
      );
    // The reading fits in the top: at most half the width and the configured integration, at
    // least 0.001 PLC; the measure delay puts its aperture at the end of the top.
    const f = this.lineFrequency;
    const readNplc = this.config?.nplc ?? 1;
    const overhead = K2600_PULSE.readingOverheadS;
    const pulseNplc = Math.max(
      0.001,
      Math.floor(Math.min(((width - overhead) / 2) * f, readNplc) * 1000) / 1000,
    );
    const measureDelay = Math.max(0, Number((width - pulseNplc / f - overhead).toPrecision(6)));
    const command = `reram_v = ${v} reram_w = ${width} reram_pn = ${pulseNplc} reram_rn = ${readNplc} reram_md = ${measureDelay} ${PULSE_SCRIPT}()`;
    const reply = await this.session.query(command, { timeoutMs: this.timeoutFor(width) });
    const value = Number(reply.trim());
    if (!Number.isFinite(value)) throw new ScpiParseError(command, reply, 'one reading (printbuffer)');
    const r = reading(value);
    const compliance = r.value !== null && Math.abs(r.value) >= 0.999 * (this.config?.compliance ?? Infinity);
    return {
      vSource: v,
      v: null,
      i: r.value,
      compliance,
      rangeCompliance: false,
      overflow: r.overflow,
      time: null,
      width: { nominal: width, achieved: width, basis: 'hardware' },
    };
  }

  list(vs: number[], dwell: number): Promise<Measurement[]> {
    return hostStaircase(this, vs, dwell);
  }

  errors(): Promise<InstrumentErrorEntry[]> {
    return this.session.drainErrors();
  }

  switchOff(timeoutMs: number): Promise<OffReport> {
    const s = this.smu;
    return runOffProtocol(
      this.session,
      {
        what: `${this.identity.model} reports ${s}`,
        // Stop a running trigger model first: it would switch the level back on.
        off: `${s}.abort() ${s}.source.output = ${s}.OUTPUT_OFF`,
        confirm: `print(${s}.source.output, "${OFF_MARK}")`,
        state: (line) => {
          const [state, mark] = line.split('\t');
          return mark?.trim() === OFF_MARK ? Number(state) !== 0 : undefined;
        },
        secondLink: {
          off: `${s}.source.output = ${s}.OUTPUT_OFF`,
          isOn: async (second) => Number(await second.query(`print(${s}.source.output)`)) !== 0,
        },
      },
      timeoutMs,
      this.options.openSecondLink,
    );
  }

  async settings(): Promise<Record<string, unknown>> {
    const s = this.smu;
    const names = {
      level: `${s}.source.levelv`,
      compliance: `${s}.source.limiti`,
      nplc: `${s}.measure.nplc`,
      autoRangeCurrent: `${s}.measure.autorangei`,
      currentRange: `${s}.measure.rangei`,
      remoteSense: `${s}.sense`,
      autoZero: `${s}.measure.autozero`,
      offMode: `${s}.source.offmode`,
    };
    const values = await this.printNumbers(Object.values(names));
    const snapshot: Record<string, unknown> = {
      driver: this.driver,
      idn: this.identity.raw,
      resource: this.resource,
      channel: s,
      lineFrequency: this.lineFrequency,
      ...(this.config ? { config: this.config } : {}),
    };
    Object.keys(names).forEach((name, k) => (snapshot[name] = values[k]));
    snapshot.units = { lineFrequency: 'Hz', level: 'V', compliance: 'A', nplc: 'PLC', currentRange: 'A' };
    snapshot.output = await this.outputState();
    await this.session.checkErrors('while reading the settings back');
    return snapshot;
  }

  async diagnose(): Promise<CheckItem[]> {
    const { items, add } = checkList();
    await add('identity and driver', async () => ({
      status: 'ok',
      detail: `${this.identity.make} ${this.identity.model}, serial ${this.identity.serial}, firmware ${this.identity.firmware}: driver ${this.driver}, channel ${this.smu}${this.virtual ? ' (the virtual SMU)' : ''}`,
    }));
    await add('command language', async () => ({ status: 'ok', detail: "TSP (Lua), the 2600B's own" }));
    await add('terminators', async () => {
      const { ms: _ms, ...item } = await roundTripCheck(this.session);
      return item;
    });
    await add('line frequency', async () => {
      const [f] = await this.printNumbers(['localnode.linefreq']);
      this.lineFrequency = f === 60 ? 60 : 50;
      return { status: 'ok', detail: `${f} Hz: 1 PLC = ${(1000 / f!).toFixed(2)} ms` };
    });
    await add('error queue', () => errorQueueCheck(this.session));
    await add('output', async () => {
      const [on, offMode] = await this.printNumbers([
        `${this.smu}.source.output`,
        `${this.smu}.source.offmode`,
      ]);
      const mode = offMode === 0 ? 'normal' : offMode === 2 ? 'zero' : 'high-Z';
      const detail = `${on === 1 ? 'ON' : 'off'}; off-state ${mode}`;
      return on === 1
        ? {
            status: 'fail',
            detail,
            fix: 'Switch the output off (the front-panel OUTPUT key); every run starts by switching it off and confirming.',
          }
        : { status: 'ok', detail };
    });
    await add('shortest pulse', async () => ({
      status: 'ok',
      detail: `${formatSeconds(this.pulseWidthRange().min)} (trigger model, timer 1; measured at the end of the top)`,
    }));
    await this.session.checkErrors('during the bring-up check').catch(() => undefined);
    return items;
  }
}
