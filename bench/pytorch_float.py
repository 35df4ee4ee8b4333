"""The peer figure for `npm run bench -- sweep`: PyTorch's float LeNet-5 over the same test digits.

The network is the one the bundled model was trained as (scripts/train_reference_models.py), in
eval mode, over the bundled test digits in batches of 250 as ReRAM Bench evaluates them. Its
weights stay as initialised: a float pass does the same work whatever the weights are.
Prints JSON: milliseconds per pass over the images (median of 7), with 1 thread and with every core.
"""
import json
import os
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
from train_reference_models import LeNet5  # noqa: E402

count = int(sys.argv[1]) if len(sys.argv) > 1 else 1996
with open(os.path.join(ROOT, "resources", "data", "mnist-test-images-idx3-ubyte"), "rb") as f:
    raw = f.read()
images = np.frombuffer(raw[16:], dtype=np.uint8).reshape(-1, 1, 28, 28)[:count]
x = torch.from_numpy(images.astype(np.float32) / 255.0)

model = LeNet5().eval()


def pass_ms(threads):
    torch.set_num_threads(threads)
    with torch.no_grad():
        for _ in range(2):
            [model(x[i : i + 250]) for i in range(0, count, 250)]
        times = []
        for _ in range(7):
            start = time.perf_counter()
            [model(x[i : i + 250]) for i in range(0, count, 250)]
            times.append((time.perf_counter() - start) * 1000)
    return sorted(times)[3]


cores = os.cpu_count() or 1
print(json.dumps({"torch": torch.__version__, "images": count, "oneThreadMs": pass_ms(1), "allCoresMs": pass_ms(cores), "cores": cores}))
