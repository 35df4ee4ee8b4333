/**
 * Keysight B1500A semiconductor device analyzer, one SMU module (B1517A HRSMU or B1511A/B MPSMU)
 * on the cell, in the mainframe's own command set, FLEX. The session's conventions read the error
 * queue with ERRX?; data come back in FMT 1 (status, channel and type letters, then ±ddd.dddE±dd).
 *
 * - The module: the slot the user names (`--slot`), or the first SMU that UNT? lists. A slot that
 *   holds something else is refused by name: a WGFMU (B1530A) is out of scope, as are the SPGU
 *   and the CMU, and this driver runs the HRSMU and MPSMU only.
 * - Output on is CN (the channel connects at 0 V), then DV to the level; off is CL, confirmed by
 *   `*LRN? 0` (CL, or CN with the channels still connected).
 * - DC reads are high-speed spot measurements (TIV): the high-resolution ADC in PLC mode for
 *   1–100 PLC, the high-speed ADC in time mode below 1 PLC.
 * - Pulses are pulsed spot measurements (MM 3): PT sets the width (0.5 ms – 2 s, 0.1 ms steps) and
 *   the period, PV the base (0 V) and the top, XE runs it; the instrument times the pulse and
 *   reads at the end of the top over the pulsed-measurement ADC's time (AIT 2, 3, t). The output
 *   stays connected at the 0 V base between pulses.
 */
import { ReramError } from '../../../../shared/errors';
import { B1500_FLEX, B1500_INFO, b1500PulsePeriod } from './facts';
import type { InstrumentIdentity } from '../../../../shared/run';
import { SafetyError, ScpiParseError, type InstrumentErrorEntry } from '../../errors';
import { FLEX_CONVENTIONS, type ScpiSession } from '../../scpi/session';
import {
  checkList,
  formatSeconds,
  hostStaircase,
  errorQueueCheck,
  operationTimeout,
  resolveConfig,
  roundTripCheck,
  SessionDriver,
  type DriverOptions,
  type ResolvedConfig,
} from '../../drivers/scpi-driver';
import { runOffProtocol } from '../../drivers/switch-off';
import type { CheckItem, Measurement, OffReport, Smu, SmuCapabilities, SmuConfig } from '../../drivers/smu';

const INFO = B1500_INFO;

/** One FMT 1/11 data item: status, channel, type, value. */
interface FlexItem {
  status: string;
  channel: string;
  type: string;
  value: number;
}

const ITEM = /^([A-Z])([A-Ja-jVZ])([A-Za-z])([+-]\d{3}\.\d{3,4}E[+-]\d{2})$/;

export function parseFlexItems(command: string, reply: string, expected: number): FlexItem[] {
  const parts = reply.trim().split(',');
  const items = parts.map((part) => ITEM.exec(part.trim()));
  if (parts.length !== expected || items.some((m) => !m))
    throw new ScpiParseError(command, reply, `${expected} FMT 1 data item(s) such as NAI+000.123E-06`);
  return items.map((m) => ({ status: m![1]!, channel: m![2]!, type: m![3]!, value: Number(m![4]) }));
}

/** `*LRN? 0`: "CL" (all off) or "CN1,2…" (the connected channels); undefined for any other reply. */
export function parseOutputSwitches(reply: string): number[] | undefined {
  const text = reply.trim();
  if (text === 'CL') return [];
  const match = /^CN(\d+(?:,\d+)*)$/.exec(text);
  return match ? match[1]!.split(',').map(Number) : undefined;
}

/** The modules UNT? lists, by slot (1…10); "0" is an empty slot. */
export function parseModules(reply: string): Map<number, string> {
  const modules = new Map<number, string>();
  reply
    .trim()
    .split(';')
    .forEach((entry, k) => {
      const model = entry.split(',')[0]!.trim();
      if (model !== '' && model !== '0') modules.set(k + 1, model);
    });
  return modules;
}

export class KeysightB1500 extends SessionDriver implements Smu {
  readonly driver = 'b1500';
  readonly capabilities: SmuCapabilities = {
    maxPulseWidth: B1500_FLEX.maxWidthS,
    maxVoltage: INFO.maxVoltage,
    maxCompliance: INFO.maxCompliance,
    truePulse: true,
    terminals: INFO.terminals,
  };
  private config: ResolvedConfig | undefined;
  private level = 0;
  private on = false;
  /** The power-line frequency is a mainframe setting FLEX does not report: times in PLC assume this. */
  private readonly lineFrequency = 50;

  private constructor(
    session: ScpiSession,
    identity: InstrumentIdentity,
    options: DriverOptions,
    /** The SMU's slot (its FLEX channel number) and module. */
    readonly slot: number,
    readonly module: string,
    private readonly modules: Map<number, string>,
  ) {
    super(session, identity, options);
  }

  static matches(identity: InstrumentIdentity): boolean {
    const make = identity.make.toUpperCase();
    return (
      (make.includes('KEYSIGHT') || make.includes('AGILENT')) && /^B1500A$/.test(identity.model.toUpperCase())
    );
  }

  /** Reads the mainframe's modules and takes the SMU to drive; refuses any other module by name. */
  static async open(
    session: ScpiSession,
    identity: InstrumentIdentity,
    options: DriverOptions,
  ): Promise<KeysightB1500> {
    session.conventions = FLEX_CONVENTIONS;
    const modules = parseModules(await session.query('UNT?'));
    const smus = [...modules].filter(([, model]) => model in B1500_FLEX.smuModules);
    const slot = options.slot ?? smus[0]?.[0];
    const listing = [...modules].map(([s, m]) => `slot ${s}: ${m}`).join(', ') || 'none';
    if (slot === undefined)
      throw new ReramError('UNSUPPORTED', `The B1500A lists no HRSMU or MPSMU module (UNT?: ${listing}).`);
    const model = modules.get(slot);
    if (!model)
      throw new ReramError('UNSUPPORTED', `Slot ${slot} of the B1500A is empty (modules: ${listing}).`);
    if (!(model in B1500_FLEX.smuModules)) {
      const what = B1500_FLEX.otherModules[model] ?? 'not a DC SMU';
      throw new ReramError(
        'UNSUPPORTED',
        `Slot ${slot} holds a ${model} ${what}: ReRAM Bench drives the B1500A's HRSMU/MPSMU modules only (a WGFMU needs its own library and is out of scope). Choose an SMU slot (modules: ${listing}).`,
      );
    }
    return new KeysightB1500(session, identity, options, slot, model, modules);
  }

  private timeoutFor(seconds: number): number {
    return operationTimeout(this.session, seconds);
  }

  async prepare(): Promise<InstrumentErrorEntry[]> {
    await this.output(false);
    if (await this.outputState())
      throw new SafetyError(`The B1500A reports channel ${this.slot} still connected after CL.`);
    const leftover = await this.session.drainErrors();
    await this.session.write('*RST');
    // ASCII with header (status, channel, type), measurement data only.
    await this.session.write('FMT 1,0');
    await this.session.opc();
    await this.session.checkErrors('while resetting');
    this.config = undefined;
    this.level = 0;
    this.on = false;
    return leftover;
  }

  async configure(config: SmuConfig): Promise<void> {
    const resolved: ResolvedConfig = resolveConfig(config, this.capabilities.terminals);
    if (resolved.terminals !== 'rear')
      throw new ReramError(
        'UNSUPPORTED',
        'The B1500A SMU modules have their (triaxial) terminals at the rear only.',
      );
    if (!(resolved.compliance > 0 && resolved.compliance <= INFO.maxCompliance))
      throw new ReramError(
        'OUT_OF_RANGE',
        `Compliance ${resolved.compliance} A is outside 1 pA – 100 mA on the ${this.module}.`,
      );
    const { min, max } = this.nplcRange();
    if (!(resolved.nplc >= min && resolved.nplc <= max))
      throw new ReramError(
        'OUT_OF_RANGE',
        `NPLC ${resolved.nplc} is outside ${Number(min.toPrecision(3))}–${max} on the B1500A.`,
      );
    if (resolved.nplc >= 1 && !Number.isInteger(resolved.nplc))
      throw new ReramError(
        'OUT_OF_RANGE',
        `NPLC ${resolved.nplc}: from 1 PLC up the B1500A's high-resolution ADC integrates whole power-line cycles (1, 2, … 100).`,
      );
    const ch = this.slot;
    const lines = [
      `CMM ${ch},1`,
      `RI ${ch},${this.rangeIndex(resolved.currentRange)}`,
      `AZ ${resolved.autoZero ? 1 : 0}`,
    ];
    if (resolved.nplc >= 1) lines.push(`AAD ${ch},1`, `AIT 1,2,${resolved.nplc}`);
    else lines.push(`AAD ${ch},0`, `AIT 0,3,${this.adcTime(resolved.nplc / this.lineFrequency)}`);
    for (const line of lines) await this.session.write(line);
    await this.session.checkErrors('while configuring');
    this.config = resolved;
    if (this.on) await this.applyLevel();
  }

  /** RI's index: 0 auto; a fixed decade range (−11 is 1 nA … −19 is 100 mA; −9, 10 pA, on the HRSMU). */
  private rangeIndex(range: number | 'auto' | undefined): number {
    if (range === undefined || range === 'auto') return 0;
    const decade = Math.round(Math.log10(range));
    const lowest = this.module === 'B1517A' ? -11 : -9;
    if (Math.abs(Math.log10(range) - decade) > 1e-6 || decade < lowest || decade > -1)
      throw new ReramError(
        'OUT_OF_RANGE',
        `The ${this.module} has decade current ranges from ${lowest === -11 ? '10 pA' : '1 nA'} to 100 mA, not ${range} A.`,
      );
    return -(decade + 20);
  }

  /** A/D time in its 2 µs steps, within 2 µs – 20 ms. */
  private adcTime(seconds: number): string {
    const t = Math.min(
      B1500_FLEX.maxAdcTimeS,
      Math.max(B1500_FLEX.minAdcTimeS, Math.round(seconds / 2e-6) * 2e-6),
    );
    return Number(t.toPrecision(6)).toString();
  }

  private compliance(): number {
    if (!this.config)
      throw new ReramError('INTERNAL', 'configure() must come before the output is switched on.');
    return this.config.compliance;
  }

  private async applyLevel(): Promise<void> {
    await this.session.write(`DV ${this.slot},0,${this.level},${this.compliance()}`);
  }

  async setVoltage(v: number): Promise<void> {
    if (!(Math.abs(v) <= INFO.maxVoltage))
      throw new ReramError('OUT_OF_RANGE', `${v} V is beyond the ${this.module}'s ±${INFO.maxVoltage} V.`);
    this.level = v;
    if (this.on) await this.applyLevel();
  }

  async output(on: boolean): Promise<void> {
    if (on) {
      this.compliance();
      await this.session.write(`CN ${this.slot}`);
      this.on = true;
      await this.applyLevel();
    } else {
      await this.session.write(`CL ${this.slot}`);
      this.on = false;
    }
  }

  async outputState(): Promise<boolean> {
    const reply = await this.session.query('*LRN? 0');
    const connected = parseOutputSwitches(reply);
    if (!connected) throw new ScpiParseError('*LRN? 0', reply, 'CL, or CN and the connected channels');
    return connected.includes(this.slot);
  }

  private readingSeconds(): number {
    return (this.config?.nplc ?? 1) / this.lineFrequency;
  }

  async measure(): Promise<Measurement> {
    const command = `TIV ${this.slot}`;
    const reply = await this.session.query(command, { timeoutMs: this.timeoutFor(this.readingSeconds()) });
    const [current, voltage] = parseFlexItems(command, reply, 2);
    const overflow = current!.status === 'V' || voltage!.status === 'V';
    return {
      vSource: this.level,
      v: voltage!.status === 'V' ? null : voltage!.value,
      i: current!.status === 'V' ? null : current!.value,
      compliance: current!.status === 'C',
      rangeCompliance: false,
      overflow,
      time: null,
    };
  }

  pulseWidthRange(): { min: number; max: number } {
    return { min: B1500_FLEX.minWidthS, max: B1500_FLEX.maxWidthS };
  }

  nplcRange(): { min: number; max: number } {
    return INFO.nplc(this.lineFrequency);
  }

  async pulse(v: number, width: number): Promise<Measurement> {
    const { min, max } = this.pulseWidthRange();
    if (!(width >= min * 0.999999 && width <= max))
      throw new ReramError(
        'OUT_OF_RANGE',
        `A ${formatSeconds(width)} pulse is outside what the B1500A's ${this.module} can make (${formatSeconds(min)} to ${formatSeconds(max)}).`,
        { width, min, max },
      );
    // The SMU pulse's width has 0.1 ms resolution: the instrument applies the nearest step.
    const applied = Number(
      (Math.round(width / B1500_FLEX.widthResolutionS) * B1500_FLEX.widthResolutionS).toFixed(4),
    );
    const compliance = this.compliance();
    // The reading fits in the top: at most half the width and the configured integration.
    const aperture = this.adcTime(Math.min(applied / 2, this.readingSeconds(), B1500_FLEX.maxAdcTimeS));
    const ch = this.slot;
    for (const line of [
      `AAD ${ch},2`,
      `AIT 2,3,${aperture}`,
      `PT 0,${applied},${b1500PulsePeriod(applied)}`,
      `PV ${ch},0,0,${v},${compliance}`,
      `MM 3,${ch}`,
    ])
      await this.session.write(line);
    const reply = await this.session.query('XE', { timeoutMs: this.timeoutFor(b1500PulsePeriod(applied)) });
    const [current] = parseFlexItems('XE', reply, 1);
    // Back to the DC reading's ADC; the output stays connected at the 0 V base.
    await this.session.write(`AAD ${ch},${(this.config?.nplc ?? 1) >= 1 ? 1 : 0}`);
    this.level = 0;
    return {
      vSource: v,
      v: null,
      i: current!.status === 'V' ? null : current!.value,
      compliance: current!.status === 'C',
      rangeCompliance: false,
      overflow: current!.status === 'V',
      time: null,
      width: { nominal: width, achieved: applied, basis: 'hardware' },
    };
  }

  list(vs: number[], dwell: number): Promise<Measurement[]> {
    return hostStaircase(this, vs, dwell);
  }

  errors(): Promise<InstrumentErrorEntry[]> {
    return this.session.drainErrors();
  }

  switchOff(timeoutMs: number): Promise<OffReport> {
    const isOn = (reply: string) => parseOutputSwitches(reply)?.includes(this.slot);
    return runOffProtocol(
      this.session,
      {
        what: `The B1500A reports channel ${this.slot}`,
        off: `CL ${this.slot}`,
        confirm: '*LRN? 0',
        state: isOn,
        secondLink: {
          off: `CL ${this.slot}`,
          isOn: async (second) => isOn(await second.query('*LRN? 0')) ?? true,
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
    const learned = await this.session.query('*LRN? 31');
    const snapshot: Record<string, unknown> = {
      driver: this.driver,
      idn: this.identity.raw,
      resource: this.resource,
      slot: this.slot,
      module: this.module,
      modules: Object.fromEntries(this.modules),
      lineFrequencyAssumed: this.lineFrequency,
      level: this.level,
      measurementSettings: learned.trim(),
      ...(this.config
        ? { config: this.config, compliance: this.config.compliance, nplc: this.config.nplc }
        : {}),
      units: { level: 'V', compliance: 'A', nplc: 'PLC', lineFrequencyAssumed: 'Hz' },
    };
    snapshot.output = await this.outputState();
    await this.session.checkErrors('while reading the settings back');
    return snapshot;
  }

  async diagnose(): Promise<CheckItem[]> {
    const { items, add } = checkList();
    await add('identity and driver', async () => ({
      status: 'ok',
      detail: `${this.identity.make} ${this.identity.model}, firmware ${this.identity.firmware}: driver ${this.driver}, ${this.module} in slot ${this.slot}${this.virtual ? ' (the virtual SMU)' : ''}`,
    }));
    await add('command language', async () => ({
      status: 'ok',
      detail: "FLEX, the B1500A's own (errors by ERRX?)",
    }));
    await add('modules', async () => ({
      status: 'ok',
      detail: [...this.modules]
        .map(([s, m]) => `slot ${s}: ${m}${s === this.slot ? ' (this SMU)' : ''}`)
        .join(', '),
    }));
    await add('terminators', async () => {
      const { ms: _ms, ...item } = await roundTripCheck(this.session);
      return item;
    });
    await add('line frequency', async () => ({
      status: 'warn',
      detail: `FLEX does not report it: integration times in PLC are the instrument's own, time estimates assume ${this.lineFrequency} Hz`,
      fix: 'Nothing to do for measurements; the B1500A integrates whole cycles of its own line setting.',
    }));
    await add('error queue', () => errorQueueCheck(this.session));
    await add('output', async () => {
      const on = await this.outputState();
      return on
        ? {
            status: 'fail',
            detail: `channel ${this.slot} connected`,
            fix: 'Disconnect it (CL, or the front panel); every run starts by disconnecting it and confirming.',
          }
        : { status: 'ok', detail: `channel ${this.slot} disconnected (CL)` };
    });
    await add('shortest pulse', async () => ({
      status: 'ok',
      detail: `${formatSeconds(this.pulseWidthRange().min)} (SMU pulsed spot measurement, 0.1 ms steps; read at the end of the top)`,
    }));
    await this.session.checkErrors('during the bring-up check').catch(() => undefined);
    return items;
  }
}
