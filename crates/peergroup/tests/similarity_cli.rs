//! `peergroup similarity`, `correlation`, `peers` and `cluster` end to end, and their
//! bad inputs.

mod common;

use common::Workdir;

/// A universe, its exposures, similarities (one date and rolling dates), peers and
/// clusters with every optional output.
#[test]
fn similarity_peers_and_clusters() {
    let w = Workdir::new();
    w.synth("universe --funds 40 --factors 8 --periods 156 --groups 4 --seed 7 --out u");
    w.ok("style --funds u/funds.csv --factors u/factors.csv --out e.csv --fit-out f.csv");
    w.ok("similarity --exposures e.csv --fit f.csv \
          --factor-attributes u/factor_attributes.csv \
          --attribute-weights sector=2,region=1,asset_class=1 --out s.csv");
    let s = w.rows("s.csv");
    assert_eq!(s[0], ["date", "fund_a", "fund_b", "similarity"]);
    assert_eq!(s.len() - 1, 40 * 39 / 2, "upper triangle");
    // without R² weighting, S* of a fund with itself is 1 and others are at most ~1
    w.ok(
        "similarity --exposures e.csv --factor-attributes u/factor_attributes.csv \
          --out s_star.csv",
    );
    // peers with categories
    w.ok(
        "peers --similarity s_star.csv --fund FUND0001 --top 5 --meta u/meta.csv \
          --out peers.csv",
    );
    let pr = w.rows("peers.csv");
    assert_eq!(
        pr[0],
        [
            "fund",
            "peer",
            "rank",
            "similarity",
            "peer_category",
            "outside_category"
        ]
    );
    assert_eq!(pr.len(), 6);
    let sims: Vec<f64> = pr[1..].iter().map(|r| r[3].parse().unwrap()).collect();
    assert!(
        sims.windows(2).all(|w| w[0] >= w[1]),
        "ranked best first: {sims:?}"
    );
    assert!(pr[1..].iter().all(|r| r[5] == "true" || r[5] == "false"));
    // clusters against the truth, with linkage, BIC and agreement outputs
    let meta = w.rows("u/meta.csv");
    let mut truth = String::from("id,label\n");
    for r in &meta[1..] {
        truth.push_str(&format!("{},{}\n", r[0], r[2]));
    }
    w.write("truth.csv", truth);
    let msg = w.ok("cluster --similarity s_star.csv --method average --k 4 \
                    --linkage-out l.csv --reference truth.csv --agreement-out agree.csv \
                    --out c.csv");
    assert!(msg.contains("ARI 1.000"), "{msg}");
    let l = w.rows("l.csv");
    assert_eq!(l[0], ["left", "right", "height", "size"]);
    assert_eq!(l.len() - 1, 39);
    assert_eq!(l.last().unwrap()[3], "40");
    let c = w.rows("c.csv");
    assert_eq!(c[0], ["id", "cluster"]);
    assert!(c[1..]
        .iter()
        .all(|r| ["1", "2", "3", "4"].contains(&r[1].as_str())));
    let a = w.rows("agree.csv");
    assert!(a.iter().any(|r| r[0] == "ARI"));
    // the agreement is written by default, and any label column of a metadata table works
    let msg = w.ok(
        "cluster --similarity s_star.csv --k 4 --reference u/meta.csv \
                    --reference-column true_group --out c2.csv",
    );
    assert!(msg.contains("ARI 1.000"), "{msg}");
    assert!(w.exists("c2_agreement.csv"), "agreement written by default");
    let msg = w.ok(
        "cluster --similarity s_star.csv --method gmm --k auto --bic-out bic.csv \
                    --out g.csv",
    );
    assert!(msg.contains("chosen by BIC"), "{msg}");
    let bic = w.rows("bic.csv");
    assert_eq!(bic[0], ["model", "k", "bic"]);
    let models: std::collections::BTreeSet<&str> = bic[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(models.len(), 6, "{models:?}");
    // bootstrap p-values over the dates of a rolling similarity
    w.ok(
        "style --funds u/funds.csv --factors u/factors.csv --window 104 --step 13 \
          --out er.csv",
    );
    w.ok(
        "similarity --exposures er.csv --factor-attributes u/factor_attributes.csv \
          --all-dates --out sr.csv",
    );
    w.ok(
        "cluster --similarity sr.csv --method average --k 4 --bootstrap 50 \
          --pvalues-out pv.csv --out cb.csv",
    );
    let pv = w.rows("pv.csv");
    assert_eq!(pv[0], ["cluster_node", "members", "au", "bp"]);
    assert_eq!(pv.len() - 1, 39);
    for r in &pv[1..] {
        let (au, bp): (f64, f64) = (r[2].parse().unwrap(), r[3].parse().unwrap());
        assert!(
            (0.0..=1.0).contains(&au) && (0.0..=1.0).contains(&bp),
            "{r:?}"
        );
    }
    // correlation baseline in the same format, and features input
    w.ok("correlation --returns u/funds.csv --window 52 --all-dates --out corr.csv");
    assert_eq!(
        w.rows("corr.csv")[0],
        ["date", "fund_a", "fund_b", "similarity"]
    );
    w.write(
        "feat.csv",
        "id,x,y\na,0,0\nb,0.1,0\nc,5,5\nd,5.1,5\ne,10,0\nf,10.1,0.1\n",
    );
    let msg = w.ok("cluster --features feat.csv --method ward --k 3 --out cf.csv");
    assert!(msg.contains("6 objects in 3 clusters"), "{msg}");
}

#[test]
fn similarity_and_cluster_bad_inputs() {
    let w = Workdir::new();
    let exposures = "fund,date,factor,beta\nA,2020-12-31,X,0.5\nA,2020-12-31,Y,0.5\nB,2020-12-31,X,1\nC,2020-12-31,Y,1\n";
    w.write("e.csv", exposures);
    let similarity = "similarity --exposures e.csv";
    w.write("sx_ok.csv", "factor,X,Y\nX,1,0.5\nY,0.5,1\n");
    w.ok(&format!(
        "{similarity} --factor-similarity sx_ok.csv --out ok.csv"
    ));
    // a factor-similarity matrix that misses a factor, is not symmetric, leaves [0, 1]
    // or has a diagonal other than 1
    let bad_matrices: &[(&str, &str, &[&str])] = &[
        (
            "sx_missing.csv",
            "factor,X\nX,1\n",
            &[
                "sx_missing.csv",
                "factor 'Y'",
                "missing from the factor-similarity matrix",
            ],
        ),
        (
            "sx_asym.csv",
            "factor,X,Y\nX,1,0.5\nY,0.4,1\n",
            &["sx_asym.csv", "symmetric"],
        ),
        (
            "sx_range.csv",
            "factor,X,Y\nX,1,1.5\nY,1.5,1\n",
            &["sx_range.csv", "[0, 1]"],
        ),
        (
            "sx_diag.csv",
            "factor,X,Y\nX,0.9,0.5\nY,0.5,1\n",
            &["sx_diag.csv", "diagonal"],
        ),
    ];
    for (name, matrix, expect) in bad_matrices {
        w.write(name, matrix);
        w.fails(
            &format!("{similarity} --factor-similarity {name} --out o.csv"),
            expect,
        );
    }
    w.write(
        "fit.csv",
        "fund,date,r2\nA,2020-12-31,0.9\nB,2020-12-31,1.2\nC,2020-12-31,0.5\n",
    );
    w.fails(
        &format!("{similarity} --fit fit.csv --factor-similarity sx_ok.csv --out o.csv"),
        &["fit.csv", "line 3", "column 'r2'", "between 0 and 1"],
    );
    assert!(!w.exists("o.csv"));
    // factor attributes: a weight for an attribute that does not exist, a cross-label
    // similarity outside [0, 1], and a factor without attributes
    w.write(
        "attrs.csv",
        "factor,sector,region\nX,tech,us\nY,energy,us\n",
    );
    let with_attrs = format!("{similarity} --factor-attributes attrs.csv");
    w.ok(&format!("{with_attrs} --out attr_ok.csv"));
    w.fails(
        &format!("{with_attrs} --attribute-weights style=2 --out o.csv"),
        &["--attribute-weights names 'style'", "sector, region"],
    );
    w.write(
        "cross.csv",
        "attribute,label_a,label_b,similarity\nsector,tech,energy,1.7\n",
    );
    w.fails(
        &format!("{with_attrs} --cross-label cross.csv --out o.csv"),
        &["cross.csv", "line 2", "column 'similarity'", "[0, 1]"],
    );
    w.write("attrs_short.csv", "factor,sector\nX,tech\n");
    w.fails(
        &format!("{similarity} --factor-attributes attrs_short.csv --out o.csv"),
        &[
            "attrs_short.csv",
            "factor 'Y'",
            "missing from the factor attribute table",
        ],
    );
    w.fails(
        &format!("{similarity} --out o.csv"),
        &["--factor-similarity", "--factor-attributes"],
    );
    assert!(!w.exists("o.csv"));
    // peers: unknown fund
    w.fails(
        "peers --similarity ok.csv --fund Z --out pp.csv",
        &["ok.csv", "unknown fund 'Z'", "3 funds"],
    );
    // cluster: k larger than the number of funds, and fewer than 3 funds
    w.fails(
        "cluster --similarity ok.csv --k 5 --out c.csv",
        &["--k 5 is larger than the number of objects (3)"],
    );
    w.write(
        "two.csv",
        "date,fund_a,fund_b,similarity\n2020-12-31,A,B,0.5\n",
    );
    w.fails(
        "cluster --similarity two.csv --k 2 --out c.csv",
        &["at least 3 objects, got 2"],
    );
    // bootstrap needs rows to resample
    w.fails(
        "cluster --similarity ok.csv --k 2 --bootstrap 10 --out c.csv",
        &["--bootstrap", "several dates"],
    );
    // negative similarities (correlations) are valid input: distance 1 − s, never clipped
    w.write("neg.csv", "date,fund_a,fund_b,similarity\n2020-12-31,A,B,0.9\n2020-12-31,A,C,-0.5\n2020-12-31,B,C,-0.4\n");
    w.ok(
        "cluster --similarity neg.csv --method average --k 2 --linkage-out nl.csv \
          --out nc.csv",
    );
    let l = w.rows("nl.csv");
    // A–B merge at 1 − 0.9 = 0.1; C joins at the average of 1.5 and 1.4 = 1.45
    assert!((l[1][2].parse::<f64>().unwrap() - 0.1).abs() < 1e-12);
    assert!((l[2][2].parse::<f64>().unwrap() - 1.45).abs() < 1e-12);
    assert!(!w.exists("c.csv"));
}
