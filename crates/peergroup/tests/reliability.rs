//! System-level failures reach the user as one clear line with the right exit code:
//! unreadable inputs (1), non-regular files (2, never a hang), inputs larger than memory
//! (1, refused at once), `--threads` out of range or capped, negative flag values reaching
//! their range checks, outputs that clash with inputs or files, whole-input errors naming
//! the file, echoed values shortened and escaped, and duplicate columns refused.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::Workdir;

/// Runs `peergroup cmd` in `w`, killing it after `secs` seconds; returns the exit code
/// and stderr, or panics naming the command when it did not end in time.
fn run_within(w: &Workdir, cmd: &str, secs: u64) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peergroup"))
        .args(cmd.split_whitespace())
        .current_dir(w.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run peergroup");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            let out = child.wait_with_output().expect("output");
            return (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            );
        }
        if start.elapsed() > Duration::from_secs(secs) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("peergroup {cmd} did not end within {secs} s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Requires `code` and every fragment of `expect` in a one-line message.
fn check(cmd: &str, (code, err): (i32, String), want: i32, expect: &[&str]) {
    assert_eq!(code, want, "peergroup {cmd}: {err}");
    for e in expect {
        assert!(err.contains(e), "peergroup {cmd}: expected '{e}' in: {err}");
    }
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
}

/// A small valid long returns table.
const RETURNS: &str =
    "id,date,value\nA,2022-01-31,0.01\nA,2022-02-28,0.02\nB,2022-01-31,0.03\nB,2022-02-28,-0.01\n";

/// A small valid industry table.
const INDUSTRY: &str = "class_id,date,price,shares,aum\n\
a,2022-01-03,10,200000,2000000\n\
a,2022-01-04,11,200000,2200000\n";

#[cfg(unix)]
fn symlink(target: &str, w: &Workdir, name: &str) {
    std::os::unix::fs::symlink(target, w.join(name)).expect("symlink");
}

/// Whether this process can read a file whose permissions forbid it (root can).
fn reads_unreadable_files(path: &Path) -> bool {
    std::fs::File::open(path).is_ok()
}

#[cfg(unix)]
#[test]
fn unreadable_inputs_are_system_failures() {
    use std::os::unix::fs::PermissionsExt;
    let w = Workdir::new();
    w.write("r.csv", RETURNS);
    std::fs::set_permissions(w.join("r.csv"), std::fs::Permissions::from_mode(0o000)).unwrap();
    let cmd = "periods --returns r.csv --out o.csv";
    if reads_unreadable_files(&w.join("r.csv")) {
        // Running as root: mode 000 does not stop reading; the EIO case below stands in.
        eprintln!("running with the right to read mode-000 files: permission case skipped");
    } else {
        check(
            cmd,
            run_within(&w, cmd, 30),
            1,
            &["r.csv", "cannot open", "ermission denied"],
        );
    }
    assert!(!w.exists("o.csv"));
}

/// Reading /proc/self/mem from offset 0 fails with EIO: an I/O error on a file that
/// exists is a system failure, exit 1.
#[cfg(target_os = "linux")]
#[test]
fn input_output_errors_are_system_failures() {
    let w = Workdir::new();
    symlink("/proc/self/mem", &w, "mem.csv");
    for cmd in [
        "periods --returns mem.csv --out o.csv",
        "industry --data mem.csv --out o.csv",
    ] {
        check(
            cmd,
            run_within(&w, cmd, 30),
            1,
            &["mem.csv", "cannot read", "Input/output error"],
        );
    }
    assert!(!w.exists("o.csv"));
}

#[test]
fn a_missing_input_stays_a_bad_argument() {
    let w = Workdir::new();
    let cmd = "periods --returns nope.csv --out o.csv";
    check(
        cmd,
        run_within(&w, cmd, 30),
        2,
        &["nope.csv", "cannot open"],
    );
}

#[cfg(unix)]
#[test]
fn fifos_folders_and_devices_are_refused_without_blocking() {
    let w = Workdir::new();
    let made = Command::new("mkfifo").arg(w.join("fifo.csv")).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo");
    w.mkdir("dir.csv");
    symlink("/dev/zero", &w, "zero.csv");
    w.write("meta.csv", "class_id,fund,manager\na,F1,M1\n");
    let fifo = "is a FIFO (named pipe); expected a regular file";
    let cases: [(&str, &[&str]); 8] = [
        ("industry --data fifo.csv --out o.csv", &["fifo.csv", fifo]),
        (
            "periods --returns fifo.csv --out o.csv",
            &["fifo.csv", fifo],
        ),
        (
            "industry --data fifo.xlsx --out o.csv",
            &["fifo.xlsx", fifo],
        ),
        (
            "industry --data fifo.parquet --out o.csv",
            &["fifo.parquet", fifo],
        ),
        (
            "industry --data dir.csv --out o.csv",
            &["dir.csv", "is a folder, expected a file"],
        ),
        (
            "rate --returns dir.csv --out o.csv",
            &["dir.csv", "is a folder, expected a file"],
        ),
        (
            "periods --returns zero.csv --out o.csv",
            &["zero.csv", "is a character device; expected a regular file"],
        ),
        (
            "industry --data INDUSTRY.csv --meta fifo.csv --group-by fund --out o.csv",
            &["fifo.csv", fifo],
        ),
    ];
    w.write("INDUSTRY.csv", INDUSTRY);
    for ext in ["xlsx", "parquet"] {
        Command::new("mkfifo")
            .arg(w.join(format!("fifo.{ext}")))
            .status()
            .expect("mkfifo");
    }
    for (cmd, expect) in cases {
        check(cmd, run_within(&w, cmd, 30), 2, expect);
    }
    // The study runner checks its inputs the same way before hashing them.
    w.write(
        "s.toml",
        "[inputs.periods]\nreturns = \"fifo.csv\"\n\n[periods]\n",
    );
    let cmd = "run s.toml --out run";
    check(cmd, run_within(&w, cmd, 30), 2, &["fifo.csv", fifo]);
    assert!(!w.exists("o.csv"));
}

/// /proc files say they are empty regular files; they are read like any file and end
/// at once with a clear message (here: not a table of the expected columns).
#[cfg(target_os = "linux")]
#[test]
fn proc_files_end_promptly() {
    let w = Workdir::new();
    symlink("/proc/self/status", &w, "status.csv");
    symlink("/proc/cpuinfo", &w, "cpuinfo.csv");
    for cmd in [
        "periods --returns status.csv --out o.csv",
        "industry --data cpuinfo.csv --out o.csv",
        "periods --returns /proc/self/status --out o.csv",
    ] {
        let (code, err) = run_within(&w, cmd, 30);
        assert!(code == 1 || code == 2, "peergroup {cmd}: {code} {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
        assert!(err.len() < 400, "short: {err}");
    }
}

/// Bytes of memory the system says are available (MemAvailable).
fn available_memory() -> u64 {
    let text = std::fs::read_to_string("/proc/meminfo").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("MemAvailable:"))
        .unwrap();
    line.split_whitespace()
        .nth(1)
        .unwrap()
        .parse::<u64>()
        .unwrap()
        * 1024
}

/// A table input larger than the memory available is refused before it is read, by
/// every command that reads a table: a sparse file of 64 GiB (or twice the available
/// memory) after a valid header and rows.
#[cfg(target_os = "linux")]
#[test]
fn inputs_larger_than_memory_are_refused_at_once() {
    let w = Workdir::new();
    w.write("big.csv", RETURNS);
    let size = (64u64 << 30).max(2 * available_memory());
    std::fs::OpenOptions::new()
        .write(true)
        .open(w.join("big.csv"))
        .unwrap()
        .set_len(size)
        .unwrap();
    let commands = [
        "industry --data big.csv --out o.csv",
        "periods --returns big.csv --out o.csv",
        "rank --returns big.csv --out o.csv",
        "style --returns big.csv --factors big.csv --out o.csv",
        "correlation --returns big.csv --out o.csv",
        "similarity --exposures big.csv --factor-attributes big.csv --out o.csv",
        "peers --similarity big.csv --fund A --out o.csv",
        "cluster --similarity big.csv --out o.csv",
        "rate --returns big.csv --out o.csv",
        "segment sales --sales big.csv --funds big.csv --out seg",
        "segment investors --users big.csv --balances big.csv --out inv",
    ];
    for cmd in commands {
        let start = Instant::now();
        check(
            cmd,
            run_within(&w, cmd, 30),
            1,
            &[
                "big.csv",
                "of memory available",
                "a file larger than the available memory",
            ],
        );
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "{cmd} took {:?}",
            start.elapsed()
        );
    }
    assert!(!w.exists("o.csv") && !w.exists("seg") && !w.exists("inv"));
}

#[test]
fn threads_zero_is_refused_and_huge_counts_are_capped() {
    let w = Workdir::new();
    w.write("r.csv", RETURNS);
    let cmd = "--threads 0 periods --returns r.csv --out o.csv";
    let (code, err) = run_within(&w, cmd, 30);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--threads") && err.contains("at least 1, got '0'"),
        "{err}"
    );
    let cmd = "--threads 100000 periods --returns r.csv --out o.csv";
    let start = Instant::now();
    let (code, err) = run_within(&w, cmd, 60);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("note: --threads 100000 capped at"), "{err}");
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(w.exists("o.csv"));
}

#[test]
fn negative_flag_values_reach_their_checks() {
    let w = Workdir::new();
    w.write("d.csv", INDUSTRY);
    w.write("r.csv", RETURNS);
    let cases: [(&str, &[&str]); 4] = [
        (
            "industry --data d.csv --price-unit -1000 --out o.csv",
            &["--price-unit must be a positive number, got -1000"],
        ),
        (
            "industry --data d.csv --min-aum -5 --out o.csv",
            &["--min-aum must be a non-negative number, got -5"],
        ),
        (
            "cluster --similarity r.csv --k -3 --out o.csv",
            &[
                "'-3'",
                "--k",
                "expected 'auto' or a positive number of clusters",
            ],
        ),
        (
            "style --returns r.csv --factors r.csv --window -5 --out o.csv",
            &["'-5'", "--window"],
        ),
    ];
    for (cmd, expect) in cases {
        let (code, err) = run_within(&w, cmd, 30);
        assert_eq!(code, 2, "peergroup {cmd}: {err}");
        assert!(!err.contains("unexpected argument"), "{cmd}: {err}");
        for e in expect {
            assert!(err.contains(e), "peergroup {cmd}: expected '{e}' in: {err}");
        }
    }
}

/// The categories of the two funds the sales below sell.
const FUNDS: &str =
    "fund,category,broad_category\nF1,Large Blend,Equity\nF2,Core Bond,Fixed Income\n";

#[test]
fn outputs_under_a_file_are_bad_arguments() {
    let w = Workdir::new();
    w.write("afile", "not a folder\n");
    w.write("r.csv", RETURNS);
    w.write("funds.csv", FUNDS);
    w.write("sales.csv", "bd,office,fund,month,amount\nB,O1,F1,2024-01,100\nB,O2,F2,2024-01,50\nB,O3,F2,2024-01,50\n");
    w.write(
        "users.csv",
        "user_id,registered,gender,age,occupation,income_band,referral\n",
    );
    w.write(
        "balances.csv",
        "user_id,date,fund_type,balance,buy,sell,profit\n",
    );
    let cases: [(&str, &str); 7] = [
        (
            "segment sales --sales sales.csv --funds funds.csv --out afile",
            "afile",
        ),
        (
            "segment investors --users users.csv --balances balances.csv --out afile",
            "afile",
        ),
        ("synth universe --funds 10 --out afile", "afile"),
        ("synth sales --out afile/sub", "afile"),
        ("demo --out afile/run", "afile"),
        (
            "periods --returns r.csv --out afile/out.csv",
            "afile/out.csv",
        ),
        (
            "periods --returns r.csv --out o.csv --chart afile/c.svg",
            "afile/c.svg",
        ),
    ];
    for (cmd, named) in cases {
        check(
            cmd,
            run_within(&w, cmd, 60),
            2,
            &[named, "is a file, expected a folder"],
        );
    }
    assert_eq!(w.read("afile"), "not a folder\n");
    assert!(!w.exists("o.csv"));
}

#[test]
fn inputs_are_never_overwritten_even_with_force() {
    let w = Workdir::new();
    w.write("r.csv", RETURNS);
    w.write("d.csv", INDUSTRY);
    #[cfg(unix)]
    symlink("r.csv", &w, "link.csv");
    let cases = [
        ("periods --returns r.csv --out r.csv --force", "r.csv"),
        ("periods --returns ./r.csv --out r.csv --force", "r.csv"),
        (
            "industry --data d.csv --out o.csv --dropped-out d.csv --force",
            "d.csv",
        ),
        ("rank --returns r.csv --out r.csv --force", "r.csv"),
        #[cfg(unix)]
        ("periods --returns r.csv --out link.csv --force", "link.csv"),
    ];
    for (cmd, named) in cases {
        check(
            cmd,
            run_within(&w, cmd, 30),
            2,
            &[
                named,
                "is an input of this run: inputs are never overwritten, even with --force",
            ],
        );
    }
    assert_eq!(w.read("r.csv"), RETURNS);
    assert_eq!(w.read("d.csv"), INDUSTRY);
    assert!(!w.exists("o.csv"));
}

#[test]
fn missing_folders_are_created_only_when_the_command_succeeds() {
    let w = Workdir::new();
    w.write("r.csv", RETURNS);
    w.write("funds.csv", FUNDS);
    w.write(
        "one.csv",
        "bd,office,fund,month,amount\nB,O1,F1,2024-01,100\n",
    );
    // A failed run leaves no folder, not even an empty one.
    let cmd = "segment sales --sales one.csv --funds funds.csv --out seg/new";
    check(
        cmd,
        run_within(&w, cmd, 60),
        2,
        &["one.csv", "only 1 office with sales in the window"],
    );
    assert!(!w.exists("seg"));
    w.write("users.csv", "user_id,registered,gender,age,occupation,income_band,referral\nu1,2024-01-02,F,30,engineer,high,false\n");
    w.write(
        "balances.csv",
        "user_id,date,fund_type,balance,buy,sell,profit\nu1,2024-01-02,stock,100,100,0,0\n",
    );
    let cmd = "segment investors --users users.csv --balances balances.csv --k 3 --out inv/new";
    let (code, err) = run_within(&w, cmd, 60);
    assert_eq!(code, 2, "{err}");
    assert!(!w.exists("inv"), "{err}");
    let cmd = "periods --returns r.csv --out deep/er/o.csv --chart deep/c.svg";
    let (code, err) = run_within(&w, cmd, 30);
    assert_eq!(code, 0, "{err}");
    assert!(w.exists("deep/er/o.csv") && w.exists("deep/c.svg"));
}

#[test]
fn whole_input_errors_name_the_file() {
    let w = Workdir::new();
    w.write(
        "s2.csv",
        "date,fund_a,fund_b,similarity\n2022-01-31,A,B,0.5\n",
    );
    w.write("one.csv", "id,date,value\nA,2022-01-31,0.01\nA,2022-02-28,0.02\nA,2022-03-31,0.02\nA,2022-04-30,0.02\n");
    w.write("funds.csv", FUNDS);
    w.write(
        "sales.csv",
        "bd,office,fund,month,amount\nB,O1,F1,2024-01,100\n",
    );
    w.write("sales3.csv", "bd,office,fund,month,amount\nB,O1,F1,2024-01,100\nB,O2,F2,2024-01,50\nB,O3,F2,2024-01,50\n");
    let cases: [(&str, &[&str]); 5] = [
        (
            "cluster --similarity s2.csv --out o.csv",
            &["s2.csv: clustering needs at least 3 objects, got 2"],
        ),
        (
            "correlation --returns one.csv --out o.csv",
            &["one.csv: correlation needs at least two series"],
        ),
        (
            "segment sales --sales sales.csv --funds funds.csv --out seg",
            &["sales.csv: only 1 office with sales in the window"],
        ),
        (
            "segment sales --sales sales3.csv --funds funds.csv --k 5 --out seg",
            &["sales3.csv: --k 5 is more than the 3 offices"],
        ),
        (
            "peers --similarity s2.csv --fund Z --out o.csv",
            &["s2.csv: unknown fund 'Z'"],
        ),
    ];
    for (cmd, expect) in cases {
        check(cmd, run_within(&w, cmd, 60), 2, expect);
    }
}

/// Checks a one-line message under 300 bytes for `cmd`, exit 2, with `expect`.
fn short_one_line(w: &Workdir, cmd: &str, expect: &[&str]) {
    let (code, err) = run_within(w, cmd, 60);
    check(cmd, (code, err.clone()), 2, expect);
    assert!(err.len() < 300, "{} bytes: {err}", err.len());
}

#[test]
fn echoed_values_are_short_and_on_one_line() {
    let w = Workdir::new();
    let cell = "x".repeat(10 << 20);
    w.write("cell.csv", format!("id,date,value\nA,2022-01-31,{cell}\n"));
    w.write("date.csv", format!("id,date,value\nA,{cell},0.01\n"));
    w.write(
        "icell.csv",
        format!("class_id,date,price,shares,aum\na,2022-01-03,{cell},1,1\n"),
    );
    w.write("header.csv", format!("id,date,{cell}\nA,2022-01-31,1\n"));
    // CR-only line ends, with a header the industry reader does not know.
    w.write(
        "cr.csv",
        "id,date,value\r".to_string() + &"A,2022-01-31,0.01\r".repeat(5000),
    );
    w.write(
        "crbad.csv",
        "id,date,value\rA,2022-01-31,0.01\rA,2022-02-28,abc\r",
    );
    w.write("qnum.csv", "id,date,value\nA,2022-01-31,\"0.0\r\n1\"\n");
    w.write("qdate.csv", "id,date,value\nA,\"2022-01\n-31\",0.01\n");
    w.write("qtab.csv", "id,date,value\nA,2022-01-31,\"1\t2\u{7}\"\n");
    let big = "(10485760 bytes)";
    short_one_line(
        &w,
        "periods --returns cell.csv --out o.csv",
        &[
            "cell.csv, line 2, column 'value'",
            "expected a number, found 'xxx",
            big,
        ],
    );
    short_one_line(
        &w,
        "periods --returns date.csv --out o.csv",
        &["date.csv, line 2, column 'date'", "expected a date", big],
    );
    short_one_line(
        &w,
        "industry --data icell.csv --out o.csv",
        &["icell.csv, line 2, column 'price'", big],
    );
    short_one_line(
        &w,
        "industry --data header.csv --out o.csv",
        &["header.csv, line 1", "missing column", "bytes)"],
    );
    short_one_line(
        &w,
        "industry --data cr.csv --out o.csv",
        &["cr.csv, line 1", "missing column", "found id,date,value"],
    );
    short_one_line(
        &w,
        "periods --returns qnum.csv --out o.csv",
        &["qnum.csv, line 2, column 'value'", "found '0.0\\r\\n1'"],
    );
    short_one_line(
        &w,
        "periods --returns qdate.csv --out o.csv",
        &["qdate.csv, line 2, column 'date'", "found '2022-01\\n-31'"],
    );
    short_one_line(
        &w,
        "periods --returns qtab.csv --out o.csv",
        &["qtab.csv, line 2, column 'value'", "found '1\\t2\\u{7}'"],
    );
    assert!(!w.exists("o.csv"));
}

#[test]
fn duplicate_columns_of_long_tables_are_refused() {
    let w = Workdir::new();
    w.write(
        "long.csv",
        "id,date,value,value\nA,2022-01-31,0.01,0.5\nA,2022-02-28,0.02,0.5\n",
    );
    w.write(
        "mapped.csv",
        "SecId,Date,Return,return\nA,2022-01-31,0.01,0.5\n",
    );
    w.write(
        "ind.csv",
        "class_id,date,price,shares,aum,Price\na,2022-01-03,10,200000,2000000,4\n",
    );
    w.write("meta.csv", "class_id,fund,manager,fund\na,F1,M1,F2\n");
    w.write("d.csv", INDUSTRY);
    w.write(
        "funds.csv",
        "fund,category,broad_category,category\nF1,Large Blend,Equity,x\n",
    );
    w.write(
        "sales.csv",
        "bd,office,fund,month,amount,amount\nB,O1,F1,2024-01,100,1\n",
    );
    w.write(
        "good_sales.csv",
        "bd,office,fund,month,amount\nB,O1,F1,2024-01,100\nB,O2,F1,2024-01,5\n",
    );
    let cases: [(&str, &[&str]); 6] = [
        ("periods --returns long.csv --out o.csv", &["long.csv, line 1, column 'value'", "duplicate column: 'value' appears as column 3 and column 4"]),
        ("periods --returns mapped.csv --id-column SecId --date-column Date --value-column Return --out o.csv", &["mapped.csv", "'return' appears as column 3 and column 4"]),
        ("industry --data ind.csv --out o.csv", &["ind.csv, line 1", "'Price' appears as column 3 and column 6"]),
        ("industry --data d.csv --meta meta.csv --group-by fund --out o.csv", &["meta.csv, line 1", "'fund' appears as column 2 and column 4"]),
        ("segment sales --sales sales.csv --funds funds.csv --out seg", &["sales.csv, line 1", "'amount' appears as column 5 and column 6"]),
        ("segment sales --sales good_sales.csv --funds funds.csv --out seg", &["funds.csv", "'category' appears as column 2 and column 4"]),
    ];
    for (cmd, expect) in cases {
        check(cmd, run_within(&w, cmd, 60), 2, expect);
    }
    assert!(!w.exists("o.csv") && !w.exists("seg"));
}

#[test]
fn a_study_never_runs_into_the_folder_of_its_inputs() {
    let w = Workdir::new();
    w.ok("init ex");
    let before = std::fs::read_dir(w.join("ex/data")).unwrap().count();
    let cmd = "run ex/study.toml --out ex/data --force";
    check(
        cmd,
        run_within(&w, cmd, 60),
        2,
        &[
            "ex/study.toml, line",
            "is inside the run folder ex/data",
            "inputs are never overwritten",
        ],
    );
    assert_eq!(
        std::fs::read_dir(w.join("ex/data")).unwrap().count(),
        before
    );
    w.write("afile", "x");
    let cmd = "run ex/study.toml --out afile/run";
    check(
        cmd,
        run_within(&w, cmd, 60),
        2,
        &["'afile' is a file, expected a folder"],
    );
}
