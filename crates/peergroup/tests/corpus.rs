//! The malformed-input corpus: every case of `tests/corpus/cases.toml` run through the
//! `peergroup` binary in a fresh folder. Each case asserts the exit code and a fragment
//! of the message, that nothing panicked (no exit 101, no "panicked at"), that the run
//! finished within its time limit, and, when it failed, that it left no file or folder
//! behind.
//!
//! A case's inputs are files of `tests/corpus/` or made by the runner (see [`Input`]):
//! inline text (optionally Latin-1 or UTF-16 encoded, or with a long repeated run),
//! either converted to Parquet or .xlsx (optionally cut short or damaged), a directory,
//! a FIFO or a link to a file of /proc. `{dir}` in an argument is the case's folder, which is also the working
//! directory, so relative names in the command are the case's files.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use peergroup_io::{read_table, write_table, Format};
use serde::Deserialize;

/// The manifest: a list of cases.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    case: Vec<Case>,
}

/// One corpus case.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Unique name (command-what).
    name: String,
    /// The case's files: name in the case's folder → how to make it.
    #[serde(default)]
    files: BTreeMap<String, Input>,
    /// Arguments of `peergroup` (`{dir}` is the case's folder).
    args: Vec<String>,
    /// Expected exit code.
    exit: i32,
    /// A fragment expected in stderr (or stdout, for exit 0).
    message: String,
    /// Outputs that must exist afterwards (for exit 0).
    #[serde(default)]
    creates: Vec<String>,
    /// Upper bound of the stderr length in bytes (messages never echo a whole input).
    #[serde(default)]
    max_stderr: Option<usize>,
    /// Upper bound of the number of stderr lines (a value's line breaks are escaped).
    #[serde(default)]
    max_lines: Option<usize>,
}

/// How to make one input file of a case: its contents come from exactly one of `file`,
/// `text`, `make` or `link`; `convert` then rewrites them as Parquet or .xlsx.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct Input {
    /// A file of `tests/corpus/`, copied.
    file: Option<String>,
    /// The contents as text.
    text: Option<String>,
    /// Encode `text` as Latin-1 (one byte per char up to U+00FF): invalid UTF-8.
    #[serde(default)]
    latin1: bool,
    /// Encode `text` as UTF-16LE with a byte-order mark.
    #[serde(default)]
    utf16: bool,
    /// Append `repeat` this many times, then `then` (a long line or a long cell).
    repeat: Option<String>,
    times: Option<usize>,
    then: Option<String>,
    /// "parquet" or "xlsx": the CSV contents written in that format, each column typed
    /// by its cells (text in a number column makes a text column: wrong types).
    convert: Option<String>,
    /// Keep only this fraction of the converted file's bytes (a truncated file).
    cut: Option<f64>,
    /// Damage the converted file: "magic" (the trailing PAR1), "footer" (bytes of the
    /// metadata before the footer length), "length" (the footer length itself).
    damage: Option<String>,
    /// Invert the bytes at these offsets of the converted file (a damaged data page).
    #[serde(default)]
    flip: Vec<usize>,
    /// "dir" (an empty directory) or "fifo" (a named pipe nobody writes to).
    make: Option<String>,
    /// A symbolic link to this path (say a file of /proc, under a name with an extension).
    link: Option<String>,
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// Latin-1 or UTF-16 bytes of `text` as the input asks, then the repeated run.
fn encode(input: &Input, text: &str) -> Vec<u8> {
    let mut text = text.to_string();
    if let (Some(r), Some(n)) = (&input.repeat, input.times) {
        text.push_str(&r.repeat(n));
    }
    if let Some(t) = &input.then {
        text.push_str(t);
    }
    if input.latin1 {
        text.chars()
            .map(|c| u8::try_from(u32::from(c)).expect("latin1 text has chars up to U+00FF"))
            .collect()
    } else if input.utf16 {
        let mut out = vec![0xFF, 0xFE];
        for u in text.encode_utf16() {
            out.extend_from_slice(&u.to_le_bytes());
        }
        out
    } else {
        text.into_bytes()
    }
}

/// Cut or damage the bytes of a converted file.
fn spoil(bytes: &mut Vec<u8>, input: &Input) {
    if let Some(f) = input.cut {
        bytes.truncate((bytes.len() as f64 * f) as usize);
    }
    for &at in &input.flip {
        bytes[at] = !bytes[at];
    }
    let n = bytes.len();
    match input.damage.as_deref() {
        None => {}
        Some("magic") => bytes[n - 4..].copy_from_slice(b"PAR0"),
        Some("length") => bytes[n - 8..n - 4].copy_from_slice(&u32::MAX.to_le_bytes()),
        Some("footer") => {
            for b in &mut bytes[n - 40..n - 8] {
                *b = !*b;
            }
        }
        Some(other) => panic!("unknown damage {other}"),
    }
}

/// Make the file `name` of a case in `dir`.
fn make_input(dir: &Path, name: &str, input: &Input) {
    let dest = dir.join(name);
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    if let Some(kind) = &input.make {
        match kind.as_str() {
            "dir" => std::fs::create_dir(&dest).unwrap(),
            "fifo" => {
                let status = Command::new("mkfifo").arg(&dest).status().unwrap();
                assert!(status.success(), "mkfifo {}", dest.display());
            }
            other => panic!("unknown make {other}"),
        }
        return;
    }
    if let Some(target) = &input.link {
        std::os::unix::fs::symlink(target, &dest).unwrap();
        return;
    }
    let bytes = match (&input.file, &input.text) {
        (Some(f), None) => {
            std::fs::read(corpus_dir().join(f)).unwrap_or_else(|e| panic!("corpus file {f}: {e}"))
        }
        (None, Some(text)) => encode(input, text),
        _ => panic!("{name}: give one of file, text, make or link"),
    };
    let format = match input.convert.as_deref() {
        None => {
            std::fs::write(&dest, bytes).unwrap();
            return;
        }
        Some("parquet") => Format::Parquet,
        Some("xlsx") => Format::Xlsx,
        Some(other) => panic!("unknown convert {other}"),
    };
    let csv = dir.join(format!(".{name}.csv"));
    std::fs::write(&csv, bytes).unwrap();
    let table = read_table(&csv).unwrap_or_else(|e| panic!("{name}: converting: {e}"));
    std::fs::remove_file(&csv).unwrap();
    write_table(&dest, format, &table).expect("write the converted table");
    let mut bytes = std::fs::read(&dest).unwrap();
    spoil(&mut bytes, input);
    std::fs::write(&dest, bytes).unwrap();
}

/// Every path under `dir`, relative to it.
fn listing(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            out.insert(p.strip_prefix(dir).unwrap().to_path_buf());
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(p);
            }
        }
    }
    out
}

/// The longest a case may run: tiny inputs, so anything longer is a hang.
const LIMIT: Duration = Duration::from_secs(30);

/// Run one case; `Err` says what went wrong.
fn run_case(case: &Case) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    for (name, input) in &case.files {
        make_input(dir, name, input);
    }
    let before = listing(dir);
    let args: Vec<String> = case
        .args
        .iter()
        .map(|a| a.replace("{dir}", &dir.display().to_string()))
        .collect();
    let (out_path, err_path) = (dir.join(".stdout"), dir.join(".stderr"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_peergroup"))
        .args(&args)
        .current_dir(dir)
        .env("RUST_BACKTRACE", "0")
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).unwrap())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("no exit within {} s", LIMIT.as_secs()));
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&std::fs::read(&out_path).unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&std::fs::read(&err_path).unwrap()).into_owned();
    std::fs::remove_file(&out_path).unwrap();
    std::fs::remove_file(&err_path).unwrap();
    let code = status.code().unwrap_or(-1);
    let short = |s: &str| s.chars().take(600).collect::<String>();
    let mut problems = Vec::new();
    if code == 101 || stderr.contains("panicked at") {
        problems.push("panicked".to_string());
    }
    if code != case.exit {
        problems.push(format!("exit {code}, expected {}", case.exit));
    }
    let said = if case.exit == 0 {
        format!("{stderr}{stdout}")
    } else {
        stderr.clone()
    };
    if !said.contains(&case.message) {
        problems.push(format!("message lacks {:?}", case.message));
    }
    if let Some(max) = case.max_stderr {
        if stderr.len() > max {
            problems.push(format!(
                "stderr has {} bytes, at most {max} expected",
                stderr.len()
            ));
        }
    }
    if let Some(max) = case.max_lines {
        let lines = stderr.lines().count();
        if lines > max {
            problems.push(format!("stderr has {lines} lines, at most {max} expected"));
        }
    }
    let after = listing(dir);
    if code != 0 {
        let left: Vec<_> = after.difference(&before).collect();
        if !left.is_empty() {
            problems.push(format!("failed run left {left:?}"));
        }
    }
    for c in &case.creates {
        if !dir.join(c).exists() {
            problems.push(format!("{c} was not written"));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}\n  stderr: {}",
            problems.join("; "),
            short(&stderr)
        ))
    }
}

/// The manifest: `tests/corpus/cases.toml`, or the file `PEERGROUP_CORPUS` names (to try
/// new cases before adding them).
fn manifest() -> Manifest {
    let path = std::env::var_os("PEERGROUP_CORPUS")
        .map_or_else(|| corpus_dir().join("cases.toml"), PathBuf::from);
    let text = std::fs::read_to_string(&path).unwrap();
    toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The command of a case: the first argument, or the first two for `segment`.
fn command_of(case: &Case) -> String {
    match case.args.first().map(String::as_str) {
        Some("segment") => case.args[..2].join(" "),
        Some(c) => c.to_string(),
        None => String::new(),
    }
}

#[test]
fn corpus_cases_behave() {
    let m = manifest();
    let next = AtomicUsize::new(0);
    let failures = Mutex::new(Vec::new());
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(4);
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(case) = m.case.get(i) else { break };
                if let Err(e) = run_case(case) {
                    failures.lock().unwrap().push(format!("{}: {e}", case.name));
                }
            });
        }
    });
    let failures = failures.into_inner().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {} corpus cases failed:\n{}",
        failures.len(),
        m.case.len(),
        failures.join("\n")
    );
}

#[test]
fn corpus_is_broad() {
    let m = manifest();
    assert!(m.case.len() >= 80, "only {} cases", m.case.len());
    let names: BTreeSet<&str> = m.case.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), m.case.len(), "case names repeat");
    let commands: BTreeSet<String> = m.case.iter().map(command_of).collect();
    for wanted in [
        "industry",
        "periods",
        "rank",
        "style",
        "similarity",
        "correlation",
        "peers",
        "cluster",
        "evolve",
        "rate",
        "robustness",
        "segment sales",
        "segment investors",
        "run",
        "init",
        "report",
    ] {
        assert!(commands.contains(wanted), "no case for {wanted}");
    }
    let parquet = m
        .case
        .iter()
        .filter(|c| {
            c.files
                .values()
                .any(|f| f.convert.as_deref() == Some("parquet"))
        })
        .count();
    assert!(parquet >= 10, "only {parquet} Parquet cases");
}
