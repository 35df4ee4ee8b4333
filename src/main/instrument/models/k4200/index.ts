/** Keithley 4200A-SCS parameter analyzer through KXCI, at the SMU level, over LAN (port 1225) or GPIB. */
import { virtualTraits } from '../../../virtual-smu/instrument';
import type { SmuModel } from '../model';
import { Keithley4200 } from './driver';
import { K4200_INFO, k4200Id } from './facts';
import { KxciInterpreter } from './kxci';

export const K4200_MODEL: SmuModel<'4200a'> = {
  info: K4200_INFO,
  driver: {
    matches: (id) => Keithley4200.matches(id),
    create: (session, identity, options) => Keithley4200.open(session, identity, options),
  },
  simulator: {
    // KXCI has no *IDN?: the interpreter answers ID; this is the label for logs.
    idn: k4200Id,
    traits: virtualTraits({
      model: '4200a',
      // KXCI sets the compliance with every DV (kxci.ts); this is only the power-on value.
      compliance: 100e-6,
      terminals: 'REAR',
      // A reading is its aperture.
    }),
    terminator: '\0',
    replies: 'lines',
    interpreter: (instrument, die, timeScale) =>
      new KxciInterpreter(instrument, die, instrument.serial, timeScale),
  },
};
