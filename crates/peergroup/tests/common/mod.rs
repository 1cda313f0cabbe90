//! Helpers shared by the command-line tests: run the binary, check its exit code, read
//! CSV outputs.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Run `peergroup args` in `dir`; returns the exit code and stderr.
pub fn run(args: &[&str], dir: &Path) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_peergroup"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run peergroup");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Run and require success; returns stderr (the summary line).
pub fn ok(args: &[&str], dir: &Path) -> String {
    let (code, err) = run(args, dir);
    assert_eq!(code, 0, "peergroup {args:?}: {err}");
    err
}

/// Run and require exit code 2 with every `expect` fragment in the message.
pub fn fails(args: &[&str], dir: &Path, expect: &[&str]) {
    let (code, err) = run(args, dir);
    assert_eq!(code, 2, "peergroup {args:?} should fail: {err}");
    for e in expect {
        assert!(err.contains(e), "expected '{e}' in: {err}");
    }
}

/// All rows of a CSV file, header first.
pub fn rows(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    let mut out = vec![r.headers().unwrap().iter().map(str::to_string).collect()];
    out.extend(
        r.records()
            .map(|x| x.unwrap().iter().map(str::to_string).collect()),
    );
    out
}
