#!/usr/bin/env python3
"""Load on `peergroup serve`: 200 clients on fund pages of a 2,000-fund run for 30 s.

    python3 bench/serve.py [--clients 200] [--seconds 30]

Builds a run once into bench/data/serve/ (`synth universe --funds 2000 --periods 260`,
a study with style on rolling 104-week windows every 13 weeks, similarity, peer groups,
peers of every fund, evolve and ratings), starts `peergroup serve` on it, and runs
`cargo run --release --example serve_load` (Rust threads with keep-alive connections, so
the client is not the bottleneck) against /fund/ID of random funds. Prints requests,
errors, p50/p99/max latency and the server's peak memory (VmHWM). Target: p99 under 100
ms on 2 cores, no errors.
"""

import argparse
import os
import subprocess
import sys
import time

from common import BINARY, DATA_ROOT, ROOT, build_if_missing, load_str, machine

STUDY = """[study]
title = "2,000 funds"
workbook = false
[inputs.style]
returns = "u/funds.csv"
factors = "u/factors.csv"
[style]
window = 104
step = 13
[inputs.similarity]
factor-attributes = "u/factor_attributes.csv"
[similarity]
[cluster]
method = "average"
k = 8
[peers]
top = 10
[inputs.evolve]
returns = "u/funds.csv"
[evolve]
k = 8
horizons = [1, 4]
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=int, default=30)
    args = ap.parse_args()
    build_if_missing()
    d = os.path.join(DATA_ROOT, "serve")
    run = os.path.join(d, "run")
    if not os.path.exists(os.path.join(run, "manifest.json")):
        os.makedirs(d, exist_ok=True)
        subprocess.run([BINARY, "synth", "universe", "--funds", "2000", "--periods", "260",
                        "--groups", "8", "--seed", "1", "--out", os.path.join(d, "u"), "--force"],
                       check=True)
        with open(os.path.join(d, "study.toml"), "w") as f:
            f.write(STUDY)
        subprocess.run([BINARY, "run", os.path.join(d, "study.toml"), "--out", run, "--force"],
                       check=True)
    subprocess.run(["cargo", "build", "--release", "--example", "serve_load", "-q"], cwd=ROOT,
                   check=True)
    with open(os.path.join(run, "cluster", "clusters.csv")) as f:
        funds = [line.split(",")[0] for line in f.read().splitlines()[1:]]
    with open(os.path.join(d, "funds.txt"), "w") as f:
        f.write("\n".join(funds))
    server = subprocess.Popen([BINARY, "serve", run, "--port", "0"], stderr=subprocess.PIPE,
                              text=True)
    line = server.stderr.readline()
    addr = line.split("http://")[1].split("/")[0]
    m = machine()
    print(f"machine: {m['nproc']} cores, {m['cpu']}; load {load_str()}")
    print(line.strip())
    try:
        out = subprocess.run([os.path.join(ROOT, "target", "release", "examples", "serve_load"),
                              addr, os.path.join(d, "funds.txt"), str(args.clients),
                              str(args.seconds)], capture_output=True, text=True, check=True)
        with open(f"/proc/{server.pid}/status") as f:
            hwm = next(l for l in f if l.startswith("VmHWM")).split()[1]
        print(f"{args.clients} clients x {args.seconds} s on /fund/ID: {out.stdout.strip()}")
        print(f"server peak memory (VmHWM) {int(hwm) / 1024:.0f} MiB")
    finally:
        server.kill()


if __name__ == "__main__":
    sys.exit(main())
