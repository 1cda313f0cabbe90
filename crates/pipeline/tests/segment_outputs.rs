//! The files a segmentation writes are known before the work: the artifacts each result
//! holds are exactly the `output_files` of its settings, in every combination.

use peergroup_io::{read_balances, read_funds, read_sales, read_users, write_table, Format, Table};
use peergroup_pipeline::segment::investors::{self, InvestorSettings};
use peergroup_pipeline::segment::sales::{self, FeatureSet, SalesSettings, SegMethod};
use peergroup_pipeline::{synth, KChoice};
use peergroup_segment::sales::Entity;
use peergroup_segment::transform::Transform;

fn write(dir: &std::path::Path, name: &str, t: &Table) -> std::path::PathBuf {
    let p = dir.join(name);
    write_table(&p, Format::of(&p).unwrap(), t).unwrap();
    p
}

#[test]
fn sales_artifacts_are_the_planned_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = peergroup_synth::sales(&peergroup_synth::SalesConfig {
        offices: 40,
        funds: 16,
        months: 12,
        seed: 3,
        ..Default::default()
    });
    let [s, f, _, _] = synth::sales_tables(&data);
    let (sp, fp) = (
        write(dir.path(), "sales.csv", &s),
        write(dir.path(), "funds.csv", &f),
    );
    for entity in [Entity::Office, Entity::Fund] {
        for method in [SegMethod::Kmeans, SegMethod::Ward] {
            for k in [KChoice::Auto, KChoice::Fixed(3)] {
                let settings = SalesSettings {
                    entity,
                    method,
                    transform: vec![Transform::Share],
                    features: vec![FeatureSet::Quarterly],
                    k,
                    ..SalesSettings::default()
                };
                let out = sales::segment_sales(
                    read_sales(&sp).unwrap(),
                    "sales.csv",
                    read_funds(&fp).unwrap(),
                    "funds.csv",
                    &settings,
                )
                .unwrap();
                let artifacts = out.artifacts();
                assert_eq!(artifacts.files(), sales::output_files(&settings));
                assert!(artifacts
                    .files()
                    .iter()
                    .all(|f| sales::ALL_OUTPUTS.contains(f)));
            }
        }
    }
}

#[test]
fn investor_artifacts_are_the_planned_files() {
    let dir = tempfile::tempdir().unwrap();
    let data = peergroup_synth::investors(&peergroup_synth::investors::InvestorsConfig {
        users: 1000,
        days: 10,
        seed: 1,
        ..Default::default()
    });
    let [u, b, _] = synth::investors_tables(data);
    let (up, bp) = (
        write(dir.path(), "users.csv", &u),
        write(dir.path(), "balances.csv", &b),
    );
    for k in [KChoice::Auto, KChoice::Fixed(3)] {
        let settings = InvestorSettings {
            k,
            k_sample: 300,
            ..InvestorSettings::default()
        };
        let out = investors::segment_investors(
            read_users(&up).unwrap(),
            "users.csv",
            read_balances(&bp).unwrap(),
            "balances.csv",
            &settings,
        )
        .unwrap();
        let files = investors::output_files(&settings);
        // Besides the planned files, one profile chart per segment (k is known only
        // after the work with --k auto).
        let artifacts = out.artifacts();
        let (per_segment, planned): (Vec<&str>, Vec<&str>) = artifacts
            .files()
            .into_iter()
            .partition(|f| f.starts_with("profiles/segment_"));
        assert_eq!(
            planned,
            files.iter().map(String::as_str).collect::<Vec<_>>()
        );
        let expected: Vec<String> = (1..=out.k)
            .map(|s| format!("profiles/segment_{s}.svg"))
            .collect();
        assert_eq!(per_segment, expected);
    }
}
