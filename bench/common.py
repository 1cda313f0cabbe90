"""What the bench scripts share: paths, the bench/.venv re-exec, machine facts and timing.

Each script is run as `python3 bench/<name>.py`, so this directory is on sys.path and
`import common` finds this file, before and after the re-exec into the virtualenv.
"""

import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv")
VENV_PY = os.path.join(VENV, "bin", "python")
DATA_ROOT = os.path.join(HERE, "data")
BINARY = os.path.join(ROOT, "target", "release", "peergroup")
# Cargo target directory of the scripts that run `cargo bench` themselves, so that they do
# not contend for the work tree's target/ lock.
BENCH_TARGET_DIR = os.environ.get("CARGO_TARGET_DIR", "/tmp/target-bench")


def ensure_venv(imports, packages=None, env=None):
    """Re-exec the running script inside bench/.venv, creating it first if needed and
    installing `packages` (PyPI names; default `imports`) when one of the modules
    `imports` does not import. `env` adds variables to the re-executed script's
    environment. A script that is still not in the venv after one re-exec carries on with
    what it has."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if os.environ.get("PEERGROUP_BENCH_REEXEC") == "1":
        return
    packages = list(packages or imports)
    if not os.path.exists(VENV_PY):
        print(f"[bench] creating virtualenv {VENV}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    probe = subprocess.run([VENV_PY, "-c", "import " + ", ".join(imports)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if probe.returncode != 0:
        print(f"[bench] installing {' '.join(packages)} into {VENV}", flush=True)
        subprocess.run([VENV_PY, "-m", "pip", "install", "--quiet", *packages], check=True)
    full_env = dict(os.environ, PEERGROUP_BENCH_REEXEC="1", **(env or {}))
    script = os.path.abspath(sys.argv[0])
    os.execve(VENV_PY, [VENV_PY, script, *sys.argv[1:]], full_env)


def build_if_missing():
    """`cargo build --release` when target/release/peergroup does not exist."""
    if os.path.exists(BINARY):
        return
    print(f"[bench] {BINARY} not found: running `cargo build --release` in {ROOT}", flush=True)
    subprocess.run(["cargo", "build", "--release"], cwd=ROOT, check=True)
    if not os.path.exists(BINARY):
        raise SystemExit(f"cargo build finished but {BINARY} is still missing")


def machine():
    """CPU count available to this process, CPU model and installed memory."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.lower().startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            kb = int(f.readline().split()[1])
            mem = f"{kb / 2**20:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"nproc": nproc, "cpu": model, "mem": mem}


def load_str():
    """The 1, 5 and 15 minute load averages, as text."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def run_timed(cmd):
    """Run cmd, started directly (no wrapper such as `/usr/bin/time -v`, whose own start
    and exit added 2-5 ms to a 70 ms run here); return its wall seconds. Its output is
    shown only when it fails."""
    t0 = time.perf_counter()
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    secs = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout + r.stderr)
        raise SystemExit(f"command failed ({r.returncode}): {' '.join(cmd)}")
    return secs
