/** Keysight B2900 precision SMUs (B2901/2/10/11/12, A/B/BL), SCPI over LAN, USB or GPIB. */
import { virtualTraits } from '../../../virtual-smu/instrument';
import type { SmuModel } from '../model';
import { b2900 } from './dialect';
import { KeysightB2900 } from './driver';
import { B2900_INFO, B2900_PULSE, b2900Idn } from './facts';

export const B2900_MODEL: SmuModel<'b2900'> = {
  info: B2900_INFO,
  driver: {
    matches: (id) =>
      // The SMUs only: the B2961/62 power sources and the B2981–B2987 electrometers share the
      // B29 prefix but have neither this source nor this command set (the registry names them).
      (id.make.toUpperCase().includes('KEYSIGHT') || id.make.toUpperCase().includes('AGILENT')) &&
      /^B29(0[12]|1[012])(A|B|BL)?$/.test(id.model.toUpperCase()),
    create: (session, identity, options) => new KeysightB2900(session, identity, options),
  },
  simulator: {
    idn: b2900Idn,
    traits: virtualTraits({
      model: 'b2900',
      compliance: 100e-6,
      terminals: 'REAR',
      elements: ['VOLT', 'CURR', 'RES', 'TIME', 'STAT', 'SOUR'],
      // :OUTP:PROT is ON after *RST: the output turns off when compliance is reached.
      offAtCompliance: true,
      readingOverheadS: () => B2900_PULSE.readingOverheadS,
    }),
    terminator: '\n',
    replies: ';',
    commands: b2900,
  },
};
