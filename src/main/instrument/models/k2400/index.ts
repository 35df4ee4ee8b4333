/** Keithley 2400 family (2400/2401/2410/2420/2425/2430/2440), SCPI over RS-232 or GPIB. */
import { virtualTraits } from '../../../virtual-smu/instrument';
import type { SmuModel } from '../model';
import { k2400 } from './dialect';
import { Keithley2400 } from './driver';
import { K2400_INFO, K2400_TIMING, k2400Conversions, k2400FirmwareSeconds, k2400Idn } from './facts';

export const K2400_MODEL: SmuModel<'2400'> = {
  info: K2400_INFO,
  driver: {
    matches: (id) =>
      id.make.toUpperCase().includes('KEITHLEY') &&
      /^24(0[0-1]|10|20|25|30|40)\b/.test(id.model.toUpperCase()),
    create: (session, identity, options) => new Keithley2400(session, identity, options),
  },
  simulator: {
    idn: k2400Idn,
    traits: virtualTraits({
      model: '2400',
      compliance: 105e-6,
      terminals: 'FRON',
      // Appendix A's source-delay-measure cycle.
      sourceConfigurationS: K2400_TIMING.sourceConfigurationS,
      conversions: k2400Conversions,
      conversionOverheadS: K2400_TIMING.conversionOverheadS,
      readingOverheadS: k2400FirmwareSeconds,
    }),
    terminator: '\n',
    replies: ';',
    commands: k2400,
  },
};
