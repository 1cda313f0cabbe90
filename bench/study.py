"""A whole study, timed: `peergroup run` on 2,000 weekly funds over 5 years (rolling
104-week style, similarity, peer groups, peers) plus ratings of 2,000 daily series, then a
re-run with only the clustering settings changed.

Targets (issue 18): the first run under 60 s on 2 cores; the re-run under 10 s, reusing
every stage but the peer groups (checked from manifest.json, not only timed).

    python3 bench/study.py                # generate data once into bench/data/study/, run
    python3 bench/study.py --funds 500    # a smaller universe
    python3 bench/study.py --window-step 4

There is no peer to compare with: no other open tool runs this chain from one file, so the
script prints the times against the targets. Data are made by `peergroup synth universe`
and `peergroup synth garch` and reused; delete bench/data/study to regenerate.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time

import common

STUDY = """\
[study]
title = "Bench study: {funds} weekly funds, {funds} daily series"

[inputs.style]
returns = "universe/funds.csv"
factors = "universe/factors.csv"

[style]
window = 104
step = {step}

[inputs.similarity]
factor-attributes = "universe/factor_attributes.csv"

[similarity]

[cluster]
method = "{method}"
k = "{k}"

[peers]
top = 10

[inputs.rate]
returns = "garch/returns.csv"

[rate]
"""


def run(cmd, **kw):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, **kw)
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--funds", type=int, default=2000)
    p.add_argument("--window-step", type=int, default=1, help="step between rolling windows (default 1)")
    p.add_argument("--days", type=int, default=1260, help="daily returns per rated series (5 years)")
    args = p.parse_args()
    common.build_if_missing()
    data = os.path.join(common.DATA_ROOT, f"study-{args.funds}")
    if not os.path.exists(os.path.join(data, "garch", "returns.csv")):
        os.makedirs(data, exist_ok=True)
        print(f"[bench] generating data into {data}", flush=True)
        run([common.BINARY, "synth", "universe", "--funds", str(args.funds), "--factors", "10",
             "--periods", "260", "--frequency", "weekly", "--groups", "8", "--seed", "42",
             "--out", os.path.join(data, "universe"), "--force"])
        run([common.BINARY, "synth", "garch", "--funds", str(args.funds), "--periods", str(args.days),
             "--seed", "42", "--out", os.path.join(data, "garch"), "--force"])
    study = os.path.join(data, "study.toml")
    out = os.path.join(data, "results")
    shutil.rmtree(out, ignore_errors=True)

    def write(method, k):
        with open(study, "w") as f:
            f.write(STUDY.format(funds=args.funds, step=args.window_step, method=method, k=k))

    write("average", "auto")
    first = run([common.BINARY, "run", study, "--out", out])
    manifest = json.load(open(os.path.join(out, "manifest.json")))
    stages = {s["stage"]: s for s in manifest["stages"]}
    write("ward", "8")
    second = run([common.BINARY, "run", study, "--out", out])
    manifest2 = json.load(open(os.path.join(out, "manifest.json")))
    reused = sorted(s["stage"] for s in manifest2["stages"] if s["reused"])
    computed = sorted(s["stage"] for s in manifest2["stages"] if not s["reused"])

    print()
    print(common.machine())
    print(f"{args.funds} weekly funds (260 weeks, rolling 104, step {args.window_step}) + "
          f"{args.funds} daily series ({args.days} days)")
    print(f"{'stage':<12} {'seconds':>8}")
    for name, s in stages.items():
        print(f"{name:<12} {s['seconds']:>8.2f}")
    print(f"first run:  {first:6.1f} s (target < 60 s) {'OK' if first < 60 else 'MISSED'}")
    print(f"re-run with only [cluster] changed: {second:6.1f} s (target < 10 s) "
          f"{'OK' if second < 10 else 'MISSED'}; reused {', '.join(reused)}; computed {', '.join(computed)}")
    if computed != ["cluster"]:
        sys.exit(f"expected only the cluster stage to be recomputed, got {computed}")


if __name__ == "__main__":
    main()
