/** Keithley 2450 (and 2460/2461/2470) in its SCPI command set, over LAN, USB or GPIB. */
import { virtualTraits } from '../../../virtual-smu/instrument';
import type { SmuModel } from '../model';
import { k2450 } from './dialect';
import { Keithley2450 } from './driver';
import { K2450_INFO, K2450_TIMING, k2450Idn } from './facts';

export const K2450_MODEL: SmuModel<'2450'> = {
  info: K2450_INFO,
  driver: {
    matches: (id) =>
      id.make.toUpperCase().includes('KEITHLEY') && /^24(50|60|61|70)\b/.test(id.model.toUpperCase()),
    verify: (session) => Keithley2450.checkLanguage(session),
    create: (session, identity, options) => new Keithley2450(session, identity, options),
  },
  simulator: {
    idn: k2450Idn,
    traits: virtualTraits({
      model: '2450',
      compliance: 105e-6,
      terminals: 'FRON',
      readingOverheadS: () => K2450_TIMING.readingOverheadS,
    }),
    terminator: '\n',
    replies: ';',
    commands: k2450,
  },
};
