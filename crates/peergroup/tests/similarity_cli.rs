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
    w.ok("similarity --exposures e.csv --fit f.csv --measure s \
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
        &format!(
            "{similarity} --measure s --fit fit.csv --factor-similarity sx_ok.csv --out o.csv"
        ),
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

/// Wide CSV `date,<id>...` as (ids, dates, columns).
fn wide(rows: &[Vec<String>]) -> (Vec<String>, Vec<String>, Vec<Vec<f64>>) {
    let ids = rows[0][1..].to_vec();
    let dates = rows[1..].iter().map(|r| r[0].clone()).collect();
    let cols = (1..rows[0].len())
        .map(|c| rows[1..].iter().map(|r| r[c].parse().unwrap()).collect())
        .collect();
    (ids, dates, cols)
}

/// `style --residuals-out` feeds `similarity --measure s --idio residual`: residuals
/// checked by hand against the returns and exposures, S with the residual S_U differs
/// from S with S_U = 0, rolling windows with --residual-window, and the misuses exit 2.
#[test]
fn residuals_chain_from_style_to_similarity() {
    let w = Workdir::new();
    w.synth(
        "universe --funds 12 --factors 5 --periods 156 --groups 3 --r2 0.3,0.8 --seed 19 --out u",
    );
    w.ok(
        "style --returns u/funds.csv --factors u/factors.csv --out e.csv --fit-out f.csv \
          --residuals-out r.csv",
    );
    let r = w.rows("r.csv");
    assert_eq!(r[0], ["fund", "date", "residual"]);
    assert_eq!(r.len() - 1, 12 * 156, "every fund on every date");
    // By hand: residual = return − Σ_k factor_k · β_k of the whole-sample fit.
    let (fund_ids, dates, fund_cols) = wide(&w.rows("u/funds.csv"));
    let (factor_ids, _, factor_cols) = wide(&w.rows("u/factors.csv"));
    let e = w.rows("e.csv");
    let beta = |fund: &str, factor: &str| -> f64 {
        e[1..]
            .iter()
            .find(|row| row[0] == fund && row[2] == factor)
            .map(|row| row[3].parse().unwrap())
            .unwrap()
    };
    for row in [&r[1], &r[100], &r[r.len() - 1]] {
        let i = fund_ids.iter().position(|f| *f == row[0]).unwrap();
        let d = dates.iter().position(|x| *x == row[1]).unwrap();
        let fitted: f64 = factor_ids
            .iter()
            .enumerate()
            .map(|(k, f)| factor_cols[k][d] * beta(&row[0], f))
            .sum();
        let want = fund_cols[i][d] - fitted;
        let got: f64 = row[2].parse().unwrap();
        assert!((got - want).abs() < 1e-12, "{row:?}: {got} vs {want}");
    }
    let attrs = "--factor-attributes u/factor_attributes.csv";
    w.ok(&format!(
        "similarity --exposures e.csv --fit f.csv --measure s {attrs} --out s0.csv"
    ));
    w.ok(&format!(
        "similarity --exposures e.csv --fit f.csv --measure s --idio residual --residuals r.csv \
         {attrs} --out su.csv"
    ));
    let (s0, su) = (w.rows("s0.csv"), w.rows("su.csv"));
    assert_eq!(s0.len(), su.len());
    let diff = s0[1..]
        .iter()
        .zip(&su[1..])
        .filter(|(a, b)| a[3] != b[3])
        .count();
    assert!(diff > 0, "the residual S_U changes some pairs");
    // every S_U ≥ 0, so S never falls
    assert!(s0[1..]
        .iter()
        .zip(&su[1..])
        .all(|(a, b)| b[3].parse::<f64>().unwrap() >= a[3].parse::<f64>().unwrap() - 1e-15));
    // rolling windows: residuals of the window ending on each date, S_U over the window
    w.ok(
        "style --returns u/funds.csv --factors u/factors.csv --window 52 --step 13 \
          --out er.csv --fit-out fr.csv --residuals-out rr.csv",
    );
    let msg = w.ok(&format!(
        "similarity --exposures er.csv --fit fr.csv --measure s --idio residual --residuals rr.csv \
         --residual-window 52 --all-dates {attrs} --out sr.csv"
    ));
    assert!(msg.contains("on 9 date(s)"), "{msg}");
    // misuse: residual S_U without --measure s, --measure s without --fit, --fit with S*,
    // a residual window too short, a fund without residuals
    w.fails(
        &format!(
            "similarity --exposures e.csv --idio residual --residuals r.csv {attrs} --out x.csv"
        ),
        &["idio", "--measure s"],
    );
    w.fails(
        &format!("similarity --exposures e.csv --measure s {attrs} --out x.csv"),
        &["--measure s", "--fit"],
    );
    w.fails(
        &format!("similarity --exposures e.csv --fit f.csv {attrs} --out x.csv"),
        &["--fit", "--measure s"],
    );
    w.fails(
        &format!(
            "similarity --exposures e.csv --fit f.csv --measure s --idio residual --residuals r.csv \
             --residual-window 5 {attrs} --out x.csv"
        ),
        &["--residual-window", "at least 12"],
    );
    let few: String = w
        .read("r.csv")
        .lines()
        .filter(|l| !l.starts_with("FUND0003"))
        .map(|l| format!("{l}\n"))
        .collect();
    w.write("r_few.csv", few);
    w.fails(
        &format!(
            "similarity --exposures e.csv --fit f.csv --measure s --idio residual --residuals r_few.csv \
             {attrs} --out x.csv"
        ),
        &["r_few.csv", "fund 'FUND0003'", "no residual series"],
    );
    assert!(!w.exists("x.csv"));
}

/// Seed 004's Table 17: a same-label similarity below 1 (here 0.8 for region `us`), for
/// the factor with itself too. By hand, with S_X = ½ sector + ½ region:
/// S_X(X, X) = S_X(Y, Y) = ½ + ½·0.8 = 0.9, S_X(X, Y) = ½·0 + ½·0.8 = 0.4; fund A = (½, ½),
/// B = (1, 0): S_SYST(A, B) = 0.5·0.9 + 0.5·0.4 + 0.5·0.4 + 0.5·0.9 = 1.3,
/// S_SYST(A, A) = 2.6, S_SYST(B, B) = 1.8, S* = 1.3/√4.68.
#[test]
fn same_label_similarity_below_one() {
    let w = Workdir::new();
    w.write(
        "e.csv",
        "fund,date,factor,beta\nA,2020-12-31,X,0.5\nA,2020-12-31,Y,0.5\nB,2020-12-31,X,1\nB,2020-12-31,Y,0\nC,2020-12-31,X,0\nC,2020-12-31,Y,1\n",
    );
    w.write(
        "attrs.csv",
        "factor,sector,region\nX,tech,us\nY,energy,us\n",
    );
    w.write(
        "cross.csv",
        "attribute,label_a,label_b,similarity\nregion,us,us,0.8\n",
    );
    w.ok("similarity --exposures e.csv --factor-attributes attrs.csv --cross-label cross.csv --out s.csv");
    let s = w.rows("s.csv");
    let ab: f64 = s[1..]
        .iter()
        .find(|r| r[1] == "A" && r[2] == "B")
        .map(|r| r[3].parse().unwrap())
        .unwrap();
    assert!((ab - 1.3 / 4.68f64.sqrt()).abs() < 1e-12, "{ab}");
    // zero for a label against itself is refused, naming the row
    w.write(
        "cross0.csv",
        "attribute,label_a,label_b,similarity\nregion,us,us,0\n",
    );
    w.fails(
        "similarity --exposures e.csv --factor-attributes attrs.csv --cross-label cross0.csv --out x.csv",
        &["cross0.csv", "line 2", "column 'similarity'", "(0, 1]"],
    );
    assert!(!w.exists("x.csv"));
}

/// `cluster --returns --factors --bootstrap`: AU/BP of a one-date S* by resampling the
/// return periods behind the exposures (seed 004 Chart 4), the dendrogram drawn with
/// them; the same tree as clustering the similarity table of `style` + `similarity`.
#[test]
fn one_date_bootstrap_over_return_periods() {
    let w = Workdir::new();
    w.synth("universe --funds 15 --factors 8 --periods 156 --groups 3 --seed 41 --out u");
    let attrs = "--factor-attributes u/factor_attributes.csv";
    w.ok(&format!(
        "cluster --returns u/funds.csv --factors u/factors.csv {attrs} --k 3 --bootstrap 30 \
         --pvalues-out pv.csv --linkage-out l.csv --chart d.svg --out c.csv"
    ));
    let pv = w.rows("pv.csv");
    assert_eq!(pv[0], ["cluster_node", "members", "au", "bp"]);
    assert_eq!(pv.len() - 1, 14);
    let root = pv.last().unwrap();
    assert_eq!(root[1].split(';').count(), 15);
    let p = |c: &str| c.parse::<f64>().unwrap();
    assert_eq!((p(&root[2]), p(&root[3])), (1.0, 1.0));
    assert!(w.read("d.svg").contains("AU"), "AU/BP drawn at the nodes");
    // the tree is that of the similarity table computed by the two commands
    w.ok("style --returns u/funds.csv --factors u/factors.csv --out e.csv");
    w.ok(&format!("similarity --exposures e.csv {attrs} --out s.csv"));
    w.ok("cluster --similarity s.csv --k 3 --linkage-out l2.csv --out c2.csv");
    assert_eq!(w.rows("l.csv"), w.rows("l2.csv"));
    assert_eq!(w.rows("c.csv"), w.rows("c2.csv"));
    // misuse exits 2 and writes nothing
    let base = "cluster --returns u/funds.csv --factors u/factors.csv";
    w.fails(
        &format!("{base} --k 3 --out x.csv"),
        &["--factor-similarity", "--factor-attributes"],
    );
    w.fails(
        &format!("{base} {attrs} --method kmeans --k 3 --out x.csv"),
        &["hierarchical --method"],
    );
    w.fails(
        &format!("{base} {attrs} --k 3 --reference u/meta.csv --out x.csv"),
        &["--reference", "not available with --returns"],
    );
    w.fails(
        &format!("{base} {attrs} --k 3 --pvalues-out p.csv --out x.csv"),
        &["--pvalues-out needs --bootstrap"],
    );
    w.fails(
        &format!("cluster --similarity s.csv {attrs} --k 3 --out x.csv"),
        &["go with --returns"],
    );
    w.fails(
        "cluster --returns u/funds.csv --k 3 --out x.csv",
        &["--factors"],
    );
    assert!(!w.exists("x.csv") && !w.exists("p.csv"));
}

/// At scale: --top-k writes each fund's peers as `peers` finds them in the full table,
/// --funds the chosen funds' rows of it; past 10,000 funds every pair needs --all-pairs;
/// the heat map does not go with a row selection; an unknown fund is named.
#[test]
fn top_k_and_chosen_funds_without_the_pair_table() {
    let w = Workdir::new();
    w.synth("universe --funds 60 --factors 8 --periods 120 --groups 4 --seed 17 --out u");
    w.ok("style --funds u/funds.csv --factors u/factors.csv --out e.parquet --fit-out f.csv");
    let base = "similarity --exposures e.parquet --factor-attributes u/factor_attributes.csv";
    w.ok(&format!("{base} --out all.parquet"));
    let msg = w.ok(&format!("{base} --top-k 4 --out top.csv"));
    assert!(
        msg.contains("240 rows (top 4 peers of every fund)"),
        "{msg}"
    );
    let top = w.rows("top.csv");
    assert_eq!(top[0], ["date", "fund", "rank", "peer", "similarity"]);
    for fund in ["FUND0001", "FUND0033", "FUND0060"] {
        w.ok(&format!(
            "peers --similarity all.parquet --fund {fund} --top 4 --out p_{fund}.csv --force"
        ));
        let want = w.rows(&format!("p_{fund}.csv"));
        let got: Vec<&Vec<String>> = top.iter().filter(|r| r[1] == fund).collect();
        assert_eq!(got.len(), 4);
        for (g, p) in got.iter().zip(&want[1..]) {
            assert_eq!((&g[3], &g[2]), (&p[1], &p[2]), "{fund}");
            let (a, b): (f64, f64) = (g[4].parse().unwrap(), p[3].parse().unwrap());
            assert!((a - b).abs() < 1e-13);
        }
    }
    w.ok(&format!("{base} --funds FUND0002,FUND0040 --out two.csv"));
    let two = w.rows("two.csv");
    assert_eq!(two[0], ["date", "fund_a", "fund_b", "similarity"]);
    assert_eq!(two.len() - 1, 2 * 59);
    w.fails(
        &format!("{base} --funds FUND0002,FUND9 --out x.csv"),
        &["e.parquet", "'FUND9'"],
    );
    assert!(!w.exists("x.csv"));
    w.fails(
        &format!("{base} --top-k 3 --chart h.svg --out x.csv"),
        &["--chart", "--top-k"],
    );
    w.fails(&format!("{base} --top-k 0 --out x.csv"), &["at least 1"]);
    w.fails(
        &format!("{base} --top-k 3 --average ma:2 --all-dates --out x.csv"),
        &["ma:2", "--all-pairs"],
    );
    // 10,001 funds with one date of exposures on two factors.
    let mut big = String::from("fund,date,factor,beta\n");
    for i in 0..10_001 {
        let x = (i % 97) as f64 / 97.0;
        big.push_str(&format!(
            "F{i:05},2024-06-28,X,{x}\nF{i:05},2024-06-28,Y,{}\n",
            1.0 - x
        ));
    }
    w.write("big.csv", big);
    w.write("sx.csv", "factor,X,Y\nX,1,0.3\nY,0.3,1\n");
    let big = "similarity --exposures big.csv --factor-similarity sx.csv";
    w.fails(
        &format!("{big} --out b.parquet"),
        &[
            "10001 funds make 50,005,000 pairs",
            "--top-k",
            "--all-pairs",
        ],
    );
    assert!(!w.exists("b.parquet"));
    let msg = w.ok(&format!("{big} --top-k 2 --out b.parquet"));
    assert!(msg.contains("20002 rows"), "{msg}");
}

/// Peer groups at scale from the exposures: with as many micro-clusters as funds they
/// are `cluster --similarity --method average` on the pair table; flags that need every
/// pair are refused by name.
#[test]
fn peer_groups_at_scale_from_exposures() {
    let w = Workdir::new();
    w.synth("universe --funds 80 --factors 8 --periods 120 --groups 4 --seed 23 --out u");
    w.ok("style --funds u/funds.csv --factors u/factors.csv --out e.csv");
    let attrs = "--factor-attributes u/factor_attributes.csv";
    w.ok(&format!("similarity --exposures e.csv {attrs} --out s.csv"));
    w.ok("cluster --similarity s.csv --method average --k 4 --out exact.csv");
    let msg = w.ok(&format!(
        "cluster --exposures e.csv {attrs} --k 4 --micro-clusters 80 --out scale.csv"
    ));
    assert!(
        msg.contains("80 funds") && msg.contains("from 80 micro-clusters"),
        "{msg}"
    );
    let (exact, scale) = (w.rows("exact.csv"), w.rows("scale.csv"));
    assert_eq!(scale[0], ["id", "cluster", "micro_cluster"]);
    assert_eq!(exact.len(), scale.len());
    for (e, s) in exact[1..].iter().zip(&scale[1..]) {
        assert_eq!((&e[0], &e[1]), (&s[0], &s[1]));
    }
    // Fewer micro-clusters: still four groups, every fund in one micro-cluster.
    w.ok(&format!(
        "cluster --exposures e.csv {attrs} --k 4 --micro-clusters 20 --out m20.csv"
    ));
    let m20 = w.rows("m20.csv");
    assert_eq!(m20.len(), 81);
    assert!(m20[1..]
        .iter()
        .all(|r| (1..=4).contains(&r[1].parse::<i64>().unwrap())));
    // Against the generator's groups, with the agreement table.
    let msg = w.ok(&format!(
        "cluster --exposures e.csv {attrs} --k 4 --micro-clusters 20 --reference u/meta.csv \
         --reference-column true_group --out m20r.csv"
    ));
    assert!(msg.contains("ARI 1.000"), "{msg}");
    assert!(w.exists("m20r_agreement.csv"));
    for (args, expect) in [
        ("--k auto", "--k N"),
        ("--k 4 --method ward", "--method average"),
        (
            "--k 4 --bootstrap 10",
            "--bootstrap is not available with --exposures",
        ),
        (
            "--k 4 --micro-clusters 2",
            "--micro-clusters 2 must be at least --k 4",
        ),
        ("--k 81", "the 80 funds"),
    ] {
        w.fails(
            &format!("cluster --exposures e.csv {attrs} {args} --out x.csv"),
            &[expect],
        );
        assert!(!w.exists("x.csv"));
    }
    w.fails(
        "cluster --exposures e.csv --k 4 --out x.csv",
        &["--factor-attributes"],
    );
}
