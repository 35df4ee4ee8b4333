/** The Keysight B2900's facts from its manual, read by both its driver and its simulator. */
import type { SmuModelInfo } from '../model';

/** The B2900's pulse width range (User's Guide, "Pulse Output"). */
export const B2900_PULSE = {
  minWidthS: 50e-6,
  maxWidthS: 100_000,
  minApertureS: 8e-6,
  maxApertureS: 2,
  /** A reading's time beyond its aperture: our estimate (as the 2450's), the manual gives none. */
  readingOverheadS: 0.5e-3,
} as const;

/** What the app shows and checks of the model. */
export const B2900_INFO: SmuModelInfo & { id: 'b2900' } = {
  id: 'b2900',
  label: 'Keysight B2900',
  links: ['lan', 'usb', 'gpib'],
  terminals: ['rear'],
  maxVoltage: 210,
  maxCompliance: 3.03,
  nplc: (f) => ({ min: 8e-6 * f, max: 2 * f }),
};

/** *IDN? as a B2901B answers it (the simulator's, with its serial). */
export const b2900Idn = (serial: string) => `Keysight Technologies,B2901B,${serial},5.0.2116.3970`;
