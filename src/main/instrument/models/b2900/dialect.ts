/** The virtual Keysight B2900: its SCPI command table, as its manual gives the commands. */
import type { Reading, VirtualInstrument } from '../../../virtual-smu/instrument';
import {
  formatScpiNumber,
  parseBoolean,
  parseNumber,
  SCPI_ERRORS,
  UNMEASURED,
} from '../../../virtual-smu/scpi-parser';
import {
  choice,
  common,
  flag,
  formatElements,
  number,
  OVERFLOW_READING,
  onOff,
  perLayer,
  single,
  unquote,
  voltage,
  type Spec,
} from '../../../virtual-smu/scpi-dialect';

type State = VirtualInstrument;

const B2900_STATUS = { compliance: 1 << 1, rangeOverflow: 1 << 13 };

// ——— Keysight B2900 ———

function b2900Fields(s: State, r: Reading): string {
  const values: Record<string, number> = {
    VOLT: r.v,
    CURR: r.overflow ? OVERFLOW_READING : r.i,
    RES: UNMEASURED,
    TIME: r.t,
    STAT: (r.compliance ? B2900_STATUS.compliance : 0) | (r.overflow ? B2900_STATUS.rangeOverflow : 0),
    SOUR: r.vSource,
  };
  return s.elements.map((e) => formatScpiNumber(values[e] ?? UNMEASURED)).join(',');
}

/** The only channel list a single-channel B2901 accepts. */
function channel(args: string[]): void {
  if (args.length > 1) throw SCPI_ERRORS.parameterNotAllowed();
  const list = args[0];
  if (list !== undefined && list.replace(/\s/g, '') !== '(@1)') throw SCPI_ERRORS.illegalValue();
}

/** A query that takes the channel as its argument. */
const withChannel = (spec: Spec): Spec => ({ ...spec, queryArgs: true });

export function b2900(idn: (serial: string) => string): Spec[] {
  return [...common(idn), ...b2900Source(), ...b2900Sense(), ...b2900Trigger(), ...b2900Channels()];
}

/** Source: function, level, range, pulse, output-off state. */
function b2900Source(): Spec[] {
  return [
    choice(
      ':SOURce:FUNCtion:MODE',
      { VOLT: 'VOLTAGE', CURR: 'CURRENT' },
      () => 'VOLT',
      (_s, token) => {
        if (token !== 'VOLT') throw SCPI_ERRORS.settingsConflict();
      },
    ),
    choice(
      ':SOURce:FUNCtion:SHAPe',
      { DC: 'DC', PULS: 'PULSE' },
      (s) => s.pulseShape,
      (s, token) => void (s.pulseShape = token as 'DC' | 'PULS'),
    ),
    {
      pattern: ':SOURce:VOLTage[:LEVel][:IMMediate][:AMPLitude]',
      set: (s, args) => s.commandLevel(voltage(single(args))),
      query: (s) => formatScpiNumber(s.level),
    },
    {
      pattern: ':SOURce:VOLTage[:LEVel]:TRIGgered[:AMPLitude]',
      set: (s, args) => {
        s.triggerLevel = voltage(single(args));
        s.peakLevel = Math.max(s.peakLevel, Math.abs(s.triggerLevel));
      },
      query: (s) => formatScpiNumber(s.triggerLevel),
    },
    {
      pattern: ':SOURce:VOLTage:RANGe:AUTO',
      set: (_s, args) => void parseBoolean(single(args)),
      query: () => '1',
    },
    number(':SOURce:PULSe:WIDTh', 'pulseWidth', 50e-6, 100_000, 1e-3),
    number(':SOURce:PULSe:DELay', 'pulseDelay', 0, 99_999.9, 0),
    {
      pattern: ':SENSe:FUNCtion[:ON]',
      set: (_s, args) => {
        if (!args.length || !args.every((a) => ['CURR', 'VOLT'].includes(unquote(a).slice(0, 4))))
          throw SCPI_ERRORS.illegalValue();
      },
    },
  ];
}

/** Sense: limits, ranges, NPLC, remote sense, the reading format. */
function b2900Sense(): Spec[] {
  return [
    number(':SENSe:CURRent[:DC]:PROTection[:LEVel]', 'compliance', 1e-9, 3.03, 1e-4),
    { pattern: ':SENSe:CURRent[:DC]:PROTection:TRIPped', query: (s) => onOff(s.lastTrip) },
    {
      pattern: ':SENSe:CURRent[:DC]:NPLCycles',
      set: (s, args) =>
        void (s.nplc = parseNumber(single(args), {
          min: 8e-6 * s.lineFrequency,
          max: 2 * s.lineFrequency,
          def: 1,
        })),
      query: (s) => formatScpiNumber(s.nplc),
    },
    {
      pattern: ':SENSe:CURRent[:DC]:APERture',
      set: (s, args) =>
        void (s.nplc = parseNumber(single(args), { min: 8e-6, max: 2, def: 0.02 }) * s.lineFrequency),
      query: (s) => formatScpiNumber(s.nplc / s.lineFrequency),
    },
    {
      pattern: ':SENSe:CURRent[:DC]:RANGe[:UPPer]',
      set: (s, args) =>
        void (s.currentRange = parseNumber(single(args), { min: 10e-9, max: 3.03, def: 1e-4 })),
      query: (s) => formatScpiNumber(s.currentRange ?? 1e-4),
    },
    {
      pattern: ':SENSe:CURRent[:DC]:RANGe:AUTO',
      set: (s, args) => void (s.currentRange = parseBoolean(single(args)) ? null : (s.currentRange ?? 1e-4)),
      query: (s) => onOff(s.currentRange === null),
    },
    flag(':SENSe:REMote', 'remoteSense'),
    formatElements(':FORMat:ELEMents:SENSe', ['VOLT', 'CURR', 'RES', 'TIME', 'STAT', 'SOUR']),
  ];
}

/** The trigger and arm layers, output protection and the interlock. */
function b2900Trigger(): Spec[] {
  return [
    // The ALL form sets both layers and has no query form: each layer is read on its own.
    ...perLayer(
      ':TRIGger',
      'SOURce',
      choice(
        '',
        { AINT: 'AINT', BUS: 'BUS', TIM: 'TIMER', INT1: 'INT1', INT2: 'INT2' },
        (s) => s.triggerSource,
        (s, token) => void (s.triggerSource = token),
      ),
    ),
    ...perLayer(':TRIGger', 'COUNt', number('', 'triggerCount', 1, 100_000, 1, { integer: true })),
    ...perLayer(':ARM', 'COUNt', number('', 'armCount', 1, 100_000, 1, { integer: true })),
    number(':TRIGger:ACQuire:DELay', 'acquireDelay', 0, 100_000, 0),
    flag(':OUTPut:PROTection[:STATe]', 'offAtCompliance'),
    // 1 = the interlock circuit is open (tripped): the output is limited to ±42 V.
    { pattern: ':SYSTem:INTerlock:TRIPped', query: (s) => (s.interlockAsserted ? '0' : '1') },
    flag(':OUTPut:OFF:AUTO', 'autoOff'),
    choice(
      ':OUTPut:OFF:MODE',
      { ZERO: 'ZERO', HIZ: 'HIZ', NORM: 'NORMAL' },
      (s) => s.outputOffMode,
      (s, token) => void (s.outputOffMode = token),
    ),
    {
      pattern: ':INITiate[:IMMediate][:ALL]',
      set: (s, args) => {
        channel(args);
        s.trigger();
      },
    },
  ];
}

/** Per-channel queries: IDLE, FETCh and MEASure. */
function b2900Channels(): Spec[] {
  return [
    withChannel({ pattern: ':IDLE', query: (_s, args) => (channel(args), '1') }),
    withChannel({
      pattern: ':FETCh[:SCALar]',
      query: (s, args) => {
        channel(args);
        const last = s.fetched[s.fetched.length - 1];
        if (!last) throw SCPI_ERRORS.settingsConflict();
        return b2900Fields(s, last);
      },
    }),
    withChannel({
      pattern: ':FETCh:ARRay',
      query: (s, args) => {
        channel(args);
        return s.fetched.map((r) => b2900Fields(s, r)).join(',');
      },
    }),
    withChannel({
      pattern: ':MEASure',
      query: (s, args) => {
        channel(args);
        if (!s.output) throw SCPI_ERRORS.settingsConflict();
        return b2900Fields(s, s.measureNow());
      },
    }),
  ];
}
