//! `peergroup serve` as a user meets it: every route over HTTP (status, content,
//! headers), path traversal refused, and a real headless Chromium driven through
//! chromedriver: home → search a fund → open it → a peer → its peer group → a download,
//! with no console errors.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_peergroup");

/// The example study's run folder, made once for all tests.
fn run_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("peergroup-serve-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ok = |c: &mut Command| assert!(c.output().unwrap().status.success());
        ok(Command::new(BIN).arg("init").arg(dir.join("s")));
        ok(Command::new(BIN)
            .arg("run")
            .arg(dir.join("s/study.toml"))
            .arg("--out")
            .arg(dir.join("run")));
        dir.join("run")
    })
}

/// A server on a free port, stopped when dropped.
struct Server {
    child: Child,
    addr: String,
    /// What the server printed up to its address.
    said: String,
}

impl Server {
    fn start(dir: &Path) -> Server {
        Server::start_with(dir, &[])
    }

    fn start_with(dir: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(BIN)
            .args(["serve", "--port", "0"])
            .args(extra)
            .arg(dir)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Notes (a demo folder, categories found) come before the address line.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        let mut said = String::new();
        while !line.contains("http://") {
            line.clear();
            if stderr.read_line(&mut line).unwrap() == 0 {
                break;
            }
            said.push_str(&line);
        }
        let addr = line
            .split("http://")
            .nth(1)
            .and_then(|s| s.split('/').next())
            .unwrap_or_else(|| panic!("no address in {said:?}"))
            .to_string();
        Server { child, addr, said }
    }

    /// GET `path` as sent (no normalisation): status, lower-case headers, body.
    fn get(&self, path: &str) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let mut s = TcpStream::connect(&self.addr).unwrap();
        write!(
            s,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.addr
        )
        .unwrap();
        let (head, body) = read_response(&mut s);
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
            .collect();
        (status, headers, body)
    }

    fn page(&self, path: &str) -> (u16, String) {
        let (s, _, b) = self.get(path);
        (s, String::from_utf8(b).unwrap())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Read one HTTP response from `s`: its head and body, by Content-Length or
/// chunks (a server may keep the connection open after it).
fn read_response(s: &mut TcpStream) -> (String, Vec<u8>) {
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).unwrap();
        assert!(n > 0, "connection closed before the headers");
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let lower = head.to_lowercase();
    let mut body = raw[split + 4..].to_vec();
    let length = lower
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse::<usize>().ok());
    let chunked = lower.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(n) => body.len() >= n,
            None if chunked => body.windows(5).any(|w| w == b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    if chunked {
        body = unchunk(&body);
    }
    (head, body)
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let end = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..end]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[end + 2..end + 2 + n]);
        b = &b[end + 2 + n + 2..];
    }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

#[test]
fn every_route_answers() {
    let srv = Server::start(run_dir());
    let (s, home) = srv.page("/");
    assert_eq!(s, 200);
    assert!(
        home.contains("<datalist id=\"funds\">") && home.contains("<option value=\"FUND0001\">")
    );
    assert!(home.contains("/run/index.html") && home.contains("/group/1"));
    assert!(
        !home.contains("http://") && !home.contains("https://"),
        "no network resources"
    );

    let (s, f) = srv.page("/fund/FUND0001");
    assert_eq!(s, 200);
    for want in [
        "Peer group",
        "Closest peers",
        "Style exposures over time",
        "Peer group over time",
        "Rating and risk components",
        "Period returns",
        "<svg",
        "/fund/FUND0005",
        "/fund/FUND0001/peers.csv",
        "/fund/FUND0001/peers.xlsx",
        "/fund/FUND0001/exposures.svg",
        "<th>s_star</th><th>s</th><th>correlation</th>",
    ] {
        assert!(f.contains(want), "fund page lacks {want}");
    }
    // The page rounds to four decimals; the download keeps every digit.
    let (_, _, csv) = srv.get("/fund/FUND0001/peers.csv");
    let csv = String::from_utf8(csv).unwrap();
    let first = csv.lines().nth(1).unwrap().split(',').nth(3).unwrap();
    let x: f64 = first.parse().unwrap();
    assert!(first.len() > 8, "{first}");
    assert!(f.contains(&format!("<td>{x:.4}</td>")) && !f.contains(first));
    let (s, g) = srv.page("/group/1");
    assert_eq!(s, 200);
    assert!(g.contains("Members") && g.contains("Members over time") && g.contains("Theme"));
    assert!(g.contains("Out-of-sample returns"));
    let (s, c) = srv.page("/compare?funds=FUND0001,FUND0002");
    assert_eq!(s, 200);
    assert!(c.contains("Side by side") && c.contains("<th>FUND0002</th>"));
    assert!(c.contains("/compare/facts.csv?funds=FUND0001%2CFUND0002"));

    // Downloads: CSV, XLSX and SVG, with their types and a file name.
    let (s, h, body) = srv.get("/fund/FUND0001/peers.csv");
    assert_eq!(s, 200);
    assert!(header(&h, "content-type").starts_with("text/csv"));
    assert!(header(&h, "content-disposition").contains("FUND0001_peers.csv"));
    let text = String::from_utf8(body).unwrap();
    assert!(
        text.starts_with("fund,rank,peer,similarity,s_star,s,correlation"),
        "{text}"
    );
    assert_eq!(text.lines().count(), 6);
    let (s, h, body) = srv.get("/fund/FUND0001/exposures.xlsx");
    assert_eq!(s, 200);
    assert!(header(&h, "content-type").contains("spreadsheetml"));
    assert_eq!(&body[..2], b"PK");
    let (s, h, body) = srv.get("/fund/FUND0001/exposures.svg");
    assert_eq!((s, header(&h, "content-type")), (200, "image/svg+xml"));
    assert!(body.starts_with(b"<svg"));
    let (s, _, body) = srv.get("/compare/exposures.csv?funds=FUND0001%2CFUND0002");
    assert_eq!(s, 200);
    assert!(String::from_utf8(body)
        .unwrap()
        .starts_with("factor,FUND0001,FUND0002"));
    let (s, _, body) = srv.get("/group/1/members.csv");
    assert_eq!(s, 200);
    assert!(body.starts_with(b"fund,stars"));
    let (s, h, _) = srv.get("/run/index.html");
    assert_eq!(
        (s, header(&h, "content-type")),
        (200, "text/html; charset=utf-8")
    );

    // Search: an exact id redirects, a partial one lists matches.
    let (s, h, _) = srv.get("/search?q=FUND0003");
    assert_eq!((s, header(&h, "location")), (303, "/fund/FUND0003"));
    let (s, p) = srv.page("/search?q=fund000");
    assert_eq!(s, 200);
    assert!(p.contains("/fund/FUND0009"));
}

/// With --categories: names in the search, categories of the fund and its peers, and
/// ranks within the category.
#[test]
fn categories_and_names_from_a_table() {
    let base = tempfile::tempdir().unwrap();
    let cats = base.path().join("cats.csv");
    let src = std::fs::read_to_string(run_dir().join("../s/data/categories.csv")).unwrap();
    let mut out = String::from("id,category,name\n");
    for (i, line) in src.lines().skip(1).enumerate() {
        let mut f = line.split(',');
        let (id, cat) = (f.next().unwrap(), f.next().unwrap());
        out.push_str(&format!("{id},{cat},Fund number {i}\n"));
    }
    std::fs::write(&cats, out).unwrap();
    let srv = Server::start_with(run_dir(), &["--categories", cats.to_str().unwrap()]);
    let (_, home) = srv.page("/");
    assert!(home.contains("<option value=\"FUND0001\">Fund number 0</option>"));
    let (s, h, _) = srv.get("/search?q=Fund%20number%207");
    assert_eq!(s, 200, "{h:?}");
    let (_, hits) = srv.page("/search?q=number%207");
    assert!(hits.contains("/fund/FUND0008"), "{hits}");
    let (_, f) = srv.page("/fund/FUND0001");
    assert!(
        f.contains(
            "<td><a href=\"/fund/FUND0001\">FUND0001</a></td><td>US Cautious Allocation</td>"
        ),
        "{f}"
    );
    assert!(f.contains("<th>peer_category</th>"));
    // A categories file with a bad row is refused at start, naming it.
    std::fs::write(&cats, "id,category\nFUND0001\n").unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--categories"])
        .arg(&cats)
        .arg(run_dir())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cats.csv"));
}

#[test]
fn unknown_funds_groups_and_files_are_404s_with_suggestions() {
    let srv = Server::start(run_dir());
    let (s, p) = srv.page("/fund/FUND00O1");
    assert_eq!(s, 404);
    assert!(
        p.contains("No fund") && p.contains("Did you mean") && p.contains("/fund/FUND0001"),
        "{p}"
    );
    assert_eq!(srv.page("/group/99").0, 404);
    assert_eq!(srv.page("/fund/FUND0001/nope.csv").0, 404);
    assert_eq!(srv.page("/fund/FUND0001/group.svg").0, 404);
    assert_eq!(srv.page("/compare?funds=FUND0001").0, 400);
    assert_eq!(srv.page("/compare?funds=FUND0001,NOPE").0, 404);
    assert_eq!(srv.page("/nowhere").0, 404);
}

#[test]
fn path_traversal_is_refused() {
    // A copy of the run with a symlink that leads out of it.
    let base = tempfile::tempdir().unwrap();
    let run = base.path().join("run");
    let cp = Command::new("cp")
        .arg("-r")
        .arg(run_dir())
        .arg(&run)
        .status()
        .unwrap();
    assert!(cp.success());
    std::fs::write(base.path().join("secret.txt"), "secret").unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(base.path().join("secret.txt"), run.join("link.txt")).unwrap();
    let srv = Server::start(&run);
    assert_eq!(srv.page("/run/manifest.json").0, 200);
    for bad in [
        "/run/../secret.txt",
        "/run/%2e%2e/secret.txt",
        "/run/..%2fsecret.txt",
        "/run/..%2Fsecret.txt",
        "/run/style/..%2f..%2fsecret.txt",
        "/run/%2fetc%2fpasswd",
        "/run//etc/passwd",
        "/run/..%5csecret.txt",
        "/run/link.txt",
        "/run/style",
        "/fund/..%2f..%2fsecret.txt",
    ] {
        let (s, body) = srv.page(bad);
        assert_eq!(s, 404, "{bad}");
        assert!(
            !body.contains("secret") || body.contains("No fund"),
            "{bad}"
        );
    }
}

/// Another address than this machine's is allowed only when asked, with a warning.
#[test]
fn listening_beyond_this_machine_warns() {
    let srv = Server::start_with(run_dir(), &["--bind", "0.0.0.0"]);
    assert!(
        srv.said.contains("warning: listening on 0.0.0.0"),
        "{}",
        srv.said
    );
}

#[test]
fn a_folder_without_stages_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .args(["serve", "--port", "0"])
        .arg(empty.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no stage folder"), "{err}");
    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "/no/such/run"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // A run missing a stage says which and how to add it.
    let base = tempfile::tempdir().unwrap();
    let run = base.path().join("run");
    assert!(Command::new("cp")
        .arg("-r")
        .arg(run_dir())
        .arg(&run)
        .status()
        .unwrap()
        .success());
    std::fs::remove_dir_all(run.join("rate")).unwrap();
    let srv = Server::start(&run);
    let (_, home) = srv.page("/");
    assert!(home.contains("rate: missing, add [rate]"), "{home}");
    let (_, f) = srv.page("/fund/FUND0001");
    assert!(f.contains("The run has no rate stage"));
}

/// A demo folder (report sections, with the example study's run in study/results) is
/// served as that run; the study's categories are found without --categories, also when
/// the study file named in the manifest has moved next to the run.
#[test]
fn a_demo_folder_serves_its_study_run_with_the_study_categories() {
    let base = tempfile::tempdir().unwrap();
    let demo = base.path().join("demo");
    std::fs::create_dir_all(demo.join("style")).unwrap();
    std::fs::write(demo.join("report.json"), "{}").unwrap();
    let cp = |from: &Path, to: &Path| {
        assert!(Command::new("cp")
            .arg("-r")
            .arg(from)
            .arg(to)
            .status()
            .unwrap()
            .success())
    };
    cp(&run_dir().join("../s"), &demo.join("study"));
    cp(run_dir(), &demo.join("study/results"));
    let manifest = demo.join("study/results/manifest.json");
    let mut m: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    m["study"] = "moved/away/study.toml".into();
    std::fs::write(&manifest, m.to_string()).unwrap();
    let srv = Server::start(&demo);
    assert!(srv.said.contains("demo folder"), "{}", srv.said);
    assert!(srv.said.contains("categories.csv"), "{}", srv.said);
    let (s, f) = srv.page("/fund/FUND0001");
    assert_eq!(s, 200);
    assert!(
        f.contains("<td>US Cautious Allocation</td>") && f.contains("<th>s_star</th>"),
        "{f}"
    );
}

// ---- a real browser ------------------------------------------------------------------

/// chromedriver on a free port, with a headless Chromium session.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Browser {
    fn start() -> Browser {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (Debian's chromium-driver; .ci/run installs it)");
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
        };
        let start = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["value"]["sessionId"]
            .as_str()
            .expect("a session")
            .to_string();
        b
    }

    /// One WebDriver command; the JSON answer.
    fn call(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let (_, payload) = read_response(&mut s);
        serde_json::from_slice(&payload)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&payload)))
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    fn go(&self, url: &str) {
        self.call(
            "POST",
            &self.s("/url"),
            Some(serde_json::json!({ "url": url })),
        );
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            &self.s("/element"),
            Some(serde_json::json!({"using": "css selector", "value": css})),
        );
        v["value"]
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|e| e.as_str())
            .unwrap_or_else(|| panic!("no element {css}: {v}"))
            .to_string()
    }

    fn click(&self, css: &str) {
        let e = self.find(css);
        self.call(
            "POST",
            &self.s(&format!("/element/{e}/click")),
            Some(serde_json::json!({})),
        );
    }

    fn text(&self, css: &str) -> String {
        let e = self.find(css);
        self.call("GET", &self.s(&format!("/element/{e}/text")), None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    fn url(&self) -> String {
        self.call("GET", &self.s("/url"), None)["value"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Wait (up to 10 s) until the page's h1 reads `want`: a form submission returns
    /// before the next page has loaded.
    fn wait_h1(&self, want: &str) {
        let start = Instant::now();
        loop {
            let v = self
                .script("const h = document.querySelector('h1'); return h ? h.textContent : '';");
            if v.as_str() == Some(want) {
                return;
            }
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "waited for h1 {want:?}, have {v}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn script(&self, js: &str) -> serde_json::Value {
        self.call(
            "POST",
            &self.s("/execute/sync"),
            Some(serde_json::json!({"script": js, "args": []})),
        )["value"]
            .clone()
    }

    /// Browser console entries at warning level or worse.
    fn console_errors(&self) -> Vec<String> {
        let v = self.call(
            "POST",
            &self.s("/se/log"),
            Some(serde_json::json!({"type": "browser"})),
        );
        v["value"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter(|e| matches!(e["level"].as_str(), Some("SEVERE") | Some("WARNING")))
                    .map(|e| e["message"].to_string())
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session closes Chromium (killing chromedriver alone would leave it
        // running); best effort, without panicking in a drop.
        if !self.session.is_empty() {
            if let Ok(mut s) = TcpStream::connect(("127.0.0.1", self.port)) {
                let path = self.s("");
                let _ = write!(
                    s,
                    "DELETE {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n"
                );
                let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
            }
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn chromium() -> String {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .into_iter()
    .find(|p| Path::new(p).exists())
    .expect("Chromium (Debian's chromium; .ci/run installs it)")
    .to_string()
}

#[test]
fn an_analyst_walks_from_search_to_a_download_in_chromium() {
    let srv = Server::start(run_dir());
    let b = Browser::start();
    let base = format!("http://{}", srv.addr);
    b.go(&format!("{base}/"));
    assert!(b.text("h1").contains("funds"));
    // The search box offers every fund (type-ahead from its datalist).
    let offered = b.script("return document.querySelectorAll('#funds option').length;");
    assert!(offered.as_u64().unwrap() >= 40, "{offered}");
    let q = b.find("#q");
    b.call(
        "POST",
        &b.s(&format!("/element/{q}/value")),
        Some(serde_json::json!({"text": "FUND0002"})),
    );
    b.click("button[type=submit]");
    b.wait_h1("Fund FUND0002");
    assert_eq!(b.url(), format!("{base}/fund/FUND0002"));
    assert!(b.text("#peers").contains("Closest peers"));
    // A peer, then its peer group.
    let peer = b.text("#peers tbody tr:first-child td:nth-child(3) a");
    b.click("#peers tbody tr:first-child td:nth-child(3) a");
    b.wait_h1(&format!("Fund {peer}"));
    let group = b.text("#group tbody a[href^='/group/']");
    b.click("#group tbody a[href^='/group/']");
    b.wait_h1(&format!("Peer group {group}"));
    assert!(b.text("#members").contains(&peer));
    // Download the members table as the page links it.
    let csv = b.script(
        "const a = document.querySelector('#members a[href$=\"members.csv\"]');\
         const r = new XMLHttpRequest(); r.open('GET', a.href, false); r.send(); return [r.status, r.responseText];",
    );
    assert_eq!(csv[0], 200);
    assert!(csv[1].as_str().unwrap().starts_with("fund,stars"));
    assert!(csv[1].as_str().unwrap().contains(&peer));
    let errors = b.console_errors();
    assert!(errors.is_empty(), "console: {errors:?}");
}
