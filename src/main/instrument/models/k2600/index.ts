/** Keithley 2600B System SourceMeters in TSP (Lua), over LAN, USB or GPIB. */
import { virtualTraits } from '../../../virtual-smu/instrument';
import type { SmuModel } from '../model';
import { Keithley2600 } from './driver';
import { K2600_INFO, K2600_PULSE, k2600Idn } from './facts';
import { TspInterpreter } from './tsp';

export const K2600_MODEL: SmuModel<'2600'> = {
  info: K2600_INFO,
  driver: {
    matches: (id) => Keithley2600.matches(id),
    create: (session, identity, options) => new Keithley2600(session, identity, options),
  },
  simulator: {
    idn: k2600Idn,
    traits: virtualTraits({
      model: '2600',
      // smua.reset(): smua.source.limiti 100 mA (reference manual, smuX.source.limitY).
      compliance: 0.1,
      terminals: 'REAR',
      readingOverheadS: () => K2600_PULSE.readingOverheadS,
    }),
    // Each print is its own line.
    terminator: '\n',
    replies: 'lines',
    interpreter: (instrument, die) => new TspInterpreter(instrument, die, instrument.serial),
  },
};
