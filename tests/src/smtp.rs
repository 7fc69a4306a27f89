//! A real SMTP server for tests: it speaks the protocol (EHLO, AUTH PLAIN/LOGIN, MAIL, RCPT,
//! DATA, QUIT) on loopback and keeps what it received.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use base64::Engine;

/// One message as received.
#[derive(Debug, Clone, Default)]
pub struct Received {
    /// The decoded `AUTH` credentials, `user\0password`, if the client logged in.
    pub auth: Option<String>,
    /// `MAIL FROM`.
    pub from: String,
    /// Every `RCPT TO`.
    pub to: Vec<String>,
    /// The message, headers and body, as sent (dot-unstuffed).
    pub data: String,
}

/// The server; it stops when the test process ends.
#[derive(Debug)]
pub struct SmtpServer {
    /// Where it listens.
    pub addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    refused: Arc<Mutex<usize>>,
}

/// An AUTH argument: base64, decoded to text.
fn decode_base64(text: &str) -> String {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .unwrap_or_default();
    String::from_utf8_lossy(&bytes).into_owned()
}

impl SmtpServer {
    /// Starts listening on a free loopback port.
    pub fn start() -> SmtpServer {
        SmtpServer::greylisting(0)
    }

    /// Like [`SmtpServer::start`], but the first `refusals` messages are refused with a
    /// temporary failure (`451`, as greylisting does): a sender must try again.
    pub fn greylisting(refusals: usize) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let received = Arc::new(Mutex::new(Vec::new()));
        let refused = Arc::new(Mutex::new(0));
        let sink = Arc::clone(&received);
        let count = Arc::clone(&refused);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let sink = Arc::clone(&sink);
                let count = Arc::clone(&count);
                std::thread::spawn(move || {
                    let _ = serve(stream, &sink, &count, refusals);
                });
            }
        });
        SmtpServer {
            addr,
            received,
            refused,
        }
    }

    /// How many messages were refused.
    pub fn refused(&self) -> usize {
        *self.refused.lock().expect("lock")
    }

    /// Waits until `n` messages have arrived (at most 30 s) and returns them.
    pub fn wait_for(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let received = self.received.lock().expect("lock").clone();
            if received.len() >= n || Instant::now() > deadline {
                return received;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn serve(
    stream: TcpStream,
    sink: &Mutex<Vec<Received>>,
    refused: &Mutex<usize>,
    refusals: usize,
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    let mut reply = |text: &str| writer.write_all(format!("{text}\r\n").as_bytes());
    reply("220 localhost ESMTP fc-tests")?;
    let mut message = Received::default();
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            reply("250-localhost")?;
            reply("250-AUTH PLAIN LOGIN")?;
            reply("250 8BITMIME")?;
        } else if let Some(rest) = upper.strip_prefix("AUTH PLAIN") {
            let encoded = if rest.trim().is_empty() {
                reply("334 ")?;
                line.clear();
                reader.read_line(&mut line)?;
                line.trim().to_owned()
            } else {
                command[10..].trim().to_owned()
            };
            message.auth = Some(decode_base64(&encoded).trim_start_matches('\0').to_owned());
            reply("235 2.7.0 Authentication successful")?;
        } else if upper.starts_with("AUTH LOGIN") {
            reply("334 VXNlcm5hbWU6")?;
            line.clear();
            reader.read_line(&mut line)?;
            let user = decode_base64(&line);
            reply("334 UGFzc3dvcmQ6")?;
            line.clear();
            reader.read_line(&mut line)?;
            message.auth = Some(format!("{user}\0{}", decode_base64(&line)));
            reply("235 2.7.0 Authentication successful")?;
        } else if upper.starts_with("MAIL FROM:") {
            message.from = command[10..].trim().to_owned();
            reply("250 2.1.0 OK")?;
        } else if upper.starts_with("RCPT TO:") {
            message.to.push(command[8..].trim().to_owned());
            reply("250 2.1.5 OK")?;
        } else if upper == "DATA" {
            reply("354 End data with <CR><LF>.<CR><LF>")?;
            let mut data = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line)? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let mut count = refused.lock().expect("lock");
            if *count < refusals {
                *count += 1;
                drop(count);
                message = Received::default();
                reply("451 4.7.1 Greylisted, please try again later")?;
                continue;
            }
            drop(count);
            message.data = data;
            sink.lock()
                .expect("lock")
                .push(std::mem::take(&mut message));
            reply("250 2.0.0 queued")?;
        } else if upper == "QUIT" {
            reply("221 2.0.0 Bye")?;
            return Ok(());
        } else if upper == "RSET" || upper == "NOOP" {
            reply("250 2.0.0 OK")?;
        } else {
            reply("502 5.5.2 Command not recognized")?;
        }
    }
}
