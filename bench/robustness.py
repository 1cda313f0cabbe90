#!/usr/bin/env python3
"""Time `peergroup robustness` at 2,000 funds with 200 draws per perturbation size.

    python3 bench/robustness.py                    # 2,000 funds, 200 draws, p = 0.1,0.3
    python3 bench/robustness.py --funds 500 --draws 50 --repeat 1

1. Data (once, reused from bench/data/robustness/<funds>/): `peergroup synth universe
   --funds N --periods 260 --seed 42`, then `peergroup style` (full-sample Sharpe style
   analysis, one date) for exposures.csv and fit.csv.
2. `peergroup -v robustness --exposures exposures.csv --fit fit.csv --factor-attributes
   factor_attributes.csv --perturb 0.1,0.3 --draws 200 --k 6 --seed 1 --out ...` on 2
   threads and on 1, whole-process wall clock and CPU time (user + system, from
   getrusage of the children: on a shared machine it varies less than the wall clock),
   best of --repeat each; its -v step
   "perturbing, reclustering" (the similarity stage on the date, the unperturbed
   clustering, and every draw's similarity, average linkage, alignment) is reported too.
3. Checks: the output of the 1- and 2-thread runs is byte-identical (draws are seeded per
   draw), and every share_changed is in [0, 1].

No peer exists to compare with (the seed paper's own robustness run was 1,000 scenarios
of 3 clusters, without a published time); the target is absolute: < 30 s on 2 cores.
The CLI binary is target/release/peergroup (built with `cargo build --release` when
missing). Results also go to bench/data/robustness/<funds>/results.json.
"""

import argparse
import csv
import json
import os
import re
import resource
import subprocess
import sys

import common


def sh(cmd):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"command failed ({r.returncode}): {' '.join(cmd)}")
    return r.stderr


def prepare(data, funds):
    exposures = os.path.join(data, "exposures.csv")
    if os.path.exists(exposures):
        return
    os.makedirs(data, exist_ok=True)
    u = os.path.join(data, "universe")
    sh([common.BINARY, "synth", "universe", "--funds", str(funds), "--periods", "260",
        "--seed", "42", "--out", u, "--force"])
    sh([common.BINARY, "style", "--returns", os.path.join(u, "funds.csv"),
        "--factors", os.path.join(u, "factors.csv"), "--out", exposures,
        "--fit-out", os.path.join(data, "fit.csv"), "--force"])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--funds", type=int, default=2000)
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--perturb", default="0.1,0.3")
    ap.add_argument("--k", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    common.build_if_missing()
    data = os.path.join(common.DATA_ROOT, "robustness", str(args.funds))
    prepare(data, args.funds)
    out_dir = os.path.join(data, "out")
    os.makedirs(out_dir, exist_ok=True)
    results = {"machine": common.machine(), "funds": args.funds, "draws": args.draws,
               "perturb": args.perturb, "k": args.k, "runs": {}}
    outputs = {}
    for threads in (2, 1):
        out = os.path.join(out_dir, f"robustness_{threads}.csv")
        cmd = [common.BINARY, "-v", "--threads", str(threads), "robustness",
               "--exposures", os.path.join(data, "exposures.csv"),
               "--fit", os.path.join(data, "fit.csv"),
               "--factor-attributes", os.path.join(data, "universe", "factor_attributes.csv"),
               "--perturb", args.perturb, "--draws", str(args.draws), "--k", str(args.k),
               "--seed", "1", "--out", out, "--chart",
               os.path.join(out_dir, f"robustness_{threads}.svg"), "--force"]
        walls, steps, cpus = [], [], []
        for _ in range(args.repeat):
            load = common.load_str()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = common.time.perf_counter()
            err = sh(cmd)
            walls.append(common.time.perf_counter() - t0)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            m = re.search(r"perturbing, reclustering: ([0-9.]+) s", err)
            steps.append(float(m.group(1)) if m else float("nan"))
            print(f"[bench] {threads} thread(s): {walls[-1]:.2f} s wall, {cpus[-1]:.2f} s CPU, "
                  f"step {steps[-1]:.2f} s (load {load})", flush=True)
        summary = [l.strip() for l in err.splitlines() if l.strip().startswith("p = ")]
        results["runs"][threads] = {"wall_best": min(walls), "step_best": min(steps),
                                    "cpu_best": min(cpus), "walls": walls, "cpus": cpus,
                                    "summary": summary}
        with open(out, "rb") as f:
            outputs[threads] = f.read()
        with open(out) as f:
            shares = [float(r["share_changed"]) for r in csv.DictReader(f)]
        assert all(0.0 <= s <= 1.0 for s in shares), "share_changed outside [0, 1]"
        assert len(shares) == args.draws * len(args.perturb.split(","))
    identical = outputs[1] == outputs[2]
    results["identical_across_threads"] = identical
    with open(os.path.join(data, "results.json"), "w") as f:
        json.dump(results, f, indent=2)
    print(f"\n{args.funds} funds, {args.draws} draws per p in {args.perturb}, k = {args.k}")
    for threads, r in results["runs"].items():
        print(f"  {threads} thread(s): best {r['wall_best']:.2f} s wall, {r['cpu_best']:.2f} s CPU "
              f"(step {r['step_best']:.2f} s); " + "; ".join(r["summary"]))
    print(f"  1- and 2-thread outputs identical: {identical}")
    target = results["runs"][2]["wall_best"] < 30.0
    print(f"  target < 30 s on 2 cores: {'met' if target else 'MISSED'}")
    if not identical:
        raise SystemExit("outputs differ between thread counts")


if __name__ == "__main__":
    main()
