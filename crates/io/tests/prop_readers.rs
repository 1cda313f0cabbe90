//! Property tests of every reader: a valid seed mutated by a few random edits (bit flips,
//! insertions, deletions, truncation, odd cell values, duplicated, deleted or swapped
//! lines) never panics or hangs, and is either read or refused with an error that names
//! the file. CSV inputs are mutated as text; Parquet inputs either as bytes or as a
//! mutated CSV re-typed and written as Parquet (so wrong column types come up too).
//! The long run of the same mutations is `examples/fuzz_readers.rs`.

mod readers;

use std::time::Duration;

use proptest::prelude::*;
use readers::{apply, is_located, parquet_of, read_within, Mutation, BYTE_KINDS, TARGETS};

/// A reader that takes longer than this on a seed-sized input hangs.
const LIMIT: Duration = Duration::from_secs(20);

fn mutations(kinds: usize) -> impl Strategy<Value = Vec<Mutation>> {
    prop::collection::vec(
        (0..kinds, any::<usize>(), any::<usize>(), any::<usize>())
            .prop_map(|(k, a, b, c)| Mutation::from_parts(k, a, b, c)),
        1..6,
    )
}

/// Read `path` with target `t` and check the result: no hang, a located error.
fn check(t: usize, path: &std::path::Path) -> Result<(), TestCaseError> {
    let name = TARGETS[t].name;
    match read_within(t, path, LIMIT) {
        None => Err(TestCaseError::fail(format!(
            "{name}: no answer in {LIMIT:?}"
        ))),
        Some(Err(e)) if !is_located(&e) => Err(TestCaseError::fail(format!(
            "{name}: error without its file: {e}"
        ))),
        Some(_) => Ok(()),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(5000))]

    #[test]
    fn mutated_csv_is_read_or_refused(t in 0..TARGETS.len(), edits in mutations(Mutation::KINDS)) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("input.csv");
        let mut bytes = TARGETS[t].seed.as_bytes().to_vec();
        for m in &edits {
            apply(&mut bytes, m);
        }
        std::fs::write(&path, &bytes).unwrap();
        check(t, &path)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn mutated_parquet_bytes_are_read_or_refused(t in 0..TARGETS.len(), edits in mutations(BYTE_KINDS)) {
        let dir = tempfile::tempdir().unwrap();
        let (csv, path) = (dir.path().join("seed.csv"), dir.path().join("input.parquet"));
        std::fs::write(&csv, TARGETS[t].seed).unwrap();
        let mut bytes = parquet_of(&csv, &path).expect("every seed converts to Parquet");
        for m in &edits {
            apply(&mut bytes, m);
        }
        std::fs::write(&path, &bytes).unwrap();
        check(t, &path)?;
    }

    #[test]
    fn retyped_parquet_is_read_or_refused(t in 0..TARGETS.len(), edits in mutations(Mutation::KINDS)) {
        let dir = tempfile::tempdir().unwrap();
        let (csv, path) = (dir.path().join("mutated.csv"), dir.path().join("input.parquet"));
        let mut bytes = TARGETS[t].seed.as_bytes().to_vec();
        for m in &edits {
            apply(&mut bytes, m);
        }
        std::fs::write(&csv, &bytes).unwrap();
        // A mutated CSV that is no table at all has no Parquet form: nothing to read.
        if parquet_of(&csv, &path).is_some() {
            check(t, &path)?;
        }
    }
}

/// The seeds themselves are valid: every mutation starts from a file the reader accepts.
#[test]
fn seeds_are_read() {
    let dir = tempfile::tempdir().unwrap();
    for (t, target) in TARGETS.iter().enumerate() {
        let csv = dir.path().join(format!("{}.csv", target.name));
        std::fs::write(&csv, target.seed).unwrap();
        (target.read)(&csv).unwrap_or_else(|e| panic!("{}: {e}", target.name));
        let pq = dir.path().join(format!("{}.parquet", target.name));
        parquet_of(&csv, &pq).expect("the seed converts");
        assert!(
            matches!(read_within(t, &pq, LIMIT), Some(Ok(()))),
            "{} as Parquet",
            target.name
        );
    }
}
