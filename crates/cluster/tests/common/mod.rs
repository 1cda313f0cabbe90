//! Helpers shared by the integration tests: fixture files and matrix views.

// Each test crate compiles this module and uses only some of the helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use peergroup_cluster::kprototypes::MixedRef;
use peergroup_numeric::MatRef;

/// The records of `tests/fixtures/<name>` (a CSV file with a header row).
pub fn fixture(name: &str) -> Vec<csv::StringRecord> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let mut reader = csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    reader.records().map(|r| r.unwrap()).collect()
}

/// Whitespace-separated non-negative integers, e.g. a labelling in one CSV cell.
pub fn ints(s: &str) -> Vec<usize> {
    s.split_whitespace().map(|v| v.parse().unwrap()).collect()
}

/// `x` viewed as n × d (panics on a wrong length: a broken test, not a user error).
pub fn mat(x: &[f64], n: usize, d: usize) -> MatRef<'_> {
    MatRef::new(x, n, d).unwrap()
}

/// A number from a fixture cell.
pub fn num(s: &str) -> f64 {
    s.parse().unwrap_or_else(|_| panic!("not a number: {s:?}"))
}

/// The points of a `case,row,values…` fixture by case: (n, d, row-major values); empty
/// cells pad shorter rows and are skipped.
pub fn case_points(name: &str) -> HashMap<String, (usize, usize, Vec<f64>)> {
    let mut out: HashMap<String, (usize, usize, Vec<f64>)> = HashMap::new();
    for r in fixture(name) {
        let row: Vec<f64> = r
            .iter()
            .skip(2)
            .filter(|c| !c.is_empty())
            .map(num)
            .collect();
        let e = out
            .entry(r[0].to_string())
            .or_insert((0, row.len(), Vec::new()));
        assert_eq!(e.1, row.len());
        e.0 += 1;
        e.2.extend(row);
    }
    out
}

/// Numeric (n × p) and categorical (n × q) parts as mixed data.
pub fn mixed<'a>(
    numeric: &'a [f64],
    categorical: &'a [u32],
    n: usize,
    p: usize,
    q: usize,
) -> MixedRef<'a> {
    MixedRef::new(mat(numeric, n, p), categorical, q).unwrap()
}
