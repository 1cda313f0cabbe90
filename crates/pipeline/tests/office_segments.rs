//! Office segments on `synth sales` with default settings and `--k auto`: the four
//! planted office types are found, a single type gives one segment, and the stability
//! separates planted structure from noise.
//!
//! The default features and the nested k rule were tuned on generator seeds 1 and 2;
//! these tests run on seeds 7 and 13, which played no part in the tuning.

use peergroup_cluster::validity::adjusted_rand_index;
use peergroup_io::{read_funds, read_sales, write_table, Format};
use peergroup_pipeline::segment::sales::{self, SalesSegments, SalesSettings};
use peergroup_pipeline::{synth, KChoice};
use peergroup_synth::{OfficeType, SalesConfig, SalesSynth};

/// Segment the sales of `data` with `settings`.
fn segment(data: &SalesSynth, settings: &SalesSettings) -> SalesSegments {
    let dir = tempfile::tempdir().unwrap();
    let [s, f, _, _] = synth::sales_tables(data);
    let (sp, fp) = (dir.path().join("sales.csv"), dir.path().join("funds.csv"));
    write_table(&sp, Format::of(&sp).unwrap(), &s).unwrap();
    write_table(&fp, Format::of(&fp).unwrap(), &f).unwrap();
    sales::segment_sales(
        read_sales(&sp).unwrap(),
        "sales.csv",
        read_funds(&fp).unwrap(),
        "funds.csv",
        settings,
    )
    .unwrap()
}

/// ARI of the segments against the true office types.
fn type_ari(data: &SalesSynth, seg: &SalesSegments) -> f64 {
    let truth: Vec<usize> = seg
        .keys
        .iter()
        .map(|k| {
            let i = data.office_names.iter().position(|o| *o == k.id).unwrap();
            data.office_type[i] as usize
        })
        .collect();
    adjusted_rand_index(&seg.labels, &truth).unwrap()
}

/// `data` with only the sales rows of offices of type `ty`.
fn only_type(data: &SalesSynth, ty: OfficeType) -> SalesSynth {
    let mut out = data.clone();
    let keep: Vec<bool> = (0..data.n_rows())
        .map(|r| data.office_type[data.office[r] as usize] == ty)
        .collect();
    let mut i = 0;
    out.office.retain(|_| (keep[i], i += 1).0);
    let mut i = 0;
    out.fund.retain(|_| (keep[i], i += 1).0);
    let mut i = 0;
    out.month.retain(|_| (keep[i], i += 1).0);
    let mut i = 0;
    out.amount.retain(|_| (keep[i], i += 1).0);
    out
}

#[test]
fn default_settings_find_the_office_types_on_untuned_seeds() {
    for seed in [7, 13] {
        let data = peergroup_synth::sales(&SalesConfig {
            seed,
            ..SalesConfig::default()
        });
        let seg = segment(&data, &SalesSettings::default());
        let ari = type_ari(&data, &seg);
        assert_eq!(seg.k, 4, "seed {seed}: {}", seg.selection.note);
        assert!(ari >= 0.8, "seed {seed}: type ARI {ari}");
        let smallest = seg.summary().sizes.into_iter().min().unwrap();
        assert!(smallest >= 10, "seed {seed}: a segment of {smallest}");
        let st = seg.stability.as_ref().expect("stability on by default");
        assert_eq!(st.aris.len(), 50);
        assert!(st.mean_ari > 0.8, "seed {seed}: stability {st:?}");
        assert!(seg.stability_table().is_some());
        let nested = seg.nested.as_ref().expect("k by the nested rule");
        assert_eq!(nested.tries.iter().filter(|t| t.split).count(), 3);
    }
}

#[test]
fn one_office_type_is_one_segment_and_forced_segments_are_unstable() {
    let data = peergroup_synth::sales(&SalesConfig {
        seed: 13,
        ..SalesConfig::default()
    });
    for ty in [
        OfficeType::RegularBalanced,
        OfficeType::PrivateWealthAlternatives,
    ] {
        let one = only_type(&data, ty);
        let seg = segment(&one, &SalesSettings::default());
        assert_eq!(seg.k, 1, "{ty:?}: {}", seg.selection.note);
        assert!(seg
            .selection
            .note
            .contains("no further meaningful clustering"));
        assert!(seg.stability.is_none());
        // The table is still written, with no replicates.
        assert!(seg.stability_table().is_some());
    }
    // Four segments forced on one type: resamples do not agree on them.
    let one = only_type(&data, OfficeType::RegularFixedIncome);
    let forced = segment(
        &one,
        &SalesSettings {
            k: KChoice::Fixed(4),
            ..SalesSettings::default()
        },
    );
    let st = forced.stability.unwrap();
    assert!(st.mean_ari < 0.7, "noise stability {st:?}");
}

#[test]
fn bd_and_broad_category_restrict_the_rows() {
    let data = peergroup_synth::sales(&SalesConfig {
        seed: 7,
        offices: 120,
        ..SalesConfig::default()
    });
    let bd = data.bd_names[0].clone();
    let seg = segment(
        &data,
        &SalesSettings {
            bd: Some(bd.clone()),
            broad_category: Some("Equity".into()),
            stability_replicates: 0,
            ..SalesSettings::default()
        },
    );
    assert!(seg
        .keys
        .iter()
        .all(|k| k.bd.as_deref() == Some(bd.as_str())));
    assert!(seg
        .notes
        .iter()
        .any(|n| n.contains("--bd") && n.contains("Equity")));
    // Only equity funds in the mix.
    assert_eq!(
        seg.profiles
            .numeric
            .iter()
            .filter(|s| s.name.starts_with("mix_"))
            .count(),
        1
    );
}
