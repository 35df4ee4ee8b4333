/** Keysight B1500A semiconductor device analyzer in FLEX, at the SMU level, over GPIB or LAN. */
import { virtualTraits } from '../../../virtual-smu/instrument';
import type { SmuModel } from '../model';
import { KeysightB1500 } from './driver';
import { B1500_INFO, b1500Idn } from './facts';
import { FlexInterpreter } from './flex';

export const B1500_MODEL: SmuModel<'b1500'> = {
  info: B1500_INFO,
  driver: {
    matches: (id) => KeysightB1500.matches(id),
    create: (session, identity, options) => KeysightB1500.open(session, identity, options),
  },
  simulator: {
    idn: b1500Idn,
    traits: virtualTraits({
      model: 'b1500',
      // The compliance DV gives when none is named (our stand-in; the FLEX interpreter sets it).
      compliance: 100e-6,
      terminals: 'REAR',
      // A reading is its ADC time (AIT sets it in seconds): no overhead beyond it.
    }),
    // CR/LF (EOI on GPIB); data items of one message joined by ','.
    terminator: '\r\n',
    replies: ',',
    interpreter: (instrument, die) => new FlexInterpreter(instrument, die, instrument.serial),
  },
};
