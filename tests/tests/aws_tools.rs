//! fc's functions and packages under tools nobody here wrote: the Lambda Runtime Interface
//! Emulator (RIE) that `aws-sam-cli` ships, `sam validate --lint`, and cargo-lambda.
//!
//! `FC_AWS_RIE` is RIE's executable, `FC_AWS_SAM` the `sam` command, `FC_CARGO_LAMBDA` the
//! `cargo-lambda` executable; CI installs aws-sam-cli and cargo-lambda from PyPI and sets them.
//! Elsewhere, without them, the tests say so and pass.

#![allow(clippy::unwrap_used)] // a panic is the failure report

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fc_tests::{PATIENCE, event_template, request, run, tool};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const PROBE_EVENT: &str = env!("CARGO_BIN_EXE_probe-event");
const PROBE_INIT: &str = env!("CARGO_BIN_EXE_probe-init");

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A function under RIE, stopped when dropped.
struct Rie {
    child: Child,
    addr: SocketAddr,
}

impl Rie {
    fn start(rie: &str, function: &str) -> Rie {
        Rie::start_with(rie, function, Stdio::null())
    }

    /// Like [`Rie::start`], with RIE's and the function's output going to `output`.
    fn start_with(rie: &str, function: &str, output: Stdio) -> Rie {
        let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
        let runtime_api = format!("127.0.0.1:{}", free_port());
        let child = Command::new(rie)
            .args([
                "--runtime-interface-emulator-address",
                &addr.to_string(),
                "--runtime-api-address",
                &runtime_api,
                function,
            ])
            .env_remove("FC_PLATFORM")
            .stdout(output)
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|err| panic!("cannot start {rie}: {err}"));
        let started = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(started.elapsed() < PATIENCE, "RIE did not listen on {addr}");
            std::thread::sleep(Duration::from_millis(20));
        }
        Rie { child, addr }
    }

    /// Invokes the function as RIE's only function (`function`), with `event`.
    fn invoke(&self, event: &[u8]) -> serde_json::Value {
        let reply = request(
            self.addr,
            "POST",
            "/2015-03-31/functions/function/invocations",
            &[],
            event,
        );
        assert_eq!(reply.status, 200, "{}", reply.text());
        reply.json()
    }
}

impl Drop for Rie {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn functions_answer_under_aws_runtime_interface_emulator() {
    let Some(rie) = tool("FC_AWS_RIE", "aws-sam-cli or cargo-lambda from PyPI") else {
        return;
    };
    let hello = Rie::start(&rie, HELLO);
    for trigger in ["apigw-v2", "apigw-v1", "alb", "url"] {
        let event = event_template(
            FC_LOCAL,
            "http",
            "aws",
            &["--trigger", trigger, "--path", "/hello?name=rie"],
        );
        let answer = hello.invoke(&event);
        assert_eq!(answer["statusCode"], 200, "{trigger}: {answer}");
        assert_eq!(answer["body"], "hello, rie!\n", "{trigger}: {answer}");
    }

    let object = Rie::start(&rie, OBJECT);
    let event = event_template(FC_LOCAL, "s3-put", "aws", &["--key", "cat 1.jpg"]);
    let answer = object.invoke(&event);
    assert!(answer.to_string().contains("cat 1.jpg"), "{answer}");

    // A failure is Lambda's error document, and the runtime serves the next event.
    let probe = Rie::start(&rie, PROBE_EVENT);
    let failed = probe.invoke(br#"{"action":"fail","message":"quota exceeded"}"#);
    assert_eq!(
        (&failed["errorType"], &failed["errorMessage"]),
        (&"HandlerError".into(), &"quota exceeded".into()),
        "{failed}"
    );
    let echoed = probe.invoke(br#"{"action":"echo","value":7}"#);
    assert_eq!(echoed["echo"], 7, "{echoed}");

    // A function with a shutdown hook registers an extension to get SIGTERM; AWS's emulator
    // ends init only once that extension asks for its next event too, and passes its own
    // SIGTERM on to the function.
    let log = std::env::temp_dir().join(format!("fc-rie-hook-{}.log", std::process::id()));
    let mut hooked = Rie::start_with(
        &rie,
        PROBE_INIT,
        Stdio::from(std::fs::File::create(&log).unwrap()),
    );
    let event = event_template(FC_LOCAL, "http", "aws", &["--path", "/"]);
    let answer = hooked.invoke(&event);
    assert_eq!(answer["body"], "pool surveys", "{answer}");
    let pid = hooked.child.id().to_string();
    let (killed, _, _) = run("kill", &["-TERM", &pid], &[], b"");
    assert!(killed.success());
    let started = Instant::now();
    while hooked.child.try_wait().unwrap().is_none() && started.elapsed() < PATIENCE {
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = std::fs::read_to_string(&log).unwrap();
    let _ = std::fs::remove_file(&log);
    assert!(
        output.contains("SIGTERM received") && output.contains("pool surveys closed"),
        "{output}"
    );
}

#[test]
fn packaged_sam_templates_pass_sam_validate_lint() {
    let Some(sam) = tool("FC_AWS_SAM", "aws-sam-cli or cargo-lambda from PyPI") else {
        return;
    };
    let out = std::env::temp_dir().join(format!("fc-sam-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    let mut args = vec![
        "package",
        "--platform",
        "aws",
        "-p",
        "hello",
        "--binary",
        HELLO,
        "--out",
    ];
    let out_str = out.to_str().unwrap().to_owned();
    args.push(&out_str);
    for trigger in ["http", "url", "s3", "dynamodb", "schedule", "sqs"] {
        args.extend(["--trigger", trigger]);
    }
    args.extend([
        "--env",
        "DATABASE_URL=sqlite://survey.db",
        "--region",
        "eu-west-1",
    ]);
    let (status, _, err) = run(FC_LOCAL, &args, &[], b"");
    assert!(status.success(), "{err}");
    let validated = Command::new(&sam)
        .args(["validate", "--lint", "--region", "eu-west-1", "-t"])
        .arg(out.join("template.yaml"))
        .env("SAM_CLI_TELEMETRY", "0")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&validated.stdout).into_owned()
        + &String::from_utf8_lossy(&validated.stderr);
    let template = std::fs::read_to_string(out.join("template.yaml")).unwrap();
    assert!(validated.status.success(), "{said}\n{template}");
    assert!(said.contains("is a valid SAM Template"), "{said}");
    let config = std::fs::read_to_string(out.join("samconfig.toml")).unwrap();
    assert!(config.contains("region = \"eu-west-1\""), "{config}");
    let _ = std::fs::remove_dir_all(&out);
}

/// `cargo lambda watch` serving the `hello` package, stopped with everything it started when
/// dropped.
struct Watch {
    child: Child,
    port: u16,
}

impl Drop for Watch {
    fn drop(&mut self) {
        // The watcher runs `cargo run`, which runs the function: stop the whole group.
        if let Ok(group) = i32::try_from(self.child.id()) {
            let _ = nix::sys::signal::killpg(
                nix::unistd::Pid::from_raw(group),
                nix::sys::signal::Signal::SIGKILL,
            );
        }
        let _ = self.child.wait();
    }
}

#[test]
fn functions_answer_under_cargo_lambda() {
    use std::os::unix::process::CommandExt;

    let Some(cargo_lambda) = tool("FC_CARGO_LAMBDA", "aws-sam-cli or cargo-lambda from PyPI")
    else {
        return;
    };
    // `cargo lambda` is cargo running `cargo-lambda` from the PATH.
    let bin_dir = std::path::Path::new(&cargo_lambda).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let workspace = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap();
    let port = free_port();
    let cargo_lambda_command = || {
        let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        command
            .arg("lambda")
            .current_dir(workspace)
            .env("PATH", &path)
            .env_remove("FC_PLATFORM");
        command
    };
    let child = cargo_lambda_command()
        .args(["watch", "--invoke-address", "127.0.0.1", "--invoke-port"])
        .arg(port.to_string())
        .args(["-p", "hello"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let watch = Watch { child, port };
    let started = Instant::now();
    while TcpStream::connect(("127.0.0.1", watch.port)).is_err() {
        assert!(
            started.elapsed() < PATIENCE,
            "cargo lambda watch did not listen"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let dir = std::env::temp_dir().join(format!("fc-cargo-lambda-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases = [
        (
            "hello",
            event_template(FC_LOCAL, "http", "aws", &["--path", "/hello?name=cl"]),
            "hello, cl!",
        ),
        (
            "object",
            event_template(FC_LOCAL, "s3-put", "aws", &["--key", "cat 1.jpg"]),
            "cat 1.jpg",
        ),
    ];
    for (function, event, expected) in cases {
        let file = dir.join(format!("{function}.json"));
        std::fs::write(&file, event).unwrap();
        // The first invocation builds the function: no time limit but cargo-lambda's.
        let invoked = cargo_lambda_command()
            .args([
                "invoke",
                function,
                "--invoke-address",
                "127.0.0.1",
                "--invoke-port",
            ])
            .arg(port.to_string())
            .arg("--data-file")
            .arg(&file)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&invoked.stdout);
        assert!(
            invoked.status.success() && said.contains(expected),
            "{function}: {said}{}",
            String::from_utf8_lossy(&invoked.stderr)
        );
    }
    // Its Function URL front door, as a browser would use it.
    let front_door = SocketAddr::from(([127, 0, 0, 1], port));
    let reply = request(
        front_door,
        "GET",
        "/lambda-url/hello/hello?name=url",
        &[],
        b"",
    );
    assert_eq!(
        (reply.status, reply.text().as_str()),
        (200, "hello, url!\n")
    );
    let _ = std::fs::remove_dir_all(&dir);
}
