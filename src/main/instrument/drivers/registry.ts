/**
 * Which driver runs which instrument, decided from *IDN?: one entry per model family. A new
 * model is an entry here plus its driver file (and its dialect in the virtual SMU).
 */
import { ReramError } from '../../../shared/errors';
import type { SmuModelId } from '../../../shared/instruments';
import type { InstrumentIdentity } from '../../../shared/run';
import type { ScpiSession } from '../scpi/session';
import { KeysightB1500 } from './b1500';
import { KeysightB2900 } from './b2900';
import { Keithley2400 } from './k2400';
import { Keithley2450 } from './k2450';
import { Keithley2600 } from './k2600';
import { Keithley4200 } from './k4200';
import type { DriverOptions } from './scpi-driver';
import type { Smu } from './smu';

export interface DriverEntry {
  model: SmuModelId;
  matches(identity: InstrumentIdentity): boolean;
  /** Checks that must pass before the driver may talk to the instrument (command language…). */
  verify?(session: ScpiSession): Promise<void>;
  /** The driver; a mainframe driver may first ask the instrument which module to drive. */
  create(session: ScpiSession, identity: InstrumentIdentity, options: DriverOptions): Smu | Promise<Smu>;
}

const make = (identity: InstrumentIdentity) => identity.make.toUpperCase();
const model = (identity: InstrumentIdentity) => identity.model.toUpperCase();

export const DRIVERS: readonly DriverEntry[] = [
  {
    model: '2400',
    matches: (id) => make(id).includes('KEITHLEY') && /^24(0[0-1]|10|20|25|30|40)\b/.test(model(id)),
    create: (session, identity, options) => new Keithley2400(session, identity, options),
  },
  {
    model: '2450',
    matches: (id) => make(id).includes('KEITHLEY') && /^24(50|60|61|70)\b/.test(model(id)),
    verify: (session) => Keithley2450.checkLanguage(session),
    create: (session, identity, options) => new Keithley2450(session, identity, options),
  },
  {
    model: '2600',
    matches: (id) => Keithley2600.matches(id),
    create: (session, identity, options) => new Keithley2600(session, identity, options),
  },
  {
    model: 'b2900',
    matches: (id) =>
      // The SMUs only (B2901/2/10/11/12, A/B/BL): the B2961/62 power sources and the B2981–B2987
      // electrometers share the B29 prefix but have neither this source nor this command set.
      (make(id).includes('KEYSIGHT') || make(id).includes('AGILENT')) &&
      /^B29(0[12]|1[012])(A|B|BL)?$/.test(model(id)),
    create: (session, identity, options) => new KeysightB2900(session, identity, options),
  },
  {
    model: 'b1500',
    matches: (id) => KeysightB1500.matches(id),
    create: (session, identity, options) => KeysightB1500.open(session, identity, options),
  },
  {
    model: '4200a',
    matches: (id) => Keithley4200.matches(id),
    create: (session, identity, options) => Keithley4200.open(session, identity, options),
  },
];

export function driverEntryFor(identity: InstrumentIdentity): DriverEntry {
  const entry = DRIVERS.find((d) => d.matches(identity));
  if (entry) return entry;
  if (/^B29[68]\d/.test(model(identity)))
    throw new ReramError(
      'UNSUPPORTED',
      `${identity.make} ${identity.model} is a Keysight ${/^B298/.test(model(identity)) ? 'electrometer' : 'low-noise power source'}, not a source-measure unit; the B2900 driver runs the B2901/B2902/B2910/B2911/B2912 SMUs.`,
    );
  throw new ReramError(
    'UNSUPPORTED',
    `No driver for '${identity.raw}'. Supported: Keithley 2400 family, Keithley 2450, Keithley 2600B (TSP), Keysight B2900, Keysight B1500A (FLEX), Keithley 4200A-SCS (KXCI).`,
  );
}
