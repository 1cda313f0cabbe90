//! Similarity at scale, row by row: each fund's top-k peers and chosen funds against all
//! are exactly what the full pair matrix gives (same peers in the same order, values
//! equal up to the summation order), for S* and S, on every date; blocks do not depend on
//! the thread count; bad selections are refused by name.

mod common;

use common::true_exposures;
use std::collections::HashMap;

use peergroup_data::Date;
use peergroup_io::{Column, Exposures, Table};
use peergroup_pipeline::similarity::{
    similarity_matrices, Averaging, DateSimilarity, Measure, PairSelection, RowBlocks,
    SimilarityInputs, SimilaritySettings,
};
use peergroup_pipeline::{Named, Silent};
use peergroup_similarity::FactorSimilarity;
use peergroup_synth::{universe, UniverseConfig};

/// True exposures of a dynamic synthetic universe on every date, a factor similarity
/// with off-diagonal entries, and an R² per fund and date.
fn case(funds: usize, seed: u64) -> (Exposures, FactorSimilarity, HashMap<(String, Date), f64>) {
    let u = universe(&UniverseConfig {
        funds,
        factors: 9,
        periods: 6,
        groups: 5,
        dynamic: true,
        seed,
        ..Default::default()
    });
    let ex = true_exposures(&u);
    let k = ex.factors.len();
    let values = (0..k * k)
        .map(|x| {
            let (a, b) = (x / k, x % k);
            if a == b {
                1.0
            } else {
                0.2 * ((a + b) % 3) as f64
            }
        })
        .collect();
    let sx = FactorSimilarity::from_matrix(ex.factors.names.clone(), values).unwrap();
    let mut r2 = HashMap::new();
    for (t, d) in ex.dates.iter().enumerate() {
        for (i, f) in ex.funds.names.iter().enumerate() {
            r2.insert(
                (f.clone(), *d),
                0.3 + 0.6 * (((i * 7 + t * 3) % 11) as f64 / 11.0),
            );
        }
    }
    (ex, sx, r2)
}

fn inputs<'a>(ex: &'a Exposures, r2: &'a HashMap<(String, Date), f64>) -> SimilarityInputs<'a> {
    SimilarityInputs {
        exposures: Named::new(ex, "exposures.csv"),
        r2: Some(Named::new(r2, "fit.csv")),
        residuals: None,
    }
}

fn blocks(
    ex: &Exposures,
    sx: &FactorSimilarity,
    r2: &HashMap<(String, Date), f64>,
    settings: &SimilaritySettings,
    selection: PairSelection,
) -> Vec<Table> {
    RowBlocks::new(inputs(ex, r2), sx, settings, selection, &Silent)
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap()
}

/// Rows of the blocks as (date, fund, other, rank, similarity).
fn rows(tables: &[Table]) -> Vec<(Date, String, String, i64, f64)> {
    let mut out = Vec::new();
    for t in tables {
        let cols = t.columns();
        let (Column::Date(d), Column::Key { codes: a, names }, Column::F64(s)) =
            (&cols[0], &cols[1], cols.last().unwrap())
        else {
            panic!("unexpected columns {:?}", t.names());
        };
        let (b, rank): (&Vec<u32>, Option<&Vec<i64>>) = match (&cols[2], &cols[3]) {
            (Column::I64(r), Column::Key { codes, .. }) => (codes, Some(r)),
            (Column::Key { codes, .. }, _) => (codes, None),
            _ => panic!("unexpected columns {:?}", t.names()),
        };
        for r in 0..d.len() {
            out.push((
                d[r],
                names[a[r] as usize].clone(),
                names[b[r] as usize].clone(),
                rank.map_or(0, |x| x[r]),
                s[r],
            ));
        }
    }
    out
}

/// The full matrix of each date as a lookup.
fn full(m: &DateSimilarity) -> impl Fn(&str, &str) -> f64 + '_ {
    let pos: HashMap<&str, usize> = m
        .ids
        .iter()
        .enumerate()
        .map(|(i, s)| (s.as_str(), i))
        .collect();
    move |a, b| m.similarity.get(pos[a], pos[b])
}

#[test]
fn top_k_and_chosen_funds_are_the_full_matrix_rows() {
    for seed in [11u64, 12] {
        let (ex, sx, r2) = case(150, seed);
        for measure in [Measure::SStar, Measure::S] {
            let settings = SimilaritySettings {
                measure,
                all_dates: true,
                ..SimilaritySettings::default()
            };
            let every = similarity_matrices(inputs(&ex, &r2), &sx, &settings).unwrap();
            let k = 7;
            let top = rows(&blocks(&ex, &sx, &r2, &settings, PairSelection::TopK(k)));
            assert_eq!(top.len(), every.len() * 150 * k);
            for m in &every {
                let s = full(m);
                for fund in &m.ids {
                    // The reference: every other fund by the full matrix, most similar first.
                    let mut want: Vec<&String> = m.ids.iter().filter(|o| *o != fund).collect();
                    want.sort_by(|a, b| s(fund, b).total_cmp(&s(fund, a)));
                    let got: Vec<_> = top
                        .iter()
                        .filter(|r| r.0 == m.date && &r.1 == fund)
                        .collect();
                    assert_eq!(got.len(), k);
                    for (r, g) in got.iter().enumerate() {
                        assert_eq!(g.3, r as i64 + 1);
                        let exact = s(fund, &g.2);
                        assert!((g.4 - exact).abs() <= 1e-13, "{} vs {exact}", g.4);
                        // The same peer as the full ranking, or a tie with it.
                        let w = want[r];
                        assert!(
                            &g.2 == w || (s(fund, w) - exact).abs() <= 1e-13,
                            "rank {} of {fund}: {} vs {w}",
                            r + 1,
                            g.2
                        );
                    }
                }
            }
            let chosen = vec!["FUND0003".to_string(), "FUND0120".to_string()];
            let against = rows(&blocks(
                &ex,
                &sx,
                &r2,
                &settings,
                PairSelection::Funds(chosen.clone()),
            ));
            assert_eq!(against.len(), every.len() * 2 * 149);
            for (d, a, b, _, v) in &against {
                let m = every.iter().find(|m| m.date == *d).unwrap();
                assert!(chosen.contains(a) && a != b);
                assert!((v - full(m)(a, b)).abs() <= 1e-13);
            }
        }
    }
}

#[test]
fn blocks_do_not_depend_on_the_thread_count() {
    let (ex, sx, r2) = case(120, 5);
    let settings = SimilaritySettings::default();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| rows(&blocks(&ex, &sx, &r2, &settings, PairSelection::TopK(5))))
    };
    let (one, two) = (run(1), run(2));
    assert_eq!(one.len(), two.len());
    for (a, b) in one.iter().zip(&two) {
        assert_eq!((&a.0, &a.1, &a.2, a.3), (&b.0, &b.1, &b.2, b.3));
        assert_eq!(a.4.to_bits(), b.4.to_bits());
    }
}

#[test]
fn bad_selections_are_refused_by_name() {
    let (ex, sx, r2) = case(20, 3);
    let err = |settings: &SimilaritySettings, sel: PairSelection, with_r2: bool| {
        let mut i = inputs(&ex, &r2);
        if !with_r2 {
            i.r2 = None;
        }
        RowBlocks::new(i, &sx, settings, sel, &Silent)
            .err()
            .unwrap()
            .to_string()
    };
    let d = SimilaritySettings::default();
    assert!(err(&d, PairSelection::TopK(0), true).contains("at least 1"));
    let e = err(&d, PairSelection::Funds(vec!["FUND001".into()]), true);
    assert!(
        e.contains("'FUND001'") && e.contains("did you mean FUND0010"),
        "{e}"
    );
    let ma = SimilaritySettings {
        average: Averaging::MovingAverage(3),
        ..d
    };
    let e = err(&ma, PairSelection::TopK(3), true);
    assert!(e.contains("ma:3") && e.contains("--all-pairs"), "{e}");
    let s = SimilaritySettings {
        measure: Measure::S,
        ..d
    };
    assert!(err(&s, PairSelection::TopK(3), false).contains("--fit"));
    assert!(err(&d, PairSelection::All, true).contains("similarity()"));
}

/// A block of funds' top K (one task of a distributed run) is bit for bit those funds'
/// rows of every fund's top K.
#[test]
fn a_block_of_funds_top_k_is_their_rows_of_the_whole() {
    let (ex, sx, r2) = case(90, 8);
    let settings = SimilaritySettings {
        all_dates: true,
        ..SimilaritySettings::default()
    };
    let whole = rows(&blocks(&ex, &sx, &r2, &settings, PairSelection::TopK(4)));
    let chosen = vec!["FUND0007".to_string(), "FUND0050".to_string()];
    let part = rows(&blocks(
        &ex,
        &sx,
        &r2,
        &settings,
        PairSelection::TopKOf(4, chosen.clone()),
    ));
    let want: Vec<_> = whole.iter().filter(|r| chosen.contains(&r.1)).collect();
    assert_eq!(part.len(), want.len());
    for (p, w) in part.iter().zip(want) {
        assert_eq!((&p.0, &p.1, &p.2, p.3), (&w.0, &w.1, &w.2, w.3));
        assert_eq!(p.4.to_bits(), w.4.to_bits());
    }
}
