/** The Keithley 2450's facts from its manual, read by both its driver and its simulator. */
import type { SmuModelInfo } from '../model';

/** The 2450's source delay, :SOURce:VOLTage:DELay, 0 to 4 s (reference manual p. 2-111). */
export const K2450_TIMING = {
  maxSourceDelayS: 4,
  /**
   * A reading's A/D and firmware time beyond its integration: our estimate (the 2450 manual gives
   * no timing appendix), so trigger-model pulse widths are reported as estimates ("model").
   */
  readingOverheadS: 0.5e-3,
} as const;

/** What the app shows and checks of the model. */
export const K2450_INFO: SmuModelInfo & { id: '2450' } = {
  id: '2450',
  label: 'Keithley 2450',
  links: ['lan', 'usb', 'gpib'],
  terminals: ['front', 'rear'],
  maxVoltage: 210,
  maxCompliance: 1.05,
  nplc: () => ({ min: 0.01, max: 10 }),
};

/** *IDN? as the 2450 answers it (the simulator's, with its serial). */
export const k2450Idn = (serial: string) => `KEITHLEY INSTRUMENTS,MODEL 2450,${serial},1.7.12b`;
