/**
 * The bench as the front doors (CLI, API, Electron) see it: open an instrument, keep every
 * instrument safe, and ask the model registry. They reach `instrument/` only through here
 * (store ← services ← front doors; the lint rule is in eslint.config.js).
 */
export { connectInstrument, toConnectOptions, type ConnectOptions } from '../instrument/connect';
export { installProcessSafety, safeAll, switchOffConfirmed } from '../instrument/guard';
export type { CheckItem, Smu } from '../instrument/drivers/smu';
export {
  findSmuModel,
  SMU_MODEL_IDS,
  SMU_MODEL_LIST,
  smuModelSummaries,
} from '../instrument/models/registry';
export { K4200_KXCI } from '../instrument/models/k4200/facts';
