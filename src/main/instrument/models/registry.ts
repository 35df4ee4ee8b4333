/**
 * The source-measure units ReRAM Bench drives and simulates: one entry per model folder. The
 * driver is chosen from the instrument's identity (*IDN?, or its language's equivalent), in this
 * order; the first that matches runs it.
 */
import { ReramError } from '../../../shared/errors';
import type { SmuModelSummary } from '../../../shared/api';
import type { InstrumentIdentity } from '../../../shared/run';
import { B1500_MODEL } from './b1500';
import { B2900_MODEL } from './b2900';
import { K2400_MODEL } from './k2400';
import { K2450_MODEL } from './k2450';
import { K2600_MODEL } from './k2600';
import { K4200_MODEL } from './k4200';
import type { SmuDriverEntry } from './model';

export const SMU_MODEL_LIST = [
  K2400_MODEL,
  K2450_MODEL,
  B2900_MODEL,
  K2600_MODEL,
  B1500_MODEL,
  K4200_MODEL,
] as const;

type RegisteredModel = (typeof SMU_MODEL_LIST)[number];
export type SmuModelId = RegisteredModel['info']['id'];
export const SMU_MODEL_IDS: readonly SmuModelId[] = SMU_MODEL_LIST.map((m) => m.info.id);

/** Case-insensitive model lookup for flags, requests and files ("B2900", "b2900", "2400"). */
export function findSmuModel(text: string): RegisteredModel | undefined {
  const key = text.trim().toLowerCase();
  return SMU_MODEL_LIST.find((m) => m.info.id === key);
}

/** The model, or an error that lists the known ones. */
export function smuModel(text: string): RegisteredModel {
  const model = findSmuModel(text);
  if (!model)
    throw new ReramError(
      'INVALID_INPUT',
      `No instrument model '${text}'; the models are ${SMU_MODEL_IDS.join(', ')}.`,
    );
  return model;
}

export function smuModelSummaries(): SmuModelSummary[] {
  return SMU_MODEL_LIST.map(({ info }) => ({ id: info.id, label: info.label, links: [...info.links] }));
}

export interface DriverEntry extends SmuDriverEntry {
  model: SmuModelId;
}

export function driverEntryFor(identity: InstrumentIdentity): DriverEntry {
  const entry = SMU_MODEL_LIST.find((m) => m.driver.matches(identity));
  if (entry) return { ...entry.driver, model: entry.info.id };
  const model = identity.model.toUpperCase();
  if (/^B29[68]\d/.test(model))
    throw new ReramError(
      'UNSUPPORTED',
      `${identity.make} ${identity.model} is a Keysight ${/^B298/.test(model) ? 'electrometer' : 'low-noise power source'}, not a source-measure unit; the B2900 driver runs the B2901/B2902/B2910/B2911/B2912 SMUs.`,
    );
  throw new ReramError(
    'UNSUPPORTED',
    `No driver for '${identity.raw}'. Supported: ${SMU_MODEL_LIST.map((m) => m.info.label).join(', ')}.`,
  );
}
