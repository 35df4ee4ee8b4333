/** The Keithley 4200A-SCS's facts from its manual, read by both its driver and its simulator. */
import type { SmuModelInfo } from '../model';

/**
 * Keithley 4200A-SCS through KXCI, its external-control program, at the SMU level. The facts we
 * hold come from PyMeasure's keithley4200.py and its protocol tests, not from the KXCI manual (not
 * in our library; docs/bench-setup.md lists what is unchecked):
 * - LAN port 1225, commands and replies end with NUL;
 * - `ID` answers "KI4200A V…"; `*OPT?` lists the cards ("SMU1,SMUPA2,…,CVU1");
 * - user-mode commands `US;DV ch,range,V,Icomp`, `US;DV ch` (the SMU back to 0 V), `US;TI ch` and
 *   `US;TV ch`, each setting answered "ACK"; readings as status, channel, type letters then the
 *   value ("NAI+1.2345E-06"); `SP` the status byte (bit 1 a syntax error), `BC` clears the buffer.
 * Pulses are DV steps timed by the host: KXCI's SMU commands have no pulse timing, and the
 * 4225-PMU's KXCI commands are not driven (no manual to check them against).
 */
export const K4200_KXCI = {
  port: 1225,
  /** The integration time IT4 takes in PLC (stand-in range: the 4200A's 0.01–10 PLC A/D aperture). */
  minPlc: 0.01,
  maxPlc: 10,
  /** A host-timed pulse is never shorter than this, whatever the link's round trip. */
  minHostPulseS: 5e-3,
  maxPulseS: 100,
  /** The output counts as off when the SMU's own voltage reading is within this of 0 V. */
  offVoltageV: 0.01,
  /** Status byte bits (PyMeasure's StatusCode). */
  status: { dataReady: 1, syntaxError: 2, busy: 16 },
} as const;

/** What the app shows and checks of the model. */
export const K4200_INFO: SmuModelInfo & { id: '4200a' } = {
  id: '4200a',
  label: 'Keithley 4200A-SCS (KXCI)',
  links: ['lan', 'gpib'],
  terminals: ['rear'],
  // The 4200-SMU (medium power): ±210 V, 100 mA; the 4210-SMU's 1 A is not offered here.
  maxVoltage: 210,
  maxCompliance: 0.1,
  nplc: () => ({ min: K4200_KXCI.minPlc, max: K4200_KXCI.maxPlc }),
  lanTerminator: 'NUL',
};

/** KXCI's ID reply (it has no *IDN?), as PyMeasure's tests show it, with the simulator's serial. */
export const k4200Id = (serial: string) => `KI4200A V1.16 ${serial}`;
