//! Load generator for `peergroup serve` (bench/serve.py runs it): CLIENTS threads, each
//! with one keep-alive connection, request fund pages of random funds for SECONDS and
//! record every latency; prints requests, errors, p50/p99/max latency.
//!
//!     cargo run --release --example serve_load -- 127.0.0.1:8080 funds.txt 200 30

// The summary line is the program's output, read by bench/serve.py.
#![allow(clippy::print_stdout)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, addr, list, clients, seconds] = &args[..] else {
        eprintln!("usage: serve_load ADDR FUNDS.txt CLIENTS SECONDS");
        std::process::exit(2);
    };
    let funds: Vec<String> = std::fs::read_to_string(list)
        .expect("fund list")
        .lines()
        .map(str::to_string)
        .filter(|l| !l.is_empty())
        .collect();
    let clients: usize = clients.parse().expect("clients");
    let until = Instant::now() + Duration::from_secs(seconds.parse().expect("seconds"));
    let handles: Vec<_> = (0..clients)
        .map(|c| {
            let (addr, funds) = (addr.clone(), funds.clone());
            std::thread::spawn(move || {
                let mut lat = Vec::new();
                let mut errors = 0u64;
                let mut state = 0x9e37_79b9_7f4a_7c15u64 ^ (c as u64 + 1);
                let mut conn: Option<TcpStream> = None;
                while Instant::now() < until {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    let fund = &funds[(state % funds.len() as u64) as usize];
                    let start = Instant::now();
                    let ok = (|| -> std::io::Result<bool> {
                        if conn.is_none() {
                            conn = Some(TcpStream::connect(&addr)?);
                        }
                        let s = conn.as_mut().expect("connected");
                        write!(s, "GET /fund/{fund} HTTP/1.1\r\nHost: bench\r\n\r\n")?;
                        read_response(s)
                    })();
                    match ok {
                        Ok(true) => lat.push(start.elapsed()),
                        _ => {
                            errors += 1;
                            conn = None;
                        }
                    }
                }
                (lat, errors)
            })
        })
        .collect();
    let mut all = Vec::new();
    let mut errors = 0;
    for h in handles {
        let (l, e) = h.join().expect("client");
        all.extend(l);
        errors += e;
    }
    all.sort();
    let q = |p: f64| all[((all.len() as f64 - 1.0) * p) as usize].as_secs_f64() * 1e3;
    println!(
        "requests {} errors {} p50 {:.1} ms p99 {:.1} ms max {:.1} ms",
        all.len(),
        errors,
        q(0.5),
        q(0.99),
        all.last().map_or(0.0, |d| d.as_secs_f64() * 1e3)
    );
}

/// Read one response with a Content-Length body; whether the status is 200.
fn read_response(s: &mut TcpStream) -> std::io::Result<bool> {
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&raw[..p]).to_lowercase();
            let len: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            while raw.len() < p + 4 + len {
                let n = s.read(&mut buf)?;
                if n == 0 {
                    return Ok(false);
                }
                raw.extend_from_slice(&buf[..n]);
            }
            return Ok(head.starts_with("http/1.1 200"));
        }
        let n = s.read(&mut buf)?;
        if n == 0 {
            return Ok(false);
        }
        raw.extend_from_slice(&buf[..n]);
    }
}
