"""Peer measurement: KSG (k = 3, max-norm) in InfoPlane against NPEET on the same data.

For each dimension d, writes 5000 samples of a Gaussian pair (X, Y in R^d, 1 nat in all) as
.npy files beside a notebook that reads them, runs `infoplane` on it (one block at a time,
--jobs 1, so the estimators do not share the cores; --stamp writes each block's compute time
into results.json), then times NPEET's `mi` on the same arrays and compares the estimates.
With RUNS=r (default 1) both sides run r times and the fastest time of each is shown.

Usage: INFOPLANE=.build/release/infoplane python compare_ksg.py   (needs numpy, npeet-plus)
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import npeet_plus

DIMS = [int(d) for d in os.environ.get("DIMS", "1,5,25,50").split(",")]
N = int(os.environ.get("SAMPLES", "5000"))
RUNS = int(os.environ.get("RUNS", "1"))


def pair(d, mi, rng):
    rho = math.sqrt(1 - math.exp(-2 * mi / d))
    x = rng.standard_normal((N, d))
    y = rho * x + math.sqrt(1 - rho * rho) * rng.standard_normal((N, d))
    return x, y


def main():
    binary = os.environ.get("INFOPLANE", ".build/release/infoplane")
    rng = np.random.default_rng(7)
    with tempfile.TemporaryDirectory() as folder:
        blocks = []
        data = {}
        for d in DIMS:
            x, y = pair(d, 1.0, rng)
            np.save(os.path.join(folder, f"x{d}.npy"), x)
            np.save(os.path.join(folder, f"y{d}.npy"), y)
            data[d] = (x, y)
            blocks.append(f"```dataset d{d}\nsource: npy\npath: x{d}.npy\ny_path: y{d}.npy\n```\n\n"
                          f"```estimator ksg{d}\nof: d{d}\nmethod: ksg\nk: 3\n```\n")
        notebook = os.path.join(folder, "ksg.md")
        with open(notebook, "w") as f:
            f.write("\n".join(blocks))
        seconds = {}
        ours = {}
        for _ in range(RUNS):
            out = os.path.join(folder, "out")
            run = subprocess.run([binary, "run", notebook, "--no-cache", "--jobs", "1", "--stamp", "--output", out],
                                 capture_output=True, text=True)
            if run.returncode != 0:
                sys.exit(run.stderr)
            results = json.load(open(os.path.join(out, "ksg", "results.json")))
            for b in results["blocks"]:
                if b["id"].startswith("ksg"):
                    d = int(b["id"][3:])
                    ours[d] = b["results"]["mi"]
                    seconds[d] = min(seconds.get(d, math.inf), b["seconds"])
        print(f"{'dims':>5} {'InfoPlane s':>12} {'NPEET s':>9} {'ratio':>7} {'InfoPlane MI':>13} {'NPEET MI':>9} {'difference':>11}")
        for d in DIMS:
            x, y = data[d]
            elapsed = math.inf
            for _ in range(RUNS):
                start = time.perf_counter()
                theirs = npeet_plus.mi(x, y, k=3, base=math.e)
                elapsed = min(elapsed, time.perf_counter() - start)
            print(f"{d:>5} {seconds[d]:>12.5f} {elapsed:>9.4f} {elapsed / seconds[d]:>6.1f}x {ours[d]:>13.4f} {theirs:>9.4f} {ours[d] - theirs:>11.2e}")


if __name__ == "__main__":
    main()
