//! The survey page in a real browser: headless Chromium, driven through ChromeDriver's W3C
//! WebDriver API, fills in and sends the form, then sends an invalid one.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use fc_tests::{Server, request};
use serde_json::{Value, json};

const SURVEY: &str = env!("CARGO_BIN_EXE_survey");
/// The W3C name of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

fn find(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|p| std::path::Path::new(p).exists())
        .map(|p| (*p).to_owned())
}

struct Driver {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let body = if method == "GET" || method == "DELETE" {
            Vec::new()
        } else {
            body.to_string().into_bytes()
        };
        let reply = request(
            self.addr,
            method,
            path,
            &[("Content-Type", "application/json")],
            &body,
        );
        let value = reply.json();
        assert!(reply.status < 400, "{method} {path}: {}", reply.text());
        value["value"].clone()
    }
}

struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

/// Ends the session, which closes the browser, even when the test fails: ChromeDriver's exit
/// alone would leave Chromium running.
impl Drop for Session<'_> {
    fn drop(&mut self) {
        // No panics here: this may run while a failed test unwinds.
        use std::io::{Read, Write};
        if let Ok(mut stream) = std::net::TcpStream::connect(self.driver.addr) {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
            let _ = write!(
                stream,
                "DELETE /session/{} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
                self.id, self.driver.addr
            );
            let _ = stream.read_to_end(&mut Vec::new());
        }
    }
}

impl Session<'_> {
    fn path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.id)
    }

    fn element(&self, css: &str) -> String {
        let found = self.driver.call(
            "POST",
            &self.path("/element"),
            json!({"using": "css selector", "value": css}),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {css}: {found}"))
            .to_owned()
    }

    fn type_into(&self, css: &str, text: &str) {
        let id = self.element(css);
        self.driver.call(
            "POST",
            &self.path(&format!("/element/{id}/clear")),
            json!({}),
        );
        self.driver.call(
            "POST",
            &self.path(&format!("/element/{id}/value")),
            json!({"text": text}),
        );
    }

    fn click(&self, css: &str) {
        let id = self.element(css);
        self.driver.call(
            "POST",
            &self.path(&format!("/element/{id}/click")),
            json!({}),
        );
    }

    /// A real double click: two presses of the mouse button in one action sequence.
    fn double_click(&self, css: &str) {
        let id = self.element(css);
        let press = [
            json!({"type": "pointerDown", "button": 0}),
            json!({"type": "pointerUp", "button": 0}),
        ];
        let mut actions =
            vec![json!({"type": "pointerMove", "origin": {ELEMENT: id}, "x": 0, "y": 0})];
        actions.extend(press.iter().cloned());
        actions.extend(press.iter().cloned());
        self.driver.call(
            "POST",
            &self.path("/actions"),
            json!({"actions": [{"type": "pointer", "id": "mouse",
                "parameters": {"pointerType": "mouse"}, "actions": actions}]}),
        );
    }

    /// Runs `script` in the page and gives back what it returns.
    fn script(&self, script: &str) -> Value {
        self.driver.call(
            "POST",
            &self.path("/execute/sync"),
            json!({"script": script, "args": []}),
        )
    }

    fn text(&self, css: &str) -> String {
        let id = self.element(css);
        self.driver
            .call(
                "GET",
                &self.path(&format!("/element/{id}/text")),
                Value::Null,
            )
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    /// Waits (at most 15 s) for `css`'s text to contain `expected`.
    fn wait_text(&self, css: &str, expected: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let text = self.text(css);
            if text.contains(expected) || Instant::now() > deadline {
                return text;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, name: &str) {
        let png = self
            .driver
            .call("GET", &self.path("/screenshot"), Value::Null);
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap_or_default())
            .unwrap_or_default();
        let _ = std::fs::write(dir.join(name), bytes);
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_person_fills_in_the_form_and_sees_the_answers() {
    let (Some(chromium), Some(chromedriver)) = (
        find(&["/usr/bin/chromium", "/usr/bin/chromium-browser"]),
        find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]),
    ) else {
        eprintln!(
            "SKIPPED: the browser test needs Debian's chromium and chromium-driver (.ci/run installs them)"
        );
        assert!(
            std::env::var("CI").is_err(),
            "CI must run the browser test: chromium or chromedriver is missing"
        );
        return;
    };
    let scratch = std::env::temp_dir().join(format!("fc-browser-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let database = format!("sqlite://{}/survey.db", scratch.display());
    let outbox = scratch.join("outbox").display().to_string();
    let server = Server::start(
        SURVEY,
        &[
            ("DATABASE_URL", &database),
            ("OUTBOX_DIR", &outbox),
            ("SHOP_NAME", "Corner Market"),
        ],
    );

    let port = free_port();
    let child = Command::new(&chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let driver = Driver {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(driver.addr).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = scratch.join("profile").display().to_string();
    let capabilities = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
                     "--no-first-run", "--disable-background-networking", "--disable-component-update",
                     "--disable-sync", "--window-size=900,1000", format!("--user-data-dir={profile}")]
        }
    }}});
    let created = driver.call("POST", "/session", capabilities);
    let session = Session {
        driver: &driver,
        id: created["sessionId"].as_str().unwrap().to_owned(),
    };

    session.driver.call(
        "POST",
        &session.path("/url"),
        json!({"url": format!("http://{}/", server.addr)}),
    );
    assert!(
        session
            .text("h1")
            .contains("How was your visit to Corner Market?")
    );
    session.type_into("#name", "Ada Lovelace");
    session.type_into("#phone", "+44 20 7946 0000");
    session.click("input[name=satisfaction][value='5']");
    session.type_into("#email", "ada@example.org");
    session.click("#submit");
    let confirmation = session.wait_text("#result", "Thank you");
    session.screenshot("survey-sent.png");
    assert!(
        confirmation.starts_with("Thank you! Your survey number is #1."),
        "{confirmation}"
    );

    // An invalid form: no name, a phone with letters, no rating. The errors speak to a person.
    session.type_into("#phone", "call me");
    session.click("#submit");
    let phone_error = session.wait_text("#error-phone", "phone");
    session.screenshot("survey-invalid.png");
    assert_eq!(
        phone_error,
        "Please enter a phone number of 5 to 20 digits (spaces, + and - are fine)."
    );
    assert!(
        session
            .text("#error-name")
            .contains("Please enter your name")
    );
    assert!(
        session
            .text("#error-satisfaction")
            .contains("how satisfied you are")
    );
    assert!(
        session
            .text("#result")
            .contains("Please look at the fields")
    );

    // A double click on a slow connection sends the survey once: Send is disabled while it is
    // on its way. The page's requests are counted, and each takes a second to leave.
    session.script(
        "window.sent = 0; const send = window.fetch; \
         window.fetch = (...args) => { window.sent++; \
           return new Promise((go) => setTimeout(go, 1000)).then(() => send(...args)); };",
    );
    session.type_into("#name", "Grace Hopper");
    session.type_into("#phone", "+1 202 555 0100");
    session.click("input[name=satisfaction][value='4']");
    session.double_click("#submit");
    let confirmation = session.wait_text("#result", "Thank you");
    assert!(
        confirmation.starts_with("Thank you! Your survey number is #2."),
        "{confirmation}"
    );
    assert_eq!(session.script("return window.sent;"), json!(1));

    // An answer lost on the way back: the survey was stored, the page says to send it again,
    // and sending it again stores nothing new, because the form keeps its Idempotency-Key.
    session.script(
        "const send = window.fetch; let lost = false; \
         window.fetch = async (...args) => { const answer = await send(...args); \
           if (!lost) { lost = true; throw new TypeError('network error'); } return answer; };",
    );
    session.type_into("#name", "Katherine Johnson");
    session.type_into("#phone", "+1 757 555 0199");
    session.click("input[name=satisfaction][value='5']");
    session.click("#submit");
    let lost = session.wait_text("#result", "send it again");
    assert!(lost.contains("could not be sent"), "{lost}");
    session.click("#submit");
    let confirmation = session.wait_text("#result", "Thank you");
    assert!(
        confirmation.starts_with("Thank you! Your survey number is #3."),
        "{confirmation}"
    );
    drop(session);

    let mails = std::fs::read_dir(&outbox).unwrap().count();
    assert_eq!(
        mails, 4,
        "three surveys: three mails to the shop, and Ada's copy"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&scratch);
}
