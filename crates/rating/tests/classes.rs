//! Gain and risk classes with every linkage and metric against SciPy's hierarchical
//! clustering (`tests/fixtures/classes_scipy.csv`, made by `make_class_fixtures.py`).

use std::collections::BTreeMap;

use peergroup_rating::classify::linkage_1d;
use peergroup_rating::{ClassSpec, Linkage, Metric};

/// `(case, linkage, metric) → (values, SciPy labels)` in file order.
type Cases = BTreeMap<(String, String, String), (Vec<f64>, Vec<usize>)>;

fn scipy_cases() -> Cases {
    let path = format!(
        "{}/tests/fixtures/classes_scipy.csv",
        env!("CARGO_MANIFEST_DIR")
    );
    let mut cases = Cases::new();
    for r in csv::Reader::from_path(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .records()
    {
        let r = r.unwrap();
        let entry = cases
            .entry((r[0].to_string(), r[1].to_string(), r[2].to_string()))
            .or_default();
        assert_eq!(
            r[3].parse::<usize>().unwrap(),
            entry.0.len(),
            "{path}: rows in order"
        );
        entry.0.push(r[4].parse().unwrap());
        entry.1.push(r[5].parse().unwrap());
    }
    cases
}

/// Labels renumbered by first appearance, so two partitions compare equal whatever
/// their label names.
fn canonical(labels: &[usize]) -> Vec<usize> {
    let mut seen: Vec<usize> = Vec::new();
    labels
        .iter()
        .map(|l| match seen.iter().position(|s| s == l) {
            Some(k) => k,
            None => {
                seen.push(*l);
                seen.len() - 1
            }
        })
        .collect()
}

#[test]
fn three_classes_match_scipy_for_every_linkage_and_metric() {
    let cases = scipy_cases();
    // 4 cases × 3 linkages × 2 metrics.
    assert_eq!(cases.len(), 24);
    let mut differs_from_average = 0;
    for ((case, linkage, metric), (values, want)) in &cases {
        let spec = ClassSpec {
            linkage: linkage.parse::<Linkage>().unwrap(),
            metric: metric.parse::<Metric>().unwrap(),
        };
        let got = linkage_1d(values, 3, &spec);
        assert_eq!(
            canonical(&got),
            canonical(want),
            "{case}: {linkage} linkage, {metric} distance"
        );
        let average = &cases[&(case.clone(), "average".into(), metric.clone())].1;
        differs_from_average += usize::from(canonical(want) != canonical(average));
    }
    // The fixtures tell the linkages apart, so the test checks each one.
    assert!(differs_from_average >= 8, "{differs_from_average}");
}

#[test]
fn linkage_and_metric_names_parse_and_bad_names_are_refused() {
    for l in Linkage::ALL {
        assert_eq!(l.as_str().parse::<Linkage>(), Ok(l));
    }
    for m in Metric::ALL {
        assert_eq!(m.as_str().parse::<Metric>(), Ok(m));
    }
    assert_eq!(
        "ward".parse::<Linkage>(),
        Err("unknown linkage 'ward': expected average, single or complete".to_string())
    );
    assert_eq!(
        "cityblock".parse::<Metric>(),
        Err("unknown metric 'cityblock': expected euclidean or manhattan".to_string())
    );
    assert_eq!(
        ClassSpec::default(),
        ClassSpec {
            linkage: Linkage::Average,
            metric: Metric::Euclidean
        }
    );
}
