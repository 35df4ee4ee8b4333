/** The simulator formats, declared once: the CLI's --format, the Profiles page menu and docs list them. */
import { aihwkitFiles } from './aihwkit';
import { crossSimFiles } from './crosssim';
import type { DeviceData } from './device-data';
import { neurosimDnn, neurosimMlp, neurosimMlpPatch, type ExportFile } from './neurosim';

export interface InteropFormat {
  label: string;
  description: string;
  files(data: DeviceData, bits: number): ExportFile[];
  /** How the format comes back in (`profile import --format F`), where it can. */
  inverse?: string;
}

export const INTEROP_FORMATS = {
  'neurosim-mlp': {
    label: 'NeuroSim MLP V3.0',
    description:
      'RealDevice parameters and MeasuredDevice curves: a patch for Cell.cpp (MLP_NeuroSim_V3.0 cc13863), and JSON',
    files: (data) => {
      const mlp = neurosimMlp(data);
      return [
        { name: 'neurosim-mlp.patch', text: neurosimMlpPatch(mlp, data.name) },
        { name: 'neurosim-mlp.json', text: `${JSON.stringify({ device: data.name, ...mlp }, null, 2)}\n` },
      ];
    },
    inverse: 'neurosim-mlp.json (its MeasuredDevice LTP curve)',
  },
  'neurosim-dnn': {
    label: 'DNN NeuroSim V2.1 / V1.4',
    description: 'training flags (V2.1) and inference flags (V1.4), with what each drops',
    files: (data, bits) => {
      const dnn = neurosimDnn(data, bits);
      return [
        { name: 'neurosim-dnn.json', text: `${JSON.stringify({ device: data.name, ...dnn }, null, 2)}\n` },
        { name: 'neurosim-dnn-v2.1-train.patch', text: dnn.v21.patch },
      ];
    },
  },
  aihwkit: {
    label: 'IBM aihwkit',
    description:
      'PiecewiseStepDevice, SoftBoundsPmaxDevice and a CustomPairConductanceConverter: JSON and Python',
    files: aihwkitFiles,
    inverse: 'aihwkit.json (its piecewise device replayed from w_min)',
  },
  crosssim: {
    label: 'Sandia CrossSim',
    description: 'set.csv / reset.csv lookup tables (one column per ramp) and an xbar.device configuration',
    files: crossSimFiles,
    inverse: 'a folder with set.csv (and crosssim.json for the read voltage)',
  },
} as const satisfies Record<string, InteropFormat>;

export type InteropFormatId = keyof typeof INTEROP_FORMATS;

/** The formats that come back in as a profile (`profile import --format F`, or a zip or file in the app). */
export const IMPORT_FORMATS = ['crosssim', 'aihwkit-piecewise', 'neurosim-mlp'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export const INTEROP_FORMAT_IDS = Object.keys(INTEROP_FORMATS) as InteropFormatId[];
