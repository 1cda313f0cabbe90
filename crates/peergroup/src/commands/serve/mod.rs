//! `peergroup serve`: a local, read-only explorer of one run folder in the browser: a
//! fund's peers, style, peer group over time, rating and returns; a peer group; funds side
//! by side; every table as CSV or XLSX and every chart as SVG.

mod pages;
mod run_data;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use axum::extract::{Path as UrlPath, Query, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use clap::Args;
use serde::Deserialize;

use super::{CommandError, CommandResult};
use pages::{
    compare_sections, enc, esc, fund_sections, group_sections, page, sections_html, Section,
};
use run_data::{RunData, STAGES};

/// Arguments of `peergroup serve`.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Run folder of `peergroup run`.
    #[arg(value_name = "RUN_DIR")]
    pub run: PathBuf,
    /// Port (0: any free port, printed at start).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Only this machine can connect to the default; another
    /// address makes the run readable from the network (a warning says so).
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST), value_name = "ADDR")]
    pub bind: IpAddr,
    /// Fund categories id,category[,name,...] (CSV, Parquet or a sheet): the category of
    /// every fund and peer, ranks within the category, and names in the search.
    #[arg(long, value_name = "FILE")]
    pub categories: Option<PathBuf>,
    #[command(flatten)]
    pub category: super::options::CategoryColumn,
}

/// Run `peergroup serve` until interrupted.
pub fn run(args: &ServeArgs) -> CommandResult {
    let folder = run_folder(&args.run);
    if folder != args.run {
        eprintln!(
            "{} is a demo folder: serving its study run, {}",
            args.run.display(),
            folder.display()
        );
    }
    let mut run = RunData::load(&folder)?;
    if let Some(path) = &args.categories {
        let meta =
            peergroup_io::read_metadata(&args.category.source(path, None), "id", &["category"])?;
        run.set_categories(&meta);
    } else if let Some((meta, file)) = study_categories(&run.root) {
        eprintln!("categories and names from the study's [inputs.cluster] reference, {file}");
        run.set_categories(&meta);
    }
    let run = Arc::new(run);
    if run.present.is_empty() || run.funds.is_empty() {
        return Err(CommandError::usage(format!(
            "{}: no stage folder a page can use (style, peers, cluster, evolve, rate with their tables); \
             expected the folder of a study run (`peergroup init s && peergroup run s/study.toml` writes one to s/results)",
            args.run.display()
        )));
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: anyone who can reach this machine can read the run",
            args.bind
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()
        .map_err(|e| CommandError::System(format!("cannot start the server: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
            .await
            .map_err(|e| {
                CommandError::System(format!("cannot listen on {}:{}: {e}", args.bind, args.port))
            })?;
        let addr = listener
            .local_addr()
            .map_err(|e| CommandError::System(e.to_string()))?;
        eprintln!(
            "serving {} ({} funds) at http://{addr}/ (Ctrl-C to stop)",
            run.root.display(),
            run.funds.len()
        );
        axum::serve(listener, router(run))
            .await
            .map_err(|e| CommandError::System(format!("server stopped: {e}")))
    })
}

/// The run folder RUN_DIR names: itself, or the study run a demo folder holds
/// (`peergroup demo` runs the example study into `study/results`).
fn run_folder(dir: &Path) -> PathBuf {
    // A demo folder has report sections named like stages (style, evolve) but no manifest.
    let is_run = dir.join("manifest.json").is_file();
    let demo_run = dir.join("study").join("results");
    if !is_run && demo_run.join("manifest.json").is_file() {
        demo_run
    } else {
        dir.to_path_buf()
    }
}

/// The fund categories the run's study read (`[inputs.cluster] reference`), with the
/// file's path, when the manifest's study file can still be found and read: as given
/// when run (from the working folder), or next to the run folder.
fn study_categories(root: &Path) -> Option<(peergroup_data::Metadata, String)> {
    let manifest = crate::study::Manifest::load(root)?;
    let given = PathBuf::from(&manifest.study);
    let file_name = given.file_name()?;
    let candidates = [
        given.clone(),
        root.join(&given),
        root.parent().map(|p| p.join(file_name)).unwrap_or_default(),
    ];
    let study = candidates
        .iter()
        .filter_map(|p| p.canonicalize().ok())
        .find_map(|p| crate::study::Study::load(&p).ok())?;
    let spec = study.file.inputs.cluster.reference.as_ref()?;
    let source = spec.source(&study.base);
    let meta = peergroup_io::read_metadata(&source, "id", &["category"]).ok()?;
    Some((meta, source.label()))
}

/// The routes.
fn router(run: Arc<RunData>) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/search", get(search))
        .route("/fund/{id}", get(fund))
        .route("/fund/{id}/{file}", get(fund_download))
        .route("/group/{id}", get(group))
        .route("/group/{id}/{file}", get(group_download))
        .route("/compare", get(compare))
        .route("/compare/{file}", get(compare_download))
        .route("/run/{*path}", get(run_file))
        .fallback(not_found_page)
        .with_state(run)
}

type Shared = State<Arc<RunData>>;

async fn home(State(run): Shared) -> Html<String> {
    let mut b = String::new();
    b.push_str("<form action=\"/search\" method=\"get\" role=\"search\"><label>Fund <input id=\"q\" name=\"q\" list=\"funds\" autocomplete=\"off\" placeholder=\"fund id\"></label> <button type=\"submit\">Open</button>");
    b.push_str("<datalist id=\"funds\">");
    for f in &run.funds {
        match run.name_of.get(f) {
            Some(n) => b.push_str(&format!("<option value=\"{}\">{}</option>", esc(f), esc(n))),
            None => b.push_str(&format!("<option value=\"{}\">", esc(f))),
        }
    }
    b.push_str("</datalist></form>");
    if run.root.join("index.html").is_file() {
        b.push_str("<p><a href=\"/run/index.html\">The run's report</a></p>");
    }
    let groups = run.groups();
    if !groups.is_empty() {
        b.push_str("<h2>Peer groups</h2><p>");
        for g in groups {
            b.push_str(&format!(
                "<a href=\"/group/{}\">group {}</a> ({} funds) ",
                enc(g),
                esc(g),
                run.members(g).len()
            ));
        }
        b.push_str("</p>");
    }
    b.push_str("<h2>Stages</h2><ul>");
    for (stage, _, how) in STAGES {
        if run.present.contains(stage) {
            b.push_str(&format!("<li>{stage}: in the run</li>"));
        } else {
            b.push_str(&format!("<li>{stage}: missing, add {} to the study file and run <code>peergroup run</code></li>", esc(how)));
        }
    }
    b.push_str("</ul>");
    Html(page(&run, &format!("{} funds", run.funds.len()), &b))
}

#[derive(Deserialize)]
struct SearchQuery {
    q: Option<String>,
}

async fn search(State(run): Shared, Query(q): Query<SearchQuery>) -> Response {
    let q = q.q.unwrap_or_default();
    let q = q.trim();
    if run.has_fund(q) {
        return Redirect::to(&format!("/fund/{}", enc(q))).into_response();
    }
    let hits = run.suggest(q, 50);
    let b = format!(
        "<p>{} funds match “{}”.</p>{}",
        hits.len(),
        esc(q),
        fund_list(&hits)
    );
    Html(page(&run, "Search", &b)).into_response()
}

/// 404 with suggestions.
fn missing(run: &RunData, what: &str, id: &str) -> Response {
    let hits = run.suggest(id, 10);
    let mut b = format!("<p>No {what} “{}” in this run.</p>", esc(id));
    if !hits.is_empty() {
        b.push_str("<p>Did you mean:</p>");
        b.push_str(&fund_list(&hits));
    }
    (StatusCode::NOT_FOUND, Html(page(run, "Not found", &b))).into_response()
}

/// Funds as a list of links to their pages.
fn fund_list(funds: &[String]) -> String {
    let mut b = String::from("<ul>");
    for f in funds {
        b.push_str(&format!(
            "<li><a href=\"/fund/{}\">{}</a></li>",
            enc(f),
            esc(f)
        ));
    }
    b.push_str("</ul>");
    b
}

async fn not_found_page(State(run): Shared) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(
            &run,
            "Not found",
            "<p>No such page. Start from <a href=\"/\">the home page</a>.</p>",
        )),
    )
        .into_response()
}

async fn fund(State(run): Shared, UrlPath(id): UrlPath<String>) -> Response {
    if !run.has_fund(&id) {
        return missing(&run, "fund", &id);
    }
    let sections = fund_sections(&run, &id);
    let mut b = format!(
        "<p><a href=\"/compare?funds={}\">Compare with its closest peers</a></p>",
        enc(&compare_list(&run, &id))
    );
    b.push_str(&sections_html(&format!("/fund/{}", enc(&id)), &sections));
    Html(page(&run, &format!("Fund {id}"), &b)).into_response()
}

/// The fund and its three closest peers, comma-separated.
fn compare_list(run: &RunData, id: &str) -> String {
    let peers = run.rows("peers/peers.csv", "fund", id);
    let p = peers.col("peer").unwrap_or(0);
    let mut l = vec![id.to_string()];
    l.extend(peers.rows.iter().take(3).map(|r| r[p].clone()));
    l.join(",")
}

async fn fund_download(
    State(run): Shared,
    UrlPath((id, file)): UrlPath<(String, String)>,
) -> Response {
    if !run.has_fund(&id) {
        return missing(&run, "fund", &id);
    }
    download(&run, &fund_sections(&run, &id), &file, &format!("{id}_"))
}

async fn group(State(run): Shared, UrlPath(id): UrlPath<String>) -> Response {
    if !run.groups().contains(&id) {
        return missing(&run, "peer group", &id);
    }
    let b = sections_html(&format!("/group/{}", enc(&id)), &group_sections(&run, &id));
    Html(page(&run, &format!("Peer group {id}"), &b)).into_response()
}

async fn group_download(
    State(run): Shared,
    UrlPath((id, file)): UrlPath<(String, String)>,
) -> Response {
    if !run.groups().contains(&id) {
        return missing(&run, "peer group", &id);
    }
    download(
        &run,
        &group_sections(&run, &id),
        &file,
        &format!("group_{id}_"),
    )
}

#[derive(Deserialize)]
struct CompareQuery {
    funds: Option<String>,
}

/// The funds of `?funds=a,b`, checked.
fn compare_funds(run: &RunData, q: &CompareQuery) -> Result<Vec<String>, Response> {
    let funds: Vec<String> = q
        .funds
        .as_deref()
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    if let Some(bad) = funds.iter().find(|f| !run.has_fund(f)) {
        return Err(missing(run, "fund", bad));
    }
    if funds.len() < 2 {
        return Err((
            StatusCode::BAD_REQUEST,
            Html(page(
                run,
                "Compare",
                "<p>Name two or more funds: <code>/compare?funds=A,B</code>.</p>",
            )),
        )
            .into_response());
    }
    Ok(funds)
}

async fn compare(State(run): Shared, Query(q): Query<CompareQuery>) -> Response {
    let funds = match compare_funds(&run, &q) {
        Ok(f) => f,
        Err(r) => return r,
    };
    let sections = compare_sections(&run, &funds);
    // Downloads carry the same fund list.
    let list = enc(&funds.join(","));
    let mut html = sections_html("/compare", &sections);
    for s in &sections {
        for ext in ["csv", "xlsx"] {
            html = html.replace(
                &format!("href=\"/compare/{}.{ext}\"", s.key),
                &format!("href=\"/compare/{}.{ext}?funds={list}\"", s.key),
            );
        }
    }
    Html(page(
        &run,
        &format!("{} funds side by side", funds.len()),
        &html,
    ))
    .into_response()
}

async fn compare_download(
    State(run): Shared,
    UrlPath(file): UrlPath<String>,
    Query(q): Query<CompareQuery>,
) -> Response {
    match compare_funds(&run, &q) {
        Ok(funds) => download(&run, &compare_sections(&run, &funds), &file, "compare_"),
        Err(r) => r,
    }
}

/// `file` = `<section>.csv`, `.xlsx` or `.svg` of `sections`.
fn download(run: &RunData, sections: &[Section], file: &str, prefix: &str) -> Response {
    let Some((key, ext)) = file.rsplit_once('.') else {
        return not_found(run);
    };
    let Some(s) = sections.iter().find(|s| s.key == key) else {
        return not_found(run);
    };
    let name = format!(
        "{}{key}.{ext}",
        prefix.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '_' && c != '-',
            "_"
        )
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{name}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    match (ext, &s.grid, &s.chart) {
        ("csv", Some(g), _) => {
            let mut w = csv::Writer::from_writer(Vec::new());
            let _ = w.write_record(&g.header);
            for r in &g.rows {
                let _ = w.write_record(r);
            }
            let bytes = w.into_inner().unwrap_or_default();
            (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static("text/csv; charset=utf-8"),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response()
        }
        ("xlsx", Some(g), _) => match xlsx_bytes(&g.to_table()) {
            Ok(bytes) => (
                [
                    (
                        header::CONTENT_TYPE,
                        HeaderValue::from_static(
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        ),
                    ),
                    (header::CONTENT_DISPOSITION, disposition),
                ],
                bytes,
            )
                .into_response(),
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e).into_response(),
        },
        ("svg", _, Some(svg)) => (
            [
                (
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("image/svg+xml"),
                ),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            svg.clone(),
        )
            .into_response(),
        _ => not_found(run),
    }
}

/// A table as the bytes of an `.xlsx` workbook (written through a temporary file: the
/// workbook writer takes a path).
fn xlsx_bytes(t: &peergroup_io::Table) -> Result<Vec<u8>, String> {
    let dir = std::env::temp_dir().join(format!("peergroup-serve-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let path = dir.join(
        format!("{:?}.xlsx", std::thread::current().id())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "_"),
    );
    peergroup_io::write_table(&path, peergroup_io::Format::Xlsx, t).map_err(|e| e.to_string())?;
    let bytes = std::fs::read(&path).map_err(|e| e.to_string())?;
    let _ = std::fs::remove_file(&path);
    Ok(bytes)
}

fn not_found(run: &RunData) -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(page(run, "Not found", "<p>No such file in this run.</p>")),
    )
        .into_response()
}

/// A file the run wrote, if `path` names one inside the run folder: no `..`, no absolute
/// path, no symlink that leads out (the canonical path must stay under the run).
fn run_path(root: &Path, path: &str) -> Option<PathBuf> {
    if path.contains('\\') || path.contains('\0') {
        return None;
    }
    let rel = Path::new(path);
    if !rel.components().all(|c| matches!(c, Component::Normal(_))) {
        return None;
    }
    let full = root.join(rel).canonicalize().ok()?;
    (full.starts_with(root) && full.is_file()).then_some(full)
}

async fn run_file(State(run): Shared, UrlPath(path): UrlPath<String>) -> Response {
    let Some(full) = run_path(&run.root, &path) else {
        return not_found(&run);
    };
    let Ok(bytes) = std::fs::read(&full) else {
        return not_found(&run);
    };
    let kind = match full.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "svg" => "image/svg+xml",
        "csv" => "text/csv; charset=utf-8",
        "json" => "application/json",
        "parquet" => "application/vnd.apache.parquet",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "application/octet-stream",
    };
    (
        [(header::CONTENT_TYPE, HeaderValue::from_static(kind))],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::run_path;

    #[test]
    fn only_files_inside_the_run_are_served() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir(root.join("style")).unwrap();
        std::fs::write(root.join("style/a.csv"), "x\n").unwrap();
        std::fs::write(
            dir.path().parent().unwrap().join("outside-serve-test.txt"),
            "secret",
        )
        .ok();
        assert!(run_path(&root, "style/a.csv").is_some());
        for bad in [
            "../outside-serve-test.txt",
            "style/../../x",
            "/etc/passwd",
            "style\\a.csv",
            "style",
            "",
        ] {
            assert!(run_path(&root, bad).is_none(), "{bad}");
        }
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink("/etc/hostname", root.join("link")).unwrap();
            assert!(run_path(&root, "link").is_none());
        }
    }
}
