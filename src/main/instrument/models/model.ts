/**
 * What one source-measure unit model declares, in its own folder (`instrument/models/<model>/`: facts.ts, driver.ts, its dialect and index.ts):
 * the facts the app shows and checks, how its driver is chosen and made, and its simulator. The
 * simulator keeps a grammar of its own, written from the manual, so that it still catches driver
 * mistakes. Adding a model is that folder plus one entry in `registry.ts`.
 */
import type { LinkKind } from '../../../shared/api';
import type { InstrumentIdentity } from '../../../shared/run';
import type { Die } from '../../virtual-smu/die';
import type { VirtualInstrument, VirtualSmuTraits } from '../../virtual-smu/instrument';
import type { CommandSpec } from '../../virtual-smu/scpi-parser';
import type { DriverOptions } from '../drivers/scpi-driver';
import type { Smu } from '../drivers/smu';
import type { ScpiSession } from '../scpi/session';

export interface SmuModelInfo {
  id: string;
  label: string;
  /** How labs connect it. */
  links: readonly LinkKind[];
  terminals: readonly ('front' | 'rear')[];
  maxVoltage: number;
  maxCompliance: number;
  /** Integration range in PLC (the B2900's follows from its 8 µs – 2 s aperture). */
  nplc: (lineFrequency: number) => { min: number; max: number };
  /** Where messages end with something other than LF on the LAN (KXCI: NUL). */
  lanTerminator?: 'NUL';
}

export interface SmuDriverEntry {
  matches(identity: InstrumentIdentity): boolean;
  /** Checks that must pass before the driver may talk to the instrument (command language…). */
  verify?(session: ScpiSession): Promise<void>;
  /** The driver; a mainframe driver may first ask the instrument which module to drive. */
  create(session: ScpiSession, identity: InstrumentIdentity, options: DriverOptions): Smu | Promise<Smu>;
}

/** A command language other than SCPI (TSP, FLEX, KXCI): the simulator hands it every line but its own. */
export interface CommandInterpreter {
  execute(line: string): string[];
  /** Lines it leaves to the simulator's `:SIM` commands. */
  leavesToSimulator(line: string): boolean;
}

export interface SimulatedModel {
  /** The identity string the simulated instrument gives (*IDN?, or its language's equivalent). */
  idn(serial: string): string;
  traits: VirtualSmuTraits;
  /** Program and response messages end with this on the LAN and the GPIB bus. */
  terminator: '\n' | '\r\n' | '\0';
  /**
   * Replies to one message: joined by this into one message (SCPI ';', FLEX ','), or `lines`,
   * each its own message (TSP prints, KXCI).
   */
  replies: ';' | ',' | 'lines';
  /** The SCPI command table; the simulator's own `:SIM` commands are added to it. */
  commands?(idn: (serial: string) => string): Array<CommandSpec<VirtualInstrument>>;
  /** A language of its own, on the same instrument physics. */
  interpreter?(instrument: VirtualInstrument, die: Die, timeScale: number): CommandInterpreter;
}

export interface SmuModel<Id extends string = string> {
  info: SmuModelInfo & { id: Id };
  driver: SmuDriverEntry;
  simulator: SimulatedModel;
}
