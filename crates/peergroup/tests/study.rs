//! `peergroup init` and `peergroup run`: the example study runs as written; re-runs reuse
//! exactly the stages whose inputs and settings are unchanged; every bad study file is
//! refused with its key and line, and nothing is written.

mod common;

use common::Workdir;
use serde_json::Value;

/// The stages of the example study, in run order.
const EXAMPLE_STAGES: [&str; 11] = [
    "industry",
    "periods",
    "rank",
    "style",
    "similarity",
    "cluster",
    "evolve",
    "peers",
    "rate",
    "segment-sales",
    "segment-investors",
];

/// `(stage, reused)` from a run folder's manifest, in run order.
fn reuse(w: &Workdir, out: &str) -> Vec<(String, bool)> {
    let m: Value = serde_json::from_str(&w.read(&format!("{out}/manifest.json"))).unwrap();
    m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["stage"].as_str().unwrap().to_string(),
                s["reused"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// The stages recomputed in the last run into `out`.
fn computed(w: &Workdir, out: &str) -> Vec<String> {
    reuse(w, out)
        .into_iter()
        .filter(|(_, r)| !r)
        .map(|(s, _)| s)
        .collect()
}

/// Replace `from` by `to` in the study file (exactly once).
fn edit(w: &Workdir, rel: &str, from: &str, to: &str) {
    let text = w.read(rel);
    assert_eq!(text.matches(from).count(), 1, "'{from}' in {rel}");
    w.write(rel, text.replace(from, to));
}

#[test]
fn example_study_runs_and_reruns_only_what_changed() {
    let w = Workdir::new();
    w.ok("init ex");
    assert!(w.exists("ex/study.toml") && w.exists("ex/data/funds.csv"));
    let err = w.ok("run ex/study.toml");
    assert!(err.contains("report:"), "{err}");
    let first = reuse(&w, "ex/results");
    let names: Vec<&str> = first.iter().map(|(s, _)| s.as_str()).collect();
    assert_eq!(names, EXAMPLE_STAGES);
    assert!(first.iter().all(|(_, r)| !r), "{first:?}");
    for f in [
        "index.html",
        "results.xlsx",
        "style/exposures.csv",
        "similarity/similarity.csv",
        "cluster/clusters.csv",
        "cluster/dendrogram.svg",
        "evolve/stability.csv",
        "evolve/allocation.svg",
        "peers/peers.csv",
        "rate/ratings.csv",
        "rate/ratings.svg",
        "industry/returns.csv",
        "periods/periods.csv",
    ] {
        assert!(w.exists(&format!("ex/results/{f}")), "missing {f}");
    }
    let html = w.read("ex/results/index.html");
    for heading in ["Style exposures", "Peer groups", "Ratings", "<svg"] {
        assert!(html.contains(heading), "index.html lacks {heading}");
    }
    let m: Value = serde_json::from_str(&w.read("ex/results/manifest.json")).unwrap();
    // The study as seen from the run folder, so the pair can be moved together.
    assert_eq!(m["study"], "../study.toml");
    let style = &m["stages"][3];
    assert_eq!(style["settings"]["window"], 104);
    assert_eq!(style["inputs"]["returns"].as_str().unwrap().len(), 64);
    assert!(style["seconds"].as_f64().unwrap() > 0.0);

    // The workbook, read by an independent reader: a sheet per table, numbers as numbers.
    let sheets = common::openpyxl(
        "wb = openpyxl.load_workbook(sys.argv[1])\n\
         print('|'.join(wb.sheetnames))\n\
         ws = wb['clusters']\n\
         print([c.value for c in ws[1]])\n\
         print(ws.max_row - 1)\n\
         ws = wb['ratings']\n\
         print(type(ws.cell(2, 3).value).__name__)",
        &w.join("ex/results/results.xlsx"),
    );
    let lines: Vec<&str> = sheets.lines().collect();
    // A table's own name, or the stage's and the table's when two stages share it.
    for sheet in [
        "exposures",
        "clusters",
        "peers",
        "ratings",
        "cluster agreement",
        "evolve agreement",
        "segment-sales profiles",
        "segment-investors profiles",
    ] {
        assert!(
            lines[0].split('|').any(|s| s == sheet),
            "no sheet {sheet}: {}",
            lines[0]
        );
    }
    let clusters = w.rows("ex/results/cluster/clusters.csv");
    let header: Vec<String> = clusters[0].iter().map(|c| format!("'{c}'")).collect();
    assert_eq!(lines[1], format!("[{}]", header.join(", ")));
    assert_eq!(lines[2], (clusters.len() - 1).to_string());
    assert_eq!(lines[3], "float");

    // Nothing changed: everything reused, and said so.
    let err = w.ok("run ex/study.toml");
    assert!(err.contains("reused 11 stage(s)"), "{err}");
    assert!(computed(&w, "ex/results").is_empty());

    // A clustering setting: only the peer groups are recomputed.
    edit(&w, "ex/study.toml", "bootstrap = 100", "bootstrap = 50");
    w.ok("run ex/study.toml");
    assert_eq!(computed(&w, "ex/results"), ["cluster"]);

    // A style setting: style and everything downstream of it.
    edit(&w, "ex/study.toml", "step = 4", "step = 8");
    w.ok("run ex/study.toml");
    assert_eq!(
        computed(&w, "ex/results"),
        ["style", "similarity", "cluster", "evolve", "peers"]
    );

    // An input file's content: the stages that read it.
    let daily = w.read("ex/data/daily_returns.csv");
    let mut lines: Vec<&str> = daily.lines().collect();
    lines.pop();
    w.write("ex/data/daily_returns.csv", lines.join("\n") + "\n");
    w.ok("run ex/study.toml");
    assert_eq!(computed(&w, "ex/results"), ["rate"]);

    // A stage removed from the study: its folder goes too.
    let text = w.read("ex/study.toml");
    let cut = text.find("[peers]").unwrap();
    let end = cut + text[cut..].find("\n\n").unwrap();
    w.write("ex/study.toml", format!("{}{}", &text[..cut], &text[end..]));
    let err = w.ok("run ex/study.toml");
    assert!(!w.exists("ex/results/peers"));
    assert!(err.contains("removed peers/"), "{err}");
    assert!(computed(&w, "ex/results").is_empty());

    // Another table format: every stage's files change.
    edit(
        &w,
        "ex/study.toml",
        "format = \"csv\"",
        "format = \"parquet\"",
    );
    edit(&w, "ex/study.toml", "workbook = true", "workbook = false");
    let err = w.ok("run ex/study.toml");
    assert_eq!(computed(&w, "ex/results").len(), 10);
    assert!(w.exists("ex/results/style/exposures.parquet"));
    assert!(!w.exists("ex/results/results.xlsx"), "{err}");
    assert!(err.contains("removed results.xlsx"), "{err}");
}

/// A study file with just a style stage on the example's data.
fn style_study(w: &Workdir) {
    w.ok("init ex");
    w.write(
        "ex/s.toml",
        "[inputs.style]\nreturns = \"data/funds.csv\"\nfactors = \"data/factors.csv\"\n\n[style]\nwindow = 52\n",
    );
}

#[test]
fn bad_study_files_name_the_key_and_line_and_write_nothing() {
    let w = Workdir::new();
    style_study(&w);
    let cases: [(&str, &[&str]); 9] = [
        // An unknown key, with the keys that exist.
        (
            "[inputs.style]\nreturns = \"data/funds.csv\"\nfactors = \"data/factors.csv\"\n\n[style]\nwindw = 52\n",
            &["s.toml, line 6", "unknown key 'windw' in [style]", "window"],
        ),
        // A wrong type.
        (
            "[inputs.style]\nreturns = \"data/funds.csv\"\nfactors = \"data/factors.csv\"\n\n[style]\nwindow = \"long\"\n",
            &["s.toml, line 6", "key 'window' in [style]", "expected"],
        ),
        // A missing file.
        (
            "[inputs.style]\nreturns = \"data/nope.csv\"\nfactors = \"data/factors.csv\"\n\n[style]\n",
            &["s.toml, line 2", "key 'returns' in [inputs.style]", "file not found", "nope.csv"],
        ),
        // An unknown stage.
        (
            "[stlye]\nwindow = 3\n",
            &["s.toml, line 1", "unknown key 'stlye'", "style"],
        ),
        // An unknown key inside an input table.
        (
            "[inputs.style]\nreturns = { path = \"data/funds.csv\", colum = \"x\" }\nfactors = \"data/factors.csv\"\n\n[style]\n",
            &["s.toml, line 2", "unknown key 'colum'", "value-column"],
        ),
        // A value out of range, found when the settings are checked.
        (
            "[inputs.style]\nreturns = \"data/funds.csv\"\nfactors = \"data/factors.csv\"\n\n[style]\nstep = 0\n",
            &["s.toml, line 6", "key 'step' in [style]", "at least 1"],
        ),
        // A stage without its inputs.
        (
            "[style]\nwindow = 52\n",
            &["s.toml, line 1", "[style]", "returns", "[inputs.style]"],
        ),
        // A stage without the stage it reads.
        (
            "[cluster]\nk = 3\n",
            &["s.toml, line 1", "[cluster]", "[similarity]"],
        ),
        // Not TOML at all.
        (
            "[style\nwindow = 52\n",
            &["s.toml, line 1", "not valid TOML"],
        ),
    ];
    for (text, expect) in cases {
        w.write("ex/s.toml", text);
        w.fails("run ex/s.toml --out out", expect);
        assert!(!w.exists("out"), "a bad study wrote output: {text}");
    }
    // An empty study says what to add.
    w.write("ex/s.toml", "[study]\ntitle = \"nothing\"\n");
    w.fails("run ex/s.toml --out out", &["no stage"]);
    assert!(!w.exists("out"));
}

#[test]
fn data_errors_name_the_stage_in_study_terms() {
    let w = Workdir::new();
    w.ok("init ex");
    // Daily returns given in percent, read as fractions: the hint is the study's key.
    let daily = w.read("ex/data/daily_returns.csv");
    let mut out = String::new();
    for (i, line) in daily.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let mut cells = line.split(',');
            let date = cells.next().unwrap();
            out.push_str(date);
            for c in cells {
                let x: f64 = c.parse().unwrap_or(0.0);
                out.push_str(&format!(",{}", 100.0 * x));
            }
        }
        out.push('\n');
    }
    w.write("ex/data/daily_returns.csv", out);
    let err = w.fails(
        "run ex/study.toml",
        &[
            "percent = true",
            "[inputs.rate]",
            "in the [rate] stage of",
            "stage(s) before it are complete and kept",
        ],
    );
    assert!(!err.contains("--percent"), "{err}");
    assert!(w.exists("ex/results/style/exposures.csv"));
    assert!(!w.exists("ex/results/rate"));
    // A folder where a file should be.
    w.write(
        "ex/s.toml",
        "[inputs.style]\nreturns = \"data\"\nfactors = \"data/factors.csv\"\n\n[style]\n",
    );
    w.fails("run ex/s.toml --out o", &["line 2", "is a folder"]);
    // Inputs without their stage.
    w.write(
        "ex/s.toml",
        "[inputs.rate]\nreturns = \"data/daily_returns.csv\"\n",
    );
    w.fails(
        "run ex/s.toml --out o",
        &["no stage", "inputs are given for [rate]", "an empty [rate]"],
    );
}

#[test]
fn run_folder_is_not_taken_over_without_force() {
    let w = Workdir::new();
    style_study(&w);
    w.mkdir("busy");
    w.write("busy/notes.txt", "mine");
    w.fails(
        "run ex/s.toml --out busy",
        &["not an earlier study run", "--force"],
    );
    assert_eq!(w.read("busy/notes.txt"), "mine");
    w.ok("run ex/s.toml --out busy --force");
    assert!(w.exists("busy/style/exposures.csv") && w.exists("busy/notes.txt"));
    // A file where the run folder should be.
    w.write("afile", "x");
    w.fails(
        "run ex/s.toml --out afile",
        &["'afile' exists and is not a directory"],
    );
    assert_eq!(w.read("afile"), "x");
    // init refuses to overwrite the study it wrote.
    w.fails("init ex", &["study.toml"]);
    w.ok("init ex --force");
}
