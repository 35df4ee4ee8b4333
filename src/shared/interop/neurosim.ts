/**
 * NeuroSim: MLP_NeuroSim V3.0's RealDevice and MeasuredDevice (Cell.h / Cell.cpp), and the
 * DNN_NeuroSim flags (V2.1 training, V1.4 inference). Sources and line numbers: docs/interop.md.
 */
import { selectLevels } from '../levels/level-table';
import { ProfileFormatError } from '../profile/json';
import { NL_MAX, NL_MIN } from '../levels/pulse-model';
import { c2cFraction, commonWindow, type DeviceData } from './device-data';

export interface ExportFile {
  name: string;
  text: string;
}

/**
 * Strictly monotone, between the window ends: MeasuredDevice refuses anything else (Cell.cpp
 * exits on a non-increasing LTP or non-decreasing LTD step, or on ends that differ). Noise is
 * pooled (adjacent violators averaged), then ties are split by a millionth of the window.
 */
export function monotoneCurve(
  values: readonly number[],
  increasing: boolean,
  gMin: number,
  gMax: number,
): { curve: number[]; changed: number } {
  const sign = increasing ? 1 : -1;
  // Pool adjacent violators on sign·value (non-decreasing fit).
  const blocks: Array<{ sum: number; count: number }> = [];
  for (const v of values) {
    blocks.push({ sum: sign * v, count: 1 });
    while (blocks.length > 1) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (a.sum / a.count <= b.sum / b.count) break;
      blocks.splice(-2, 2, { sum: a.sum + b.sum, count: a.count + b.count });
    }
  }
  const pooled = blocks.flatMap((b) => Array<number>(b.count).fill(sign * (b.sum / b.count)));
  // A millionth of the window: far below any measurement, far above the printed precision.
  const eps = (gMax - gMin) * 1e-6;
  const curve = pooled.map((v) => Math.min(gMax, Math.max(gMin, v)));
  curve[0] = increasing ? gMin : gMax;
  curve[curve.length - 1] = increasing ? gMax : gMin;
  for (let k = 1; k < curve.length - 1; k++) {
    const previous = curve[k - 1]!;
    if (increasing ? curve[k]! <= previous : curve[k]! >= previous) curve[k] = previous + sign * eps;
  }
  // The last interior point must stay clear of the end.
  for (let k = curve.length - 2; k > 0; k--) {
    const next = curve[k + 1]!;
    if (increasing ? curve[k]! >= next : curve[k]! <= next) curve[k] = next - sign * eps;
  }
  const changed = curve.reduce((n, v, k) => n + (Math.abs(v - values[k]!) > eps ? 1 : 0), 0);
  return { curve, changed };
}

const clampNl = (nl: number) => Math.min(NL_MAX, Math.max(NL_MIN, Math.abs(nl)));

export interface NeurosimMlp {
  realDevice: Record<string, number | boolean | null>;
  measuredDevice: { rawDataConductanceLTP: number[]; rawDataConductanceLTD: number[]; symLTPandLTD: false };
  /** What RealDevice's constructor should compute from the patch: getParamA(NL) × maxNumLevel ≈ our fitted A. */
  expected: { paramALTP: number | null; paramALTD: number | null; note: string };
  notes: string[];
}

export function neurosimMlp(data: DeviceData): NeurosimMlp {
  const { gMin, gMax } = commonWindow(data);
  const ltpFit = data.fits.ltp;
  const ltdFit = data.fits.ltd ?? data.fits.ltp;
  const c2c = c2cFraction(data);
  const notes = [
    `From ${data.source}.`,
    'sigmaCtoC is in siemens, as RealDevice uses it (Cell.cpp line 318: a fraction × (maxConductance − minConductance)); MeasuredDevice has no cycle-to-cycle term.',
    "readVoltage stays NeuroSim's on-chip read voltage; the voltage we read at goes to Vr_exp (used when nonlinearIV is on).",
  ];
  // NeuroSim's device-to-device term is a σ of the NL label: each device's A is getParamA(NL + N(0, σ)).
  const nlSpread = data.table.cellSpread?.nl;
  const sigmaDtoD = nlSpread?.sd ?? 0;
  notes.push(
    nlSpread
      ? `sigmaDtoD ${Number(sigmaDtoD.toPrecision(4))} is the σ of the fitted NL over the ${data.table.cellSpread!.cells.length} cells of this table (Cell.cpp 312–315 draw each device's NL from N(NL, sigmaDtoD)).`
      : 'sigmaDtoD is 0: one device. Measure several cells and build the profile from them (profile build) to set it from the spread of their NL.',
  );
  // A many-cell table keeps no fit of its own: its NL is the mean of its cells'.
  const meanNl = nlSpread && !ltpFit ? clampNl(nlSpread.mean) : null;
  if (meanNl !== null) notes.push(`NL_LTP and NL_LTD are the mean NL of the table's cells (${meanNl}).`);
  const nlLtp = ltpFit ? clampNl(ltpFit.nl) : meanNl;
  const nlLtd = ltdFit ? -clampNl(ltdFit.nl) : meanNl !== null ? -meanNl : null;
  if (ltpFit && Math.abs(ltpFit.nl) !== nlLtp)
    notes.push(`NL_LTP ${ltpFit.nl} is outside NeuroSim's table (0.01…9): clamped.`);
  if (!data.fits.ltd)
    notes.push('No LTD fit: NL_LTD and maxNumLevelLTD repeat the LTP values (sign flipped).');
  if (data.pulses.width === null)
    notes.push(
      'Pulse voltages and widths are not measured here (a profile): NeuroSim defaults are left as null.',
    );
  const ltp = monotoneCurve(data.ltp, true, gMin, gMax);
  const ltd = monotoneCurve(data.ltd, false, gMin, gMax);
  if (ltp.changed || ltd.changed)
    notes.push(
      `MeasuredDevice needs strictly monotone curves ending on one window: ${ltp.changed} LTP and ${ltd.changed} LTD points were pooled with their neighbours (noise) or clipped to ${gMin.toExponential(4)}…${gMax.toExponential(4)} S.`,
    );
  return {
    realDevice: {
      maxConductance: gMax,
      minConductance: gMin,
      maxNumLevelLTP: ltpFit ? Math.round(ltpFit.pMax) : data.ltp.length - 1,
      maxNumLevelLTD: ltdFit ? Math.round(ltdFit.pMax) : data.ltd.length - 1,
      nonlinearWrite: true,
      NL_LTP: nlLtp,
      NL_LTD: nlLtd,
      sigmaCtoC: c2c * (gMax - gMin),
      sigmaDtoD,
      Vr_exp: data.readVoltage,
      readPulseWidth: null,
      writeVoltageLTP: data.pulses.vLtp !== null ? Math.abs(data.pulses.vLtp) : null,
      writeVoltageLTD: data.pulses.vLtd !== null ? Math.abs(data.pulses.vLtd) : null,
      writePulseWidthLTP: data.pulses.width,
      writePulseWidthLTD: data.pulses.width,
    },
    expected: {
      paramALTP: ltpFit && !ltpFit.nlClamped ? ltpFit.a : null,
      paramALTD: ltdFit && !ltdFit.nlClamped ? -ltdFit.a : null,
      note: 'RealDevice computes paramALTP/LTD = getParamA(NL) × maxNumLevel (Cell.cpp 314–315); with the patch they should equal the fitted A (pulses), up to getParamA’s table interpolation. null where NL was clamped.',
    },
    measuredDevice: {
      rawDataConductanceLTP: ltp.curve,
      rawDataConductanceLTD: ltd.curve,
      symLTPandLTD: false,
    },
    notes,
  };
}

const cNumber = (v: number) => (Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(12))));

/** The MLP_NeuroSim V3.0 commit the patch's line numbers refer to. */
export const NEUROSIM_MLP_COMMIT = 'cc1386372d01fc022a9bf52cabd8c96e94fb838b';

/**
 * Where each assignment must go in Cell.cpp at that commit (insert after the line): late enough
 * that NeuroSim's own defaults do not overwrite it, early enough that what derives from it
 * (paramALTP/LTD at lines 314–315, the C2C distribution at 319, MeasuredDevice's window and
 * data checks from line 491) sees our values.
 */
const CELL_CPP_INSERT_AFTER = {
  /** RealDevice: after its defaults (261–282), before nonlinearIV converts the window (283). */
  realScalars: 282,
  /** RealDevice: `double Vr_exp = readVoltage;`, inside `if (nonlinearIV)`. */
  realVrExp: 284,
  /** RealDevice: after `NL_LTD = -4.88;`, before paramALTP/LTD (314–315) use NL and maxNumLevel. */
  realNl: 311,
  /** RealDevice: after `sigmaDtoD = 0;`, before gaussian_dist2 is built from it (313). */
  realDtoD: 312,
  /** RealDevice: after `sigmaCtoC = 0.035*…`, before gaussian_dist3 is built from it (319). */
  realSigma: 318,
  /** MeasuredDevice: after `nonlinearWrite = false;` and the write settings (446–457). */
  measuredScalars: 457,
  /** MeasuredDevice: after the LTP data are inserted (478), before maxNumLevelLTP counts them. */
  measuredLtp: 478,
  /** MeasuredDevice: after the LTD data are inserted (488), before maxNumLevelLTD counts them. */
  measuredLtd: 488,
} as const;

/**
 * A unified diff against Cell.cpp at NEUROSIM_MLP_COMMIT, insertions only (zero-context hunks,
 * so no NeuroSim text is repeated here): `patch -p1 < neurosim-mlp.patch` in the repository,
 * or `git apply --unidiff-zero neurosim-mlp.patch`.
 */
export function neurosimMlpPatch(device: NeurosimMlp, title: string): string {
  const real = device.realDevice;
  const set = (key: string, value: number | boolean | null | undefined, unit = '') =>
    value === null || value === undefined
      ? []
      : [`\t${key} = ${typeof value === 'boolean' ? String(value) : cNumber(value)};\t// ReRAM Bench${unit}`];
  const window = [
    ...set('maxConductance', real.maxConductance, ' (S)'),
    ...set('minConductance', real.minConductance, ' (S)'),
    '\tavgMaxConductance = maxConductance;\t// ReRAM Bench',
    '\tavgMinConductance = minConductance;\t// ReRAM Bench',
    '\tconductance = minConductance;\t// ReRAM Bench',
    '\tconductancePrev = conductance;\t// ReRAM Bench',
    ...set('maxNumLevelLTP', real.maxNumLevelLTP),
    ...set('maxNumLevelLTD', real.maxNumLevelLTD),
    ...set('writeVoltageLTP', real.writeVoltageLTP, ' (V)'),
    ...set('writeVoltageLTD', real.writeVoltageLTD, ' (V)'),
    ...set('writePulseWidthLTP', real.writePulseWidthLTP, ' (s)'),
    ...set('writePulseWidthLTD', real.writePulseWidthLTD, ' (s)'),
  ];
  const hunks: Array<[number, string[]]> = [
    [CELL_CPP_INSERT_AFTER.realScalars, window],
    [
      CELL_CPP_INSERT_AFTER.realVrExp,
      set('\tVr_exp', real.Vr_exp, ': the read voltage the window was measured at (V)'),
    ],
    [
      CELL_CPP_INSERT_AFTER.realNl,
      [
        ...set('NL_LTP', real.NL_LTP),
        ...set('NL_LTD', real.NL_LTD),
        '\tnonlinearWrite = true;\t// ReRAM Bench',
      ],
    ],
    [
      CELL_CPP_INSERT_AFTER.realDtoD,
      // One device: NeuroSim's own 0 stays.
      (real.sigmaDtoD as number) > 0
        ? set('sigmaDtoD', real.sigmaDtoD, ': σ of NL over the measured cells (device to device)')
        : [],
    ],
    [
      CELL_CPP_INSERT_AFTER.realSigma,
      set('sigmaCtoC', real.sigmaCtoC, ': measured cycle-to-cycle σ per pulse (S)'),
    ],
    [
      CELL_CPP_INSERT_AFTER.measuredScalars,
      [
        '\tnonlinearWrite = true;\t// ReRAM Bench: the measured curve shapes each update',
        ...set('writeVoltageLTP', real.writeVoltageLTP, ' (V)'),
        ...set('writeVoltageLTD', real.writeVoltageLTD, ' (V)'),
        ...set('writePulseWidthLTP', real.writePulseWidthLTP, ' (s)'),
        ...set('writePulseWidthLTD', real.writePulseWidthLTD, ' (s)'),
      ],
    ],
    [
      CELL_CPP_INSERT_AFTER.measuredLtp,
      [
        `\tdataConductanceLTP.assign({${device.measuredDevice.rawDataConductanceLTP.map(cNumber).join(', ')}});\t// ReRAM Bench (S)`,
      ],
    ],
    [
      CELL_CPP_INSERT_AFTER.measuredLtd,
      [
        `\t\tdataConductanceLTD.assign({${device.measuredDevice.rawDataConductanceLTD.map(cNumber).join(', ')}});\t// ReRAM Bench (S)`,
      ],
    ],
  ];
  const lines = [
    `ReRAM Bench → MLP_NeuroSim V3.0 (${NEUROSIM_MLP_COMMIT.slice(0, 7)}): ${title}`,
    ...device.notes,
    'Apply in the MLP_NeuroSim_V3.0 checkout: patch -p1 < neurosim-mlp.patch',
    '',
    '--- a/Cell.cpp',
    '+++ b/Cell.cpp',
  ];
  let added = 0;
  for (const [after, body] of hunks) {
    if (body.length === 0) continue;
    lines.push(`@@ -${after},0 +${after + added + 1},${body.length} @@`, ...body.map((l) => `+${l}`));
    added += body.length;
  }
  return `${lines.join('\n')}\n`;
}

/** The DNN_NeuroSim V2.1 commit the train.py patch's line numbers refer to. */
export const DNN_NEUROSIM_V21_COMMIT = '18289cbb1ffa74947a9e3b785688e530240b9bf1';
/** train.py's lines 53–60 overwrite the parsed flags; ours go after them. */
const TRAIN_PY_INSERT_AFTER = 60;

export interface NeurosimDnn {
  v21: { flags: Record<string, number>; command: string; patch: string; notes: string[] };
  v14: { flags: Record<string, number>; command: string; notes: string[] };
}

/** DNN_NeuroSim V2.1 (on-chip training) and V1.4 (inference) settings for `bits` per cell. */
export function neurosimDnn(data: DeviceData, bits: number): NeurosimDnn {
  const mlp = neurosimMlp(data);
  const selection = selectLevels(data.table, Math.min(bits, Math.floor(Math.log2(data.table.levels.length))));
  const levels = selection.levels;
  const onoff = levels[levels.length - 1]!.g / Math.max(levels[0]!.g, 1e-30);
  const vari = levels.reduce((s, l) => s + l.sigma / Math.max(l.g, 1e-30), 0) / levels.length;
  const maxLevel = mlp.realDevice.maxNumLevelLTP as number;
  // train.py: floor(log2(max_level)) = cellBit, and cellBit = wl_weight = wl_grad (one cell per synapse).
  const cellBit = Math.max(1, Math.floor(Math.log2(maxLevel)));
  const v21Flags = {
    wl_weight: cellBit,
    wl_grad: cellBit,
    cellBit,
    max_level: maxLevel,
    c2cVari: c2cFraction(data),
    // train.py adds N(0, d2dVari) to NL per weight (its "add d2dVari" block): the same σ of NL.
    d2dVari: mlp.realDevice.sigmaDtoD as number,
    nonlinearityLTP: (mlp.realDevice.NL_LTP as number | null) ?? 0.01,
    nonlinearityLTD: (mlp.realDevice.NL_LTD as number | null) ?? -0.01,
  };
  const body = Object.entries(v21Flags).map(
    ([k, v]) => `args.${k} = ${cNumber(v)}\t# ReRAM Bench: ${data.name}`,
  );
  const patch = [
    `ReRAM Bench → DNN_NeuroSim V2.1 (${DNN_NEUROSIM_V21_COMMIT.slice(0, 7)}) Training_pytorch/train.py: ${data.name}`,
    'Lines 53–60 overwrite the parsed flags; these lines follow them and set the measured device, as numbers',
    '(the flags have no type=, so values given on the command line would stay strings).',
    'Apply in Training_pytorch: patch -p1 < neurosim-dnn-v2.1-train.patch',
    '',
    '--- a/train.py',
    '+++ b/train.py',
    `@@ -${TRAIN_PY_INSERT_AFTER},0 +${TRAIN_PY_INSERT_AFTER + 1},${body.length} @@`,
    ...body.map((l) => `+${l}`),
    '',
  ].join('\n');
  const v14Flags = { cellBit: Math.log2(levels.length), onoffratio: onoff, vari };
  const flags = (f: Record<string, number>) =>
    Object.entries(f)
      .map(([k, v]) => `--${k} ${Number(v.toPrecision(4))}`)
      .join(' ');
  return {
    v21: {
      flags: v21Flags,
      command: 'python train.py',
      patch,
      notes: [
        'train.py (Training_pytorch) overwrites its flags after parsing them (lines 53–60), and its flags have no type=: apply neurosim-dnn-v2.1-train.patch, which sets these values as numbers after line 60, then run python train.py.',
        `cellBit = wl_weight = wl_grad = floor(log2(max_level)) = ${cellBit}, as train.py requires (line 56).`,
        'c2cVari is the cycle-to-cycle σ as a fraction of the weight range (wage_quantizer.W adds N(0, 2·c2cVari) on [−1, 1]).',
        'Dropped: the measured curve itself (V2.1 uses the NL model), the per-level σ, the read voltage.',
      ],
    },
    v14: {
      flags: v14Flags,
      command: `python inference.py --inference 1 ${flags(v14Flags)}`,
      notes: [
        'Without --inference 1 (default 0) V1.4 ignores cellBit, onoffratio and vari. Only its VGG8 model on CUDA runs the hardware inference path.',
        `For ${levels.length} levels (${Math.log2(levels.length)} bits) from table '${data.table.name}'.`,
        'vari is one relative σ for every level (the mean of σ/G): V1.4 multiplies each level by 1 + N(0, vari).',
        'Dropped: the non-linear spacing of the levels (V1.4 spaces them evenly between 1/onoffratio and 1), the per-level σ.',
      ],
    },
  };
}

/** The inverse (MLP JSON → the measured curves, potentiation as levels). */
export function curvesFromNeurosimMlp(text: string): {
  ltp: number[];
  ltd: number[];
  readVoltage: number | null;
} {
  let parsed: Partial<NeurosimMlp>;
  try {
    parsed = JSON.parse(text) as Partial<NeurosimMlp>;
  } catch (error) {
    throw new ProfileFormatError(`not valid JSON: ${(error as Error).message}`);
  }
  const ltp = parsed.measuredDevice?.rawDataConductanceLTP;
  const ltd = parsed.measuredDevice?.rawDataConductanceLTD;
  if (
    !Array.isArray(ltp) ||
    !Array.isArray(ltd) ||
    ltp.length < 2 ||
    ltp.some((v) => typeof v !== 'number' || !Number.isFinite(v))
  )
    throw new ProfileFormatError(
      'measuredDevice.rawDataConductanceLTP must be an array of at least 2 finite numbers',
    );
  // Vr_exp since the Cell.cpp patch; readVoltage in files written before it.
  const readVoltage = parsed.realDevice?.Vr_exp ?? parsed.realDevice?.readVoltage;
  return { ltp, ltd: ltd as number[], readVoltage: typeof readVoltage === 'number' ? readVoltage : null };
}
