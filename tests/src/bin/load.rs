//! A load generator for the survey: many connections for a while, a mix of valid, invalid and
//! retried submissions; then a check that every accepted survey is stored and mailed exactly
//! once and nothing failed. Used by `scripts/load.sh`; prints one markdown table row.
//!
//! `load <platform> <base-url> <database-url> <outbox-dir> [connections] [seconds]`

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[derive(Default)]
struct Tally {
    requests: u64,
    statuses: BTreeMap<u16, u64>,
    retries: u64,
    /// Idempotency key → the id every 201 for it answered.
    accepted: HashMap<String, Vec<i64>>,
    errors: u64,
}

/// One HTTP/1.1 request on a kept-alive connection; the status and body.
async fn send(
    stream: &mut BufReader<TcpStream>,
    host: &str,
    key: Option<&str>,
    body: &str,
) -> std::io::Result<(u16, String)> {
    let key = key
        .map(|k| format!("Idempotency-Key: {k}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /submitSurvey HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n{key}Content-Length: {}\r\n\r\n",
        body.len()
    );
    stream.get_mut().write_all(head.as_bytes()).await?;
    stream.get_mut().write_all(body.as_bytes()).await?;
    let mut status_line = String::new();
    stream.read_line(&mut status_line).await?;
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        stream.read_line(&mut line).await?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).await?;
    Ok((status, String::from_utf8_lossy(&body).into_owned()))
}

async fn connection(addr: String, worker: usize, until: Instant, tally: Arc<Mutex<Tally>>) {
    let mut sent: Vec<String> = Vec::new();
    let mut n = 0u64;
    let mut stream = None;
    while Instant::now() < until {
        n += 1;
        if stream.is_none() {
            match TcpStream::connect(&addr).await {
                Ok(s) => stream = Some(BufReader::new(s)),
                Err(_) => {
                    tally.lock().unwrap_or_else(|e| e.into_inner()).errors += 1;
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            }
        }
        let Some(conn) = stream.as_mut() else {
            continue;
        };
        // 70 % new surveys, 15 % retries of one already sent, 15 % invalid.
        let roll = (n * 7 + worker as u64 * 13) % 20;
        let (key, body, retry) = if roll < 3 {
            (
                None,
                r#"{"name":"","phone":"abc","satisfaction":9}"#.to_owned(),
                false,
            )
        } else if roll < 6 && !sent.is_empty() {
            let key = sent[(n as usize) % sent.len()].clone();
            (
                Some(key),
                r#"{"name":"Retry","phone":"12345","satisfaction":4}"#.to_owned(),
                true,
            )
        } else {
            let key = format!("load-{worker}-{n}");
            sent.push(key.clone());
            (
                Some(key),
                format!(
                    r#"{{"name":"Load {worker}-{n}","phone":"+86 138 0000 {:04}","satisfaction":{}}}"#,
                    n % 10_000,
                    n % 5 + 1
                ),
                false,
            )
        };
        let host = addr.clone();
        match send(conn, &host, key.as_deref(), &body).await {
            Ok((status, answer)) => {
                let mut t = tally.lock().unwrap_or_else(|e| e.into_inner());
                t.requests += 1;
                *t.statuses.entry(status).or_default() += 1;
                if retry {
                    t.retries += 1;
                }
                if status == 201 {
                    let id = serde_json::from_str::<serde_json::Value>(&answer)
                        .ok()
                        .and_then(|v| v["id"].as_i64())
                        .unwrap_or(-1);
                    t.accepted
                        .entry(key.unwrap_or_default())
                        .or_default()
                        .push(id);
                }
            }
            Err(_) => {
                tally.lock().unwrap_or_else(|e| e.into_inner()).errors += 1;
                stream = None;
            }
        }
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!(
            "usage: load <platform> <host:port> <database-url> <outbox-dir> [connections] [seconds]"
        );
        return std::process::ExitCode::from(2);
    }
    let (platform, addr, database, outbox) = (&args[1], args[2].clone(), &args[3], &args[4]);
    let connections: usize = args.get(5).and_then(|s| s.parse().ok()).unwrap_or(64);
    let seconds: u64 = args.get(6).and_then(|s| s.parse().ok()).unwrap_or(30);
    let tally = Arc::new(Mutex::new(Tally::default()));
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let workers: Vec<_> = (0..connections)
        .map(|w| tokio::spawn(connection(addr.clone(), w, until, Arc::clone(&tally))))
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let elapsed = started.elapsed().as_secs_f64();
    let tally = Arc::try_unwrap(tally)
        .ok()
        .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
        .unwrap_or_default();

    let rows = match survey::Store::connect(database).await {
        Ok(store) => store.surveys().await.unwrap_or_default(),
        Err(err) => {
            eprintln!("cannot read the database: {err}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let mails = std::fs::read_dir(outbox).map(|d| d.count()).unwrap_or(0);
    let stored: HashMap<&str, i64> = rows.iter().map(|r| (r.key.as_str(), r.id)).collect();
    // Every accepted key answered one id, and that is the one row stored under it.
    let inconsistent = tally
        .accepted
        .iter()
        .filter(|(key, ids)| ids.iter().any(|id| Some(id) != stored.get(key.as_str())))
        .count();
    let lost = tally
        .accepted
        .keys()
        .filter(|k| !stored.contains_key(k.as_str()))
        .count();
    let duplicated = rows.len().saturating_sub(stored.len());
    let extra_rows = stored.len().saturating_sub(tally.accepted.len());
    let server_errors: u64 = tally
        .statuses
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    let count = |status: u16| tally.statuses.get(&status).copied().unwrap_or(0);
    println!(
        "| {platform} | {connections} | {seconds} s | {} | {:.0} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
        tally.requests,
        tally.requests as f64 / elapsed,
        count(201),
        count(400),
        tally.retries,
        server_errors + tally.errors,
        rows.len(),
        mails,
        lost,
        duplicated + extra_rows + inconsistent,
        if mails == rows.len() { "yes" } else { "NO" },
    );
    eprintln!(
        "{platform}: statuses {:?}, connection errors {}",
        tally.statuses, tally.errors
    );
    let ok = server_errors == 0
        && tally.errors == 0
        && lost == 0
        && duplicated + extra_rows + inconsistent == 0
        && mails == rows.len();
    if ok {
        std::process::ExitCode::SUCCESS
    } else {
        std::process::ExitCode::FAILURE
    }
}
