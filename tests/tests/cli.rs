//! The `fc-local` command driven as a user drives it: `start` on both platforms behind every
//! trigger, `invoke` with every event template, timeouts, crashes, concurrency, `package`.

#![allow(clippy::unwrap_used)] // helpers of tests: a panic is the failure report

use fc_tests::{Reply, Server, event_template, request, run, start_behind_gateway};

const FC_LOCAL: &str = env!("CARGO_BIN_EXE_fc-local");
const HELLO: &str = env!("CARGO_BIN_EXE_hello");
const OBJECT: &str = env!("CARGO_BIN_EXE_object");
const PROBE_HTTP: &str = env!("CARGO_BIN_EXE_probe-http");
const PROBE_EVENT: &str = env!("CARGO_BIN_EXE_probe-event");
const PROBE_TABLE: &str = env!("CARGO_BIN_EXE_probe-table");
const PROBE_SCHEDULE: &str = env!("CARGO_BIN_EXE_probe-schedule");
const PROBE_ECHO: &str = env!("CARGO_BIN_EXE_probe-echo");

fn start(platform: &str, extra: &[&str], function: &str) -> Server {
    start_behind_gateway(FC_LOCAL, platform, extra, function)
}

#[test]
fn start_serves_hello_behind_every_trigger_of_both_platforms() {
    let cases: [(&str, &str, &str); 7] = [
        ("aws", "apigw-v2", "API Gateway HTTP API (v2)"),
        ("aws", "apigw-v1", "API Gateway REST API (v1)"),
        ("aws", "alb", "ALB"),
        ("aws", "url", "Function URL"),
        ("aliyun", "http", "FC HTTP trigger"),
        ("aliyun", "apigw", "FC API Gateway"),
        ("aliyun", "http-event", "FC HTTP trigger event"),
    ];
    for (platform, trigger, shown) in cases {
        let server = start(platform, &["--trigger", trigger], HELLO);
        assert!(server.banner.contains(shown), "{}", server.banner);
        let reply = server.get("/hello?name=J%C3%BCrgen");
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (200, "hello, Jürgen!\n"),
            "{platform} {trigger}"
        );
        assert_eq!(
            reply.header("content-type"),
            Some("text/plain; charset=utf-8"),
            "{platform} {trigger}"
        );
        assert_eq!(server.get("/nowhere").status, 404, "{platform} {trigger}");
        assert!(
            server.logged("Billed Duration"),
            "a report line: {}",
            server.stderr()
        );
        assert!(server.logged("Cost: $"), "{}", server.stderr());
    }
}

fn event(kind: &str, platform: &str, extra: &[&str]) -> Vec<u8> {
    event_template(FC_LOCAL, kind, platform, extra)
}

fn invoke(platform: &str, function: &str, event: &[u8]) -> serde_json::Value {
    let (status, out, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", platform, "--", function],
        &[],
        event,
    );
    assert!(status.success(), "{platform} {function}: {err}");
    assert!(err.contains("Billed Duration"), "{err}");
    serde_json::from_str(out.trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[test]
fn invoke_runs_every_aws_template() {
    let answer = invoke(
        "aws",
        HELLO,
        &event("http", "aws", &["--trigger", "apigw-v1"]),
    );
    assert_eq!(
        (answer["statusCode"].as_i64(), answer["body"].as_str()),
        (Some(200), Some("hello, fc!\n"))
    );
    let answer = invoke(
        "aws",
        OBJECT,
        &event(
            "s3-put",
            "aws",
            &["--bucket", "photos", "--key", "a b+c.jpg"],
        ),
    );
    assert_eq!(answer["created"], serde_json::json!(["photos/a b+c.jpg"]));
    let answer = invoke("aws", OBJECT, &event("s3-delete", "aws", &[]));
    assert_eq!(
        answer["removed"],
        serde_json::json!(["example-bucket/photos/my photo.jpg"])
    );
    for (kind, expected) in [
        ("dynamodb-insert", "Insert"),
        ("dynamodb-modify", "Modify"),
        ("dynamodb-remove", "Remove"),
    ] {
        let answer = invoke(
            "aws",
            PROBE_TABLE,
            &event(kind, "aws", &["--table", "surveys"]),
        );
        let record = &answer["records"][0];
        assert_eq!(
            (record["kind"].as_str(), record["table"].as_str()),
            (Some(expected), Some("surveys")),
            "{kind}"
        );
        assert_eq!(record["keys"]["id"], 1);
        if kind != "dynamodb-remove" {
            assert_eq!(
                (record["name"].as_str(), record["satisfaction"].as_u64()),
                (Some("Ada Lovelace"), Some(5))
            );
        }
    }
    let answer = invoke(
        "aws",
        PROBE_SCHEDULE,
        &event("schedule", "aws", &["--name", "nightly"]),
    );
    assert_eq!(answer["name"], "nightly");
}

#[test]
fn invoke_runs_every_aliyun_template() {
    for trigger in ["apigw", "http-event"] {
        let answer = invoke(
            "aliyun",
            HELLO,
            &event("http", "aliyun", &["--trigger", trigger]),
        );
        assert_eq!(
            (answer["statusCode"].as_i64(), answer["body"].as_str()),
            (Some(200), Some("hello, fc!\n")),
            "{trigger}"
        );
    }
    let answer = invoke(
        "aliyun",
        OBJECT,
        &event("oss-put", "aliyun", &["--key", "docs/a b.pdf"]),
    );
    assert_eq!(
        answer["created"],
        serde_json::json!(["example-bucket/docs/a b.pdf"])
    );
    let answer = invoke("aliyun", OBJECT, &event("oss-delete", "aliyun", &[]));
    assert_eq!(answer["removed"].as_array().map(Vec::len), Some(1));
    for (kind, expected) in [
        ("tablestore-insert", "Insert"),
        ("tablestore-modify", "Modify"),
        ("tablestore-remove", "Remove"),
    ] {
        for form in [&[][..], &["--json"][..]] {
            let answer = invoke("aliyun", PROBE_TABLE, &event(kind, "aliyun", form));
            let record = &answer["records"][0];
            assert_eq!(record["kind"].as_str(), Some(expected), "{kind} {form:?}");
            assert_eq!(record["keys"]["id"], 1);
        }
    }
    let cbor = event("tablestore-insert", "aliyun", &[]);
    assert_ne!(
        cbor.first(),
        Some(&b'{'),
        "Tablestore templates are CBOR unless --json"
    );
    let answer = invoke(
        "aliyun",
        PROBE_SCHEDULE,
        &event("timer", "aliyun", &["--name", "hourly", "--payload", "go"]),
    );
    assert_eq!(
        (answer["name"].as_str(), answer["payload"].as_str()),
        (Some("hourly"), Some("go"))
    );
}

#[test]
fn invoke_reports_failures_with_its_exit_status() {
    let (status, out, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", "aws", "--", PROBE_EVENT],
        &[],
        br#"{"action":"fail","message":"no stock"}"#,
    );
    assert_eq!(status.code(), Some(1));
    assert!(out.is_empty());
    assert!(
        err.contains("the function failed: HandlerError: no stock"),
        "{err}"
    );
    let (status, _, err) = run(
        FC_LOCAL,
        &["invoke", "--platform", "aliyun", "--", PROBE_EVENT],
        &[],
        b"{not json",
    );
    assert_eq!(status.code(), Some(1));
    assert!(err.contains("InvalidEvent"), "{err}");
    let (status, _, err) = run(
        FC_LOCAL,
        &["event", "oss-put", "--platform", "aws"],
        &[],
        b"",
    );
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("`oss-put` is an event of Function Compute"),
        "{err}"
    );
}

#[test]
fn timeouts_fail_the_invocation_and_the_next_one_is_served() {
    let (status, _, err) = run(
        FC_LOCAL,
        &[
            "invoke",
            "--platform",
            "aws",
            "--timeout",
            "0.5",
            "--",
            PROBE_EVENT,
        ],
        &[],
        br#"{"action":"sleep","ms":5000}"#,
    );
    assert_eq!(status.code(), Some(1));
    assert!(
        err.contains("Sandbox.Timedout") && err.contains("Task timed out after 0.50 seconds"),
        "{err}"
    );
    for platform in ["aws", "aliyun"] {
        let server = start(platform, &["--timeout", "1"], PROBE_HTTP);
        let reply = server.get("/sleep?ms=5000");
        // A Lambda timeout is a function error behind API Gateway (502); the FC gateway gives up
        // on the instance itself (504).
        let expected = if platform == "aws" { 502 } else { 504 };
        assert_eq!(reply.status, expected, "{platform}");
        assert_eq!(
            server.get("/hello").text(),
            "hello",
            "{platform}: a new instance serves"
        );
    }
}

#[test]
fn a_crashed_function_is_reported_and_restarted() {
    for platform in ["aws", "aliyun"] {
        let server = start(platform, &[], PROBE_HTTP);
        let reply = server.get("/exit");
        assert_eq!(reply.status, 502, "{platform}");
        assert_eq!(reply.json()["message"], "Internal server error");
        let reply = server.get("/hello");
        assert_eq!(
            (reply.status, reply.text().as_str()),
            (200, "hello"),
            "{platform}: restarted"
        );
    }
}

fn concurrent(server: &Server, path: &'static str, n: usize) -> Vec<Reply> {
    let addr = server.addr;
    let calls: Vec<_> = (0..n)
        .map(|_| std::thread::spawn(move || request(addr, "GET", path, &[], b"")))
        .collect();
    calls.into_iter().map(|c| c.join().unwrap()).collect()
}

#[test]
fn aws_scales_out_and_fc_shares_one_instance() {
    let server = start("aws", &["--concurrency", "4"], PROBE_HTTP);
    let pids: std::collections::HashSet<String> = concurrent(&server, "/pid?ms=500", 4)
        .iter()
        .map(Reply::text)
        .collect();
    assert_eq!(
        pids.len(),
        4,
        "four instances, one invocation each: {pids:?}"
    );
    let server = start("aws", &["--concurrency", "1"], PROBE_HTTP);
    let pids: std::collections::HashSet<String> = concurrent(&server, "/pid?ms=50", 3)
        .iter()
        .map(Reply::text)
        .collect();
    assert_eq!(pids.len(), 1, "one instance takes them in turn: {pids:?}");
    let server = start("aliyun", &["--concurrency", "4"], PROBE_HTTP);
    for reply in concurrent(&server, "/barrier?n=4", 4) {
        assert_eq!(
            reply.text(),
            "all arrived",
            "one FC instance takes four requests at once"
        );
    }
}

#[test]
fn clear_errors_when_the_function_cannot_start_or_listen() {
    let (status, _, err) = run(
        FC_LOCAL,
        &[
            "invoke",
            "--platform",
            "aws",
            "--",
            "/nonexistent/bootstrap",
        ],
        &[],
        b"{}",
    );
    assert_eq!(status.code(), Some(2));
    assert!(err.contains("cannot start the function"), "{err}");
    let (status, _, err) = run(
        FC_LOCAL,
        &[
            "invoke",
            "--platform",
            "aliyun",
            "--start-timeout",
            "0.5",
            "--",
            "sleep",
            "30",
        ],
        &[],
        b"{}",
    );
    assert_eq!(status.code(), Some(2));
    assert!(
        err.contains("did not listen on port") && err.contains("must listen on 0.0.0.0"),
        "{err}"
    );
}

#[test]
fn answers_in_the_wrong_shape_are_refused_with_the_reason() {
    // probe-echo answers any event with plain JSON, which no gateway can turn into a response
    // (but an FC HTTP-trigger event can: it takes any answer as a 200 body).
    for (platform, trigger, status) in [
        ("aws", "apigw-v1", 502),
        ("aws", "alb", 502),
        ("aliyun", "apigw", 503),
    ] {
        let server = start(platform, &["--trigger", trigger], PROBE_ECHO);
        let reply = server.get("/hello");
        assert_eq!(reply.status, status, "{platform} {trigger}");
        assert!(
            server.logged("the function's answer is not a"),
            "{}",
            server.stderr()
        );
        assert!(server.logged("has no `statusCode`"), "{}", server.stderr());
    }
    let server = start("aws", &["--trigger", "apigw-v1"], PROBE_EVENT);
    assert_eq!(server.get("/hello").status, 502);
    assert!(
        server.logged("the function failed: InvalidEvent"),
        "{}",
        server.stderr()
    );
}

fn unzip(archive: &std::path::Path, into: &std::path::Path) {
    let script = "import sys, zipfile, os\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist():\n    z.extract(i, sys.argv[2])\n    os.chmod(os.path.join(sys.argv[2], i.filename), (i.external_attr >> 16) & 0o777)\n";
    let status = std::process::Command::new("python3")
        .args([
            "-c",
            script,
            archive.to_str().unwrap(),
            into.to_str().unwrap(),
        ])
        .status()
        .expect("python3 runs");
    assert!(status.success());
}

#[test]
fn packaged_bootstraps_run_under_start() {
    for (platform, template) in [("aws", "template.yaml"), ("aliyun", "s.yaml")] {
        let out =
            std::env::temp_dir().join(format!("fc-package-{platform}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let (status, stdout, err) = run(
            FC_LOCAL,
            &[
                "package",
                "--platform",
                platform,
                "-p",
                "hello",
                "--binary",
                HELLO,
                "--out",
                out.to_str().unwrap(),
                "--http",
            ],
            &[],
            b"",
        );
        assert!(status.success(), "{err}");
        assert_eq!(stdout.trim(), out.to_str().unwrap());
        let yaml = std::fs::read_to_string(out.join(template)).unwrap();
        assert!(yaml.contains("hello.zip"), "{yaml}");
        match platform {
            "aws" => assert!(
                yaml.contains("Runtime: provided.al2023") && yaml.contains("Handler: bootstrap"),
                "{yaml}"
            ),
            _ => assert!(
                yaml.contains("runtime: custom.debian12") && yaml.contains("- /code/bootstrap"),
                "{yaml}"
            ),
        }
        let unpacked = out.join("unpacked");
        unzip(&out.join("hello.zip"), &unpacked);
        let bootstrap = unpacked.join("bootstrap");
        let server = start(platform, &[], bootstrap.to_str().unwrap());
        assert_eq!(
            server.get("/hello?name=zip").text(),
            "hello, zip!\n",
            "{platform}"
        );
        drop(server);
        let _ = std::fs::remove_dir_all(&out);
    }
}

/// `--watch` with a stand-in for cargo (`CARGO`), whose result the test chooses: the rebuild
/// and restart logic is exercised without compiling anything.
#[test]
fn watch_restarts_after_a_good_build_and_keeps_serving_after_a_bad_one() {
    let dir = std::env::temp_dir().join(format!("fc-watch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() {}\n").unwrap();
    let cargo = dir.join("fake-cargo.sh");
    let verdict = dir.join("verdict");
    std::fs::write(
        &cargo,
        format!(
            "#!/bin/sh\necho \"fake cargo $@\" >&2\nexit $(cat {})\n",
            verdict.display()
        ),
    )
    .unwrap();
    let mut perms = std::fs::metadata(&cargo).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&cargo, perms).unwrap();

    let args = [
        "start",
        "--platform",
        "aws",
        "--port",
        "0",
        "--concurrency",
        "1",
        "--watch",
        "-p",
        "hello",
        "--",
        PROBE_HTTP,
    ];
    let server = Server::start_in(
        FC_LOCAL,
        &args,
        &[("CARGO", cargo.to_str().unwrap())],
        Some(&dir),
    );
    let first = server.get("/pid?ms=1").text();
    assert_eq!(
        server.get("/pid?ms=1").text(),
        first,
        "a warm instance is reused"
    );

    std::fs::write(&verdict, "1").unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() { /* broken */ }\n").unwrap();
    assert!(server.logged("the build failed"), "{}", server.stderr());
    assert!(
        server.logged("fake cargo build -p hello"),
        "{}",
        server.stderr()
    );
    assert_eq!(
        server.get("/pid?ms=1").text(),
        first,
        "the previous instance keeps serving"
    );

    std::fs::write(&verdict, "0").unwrap();
    std::fs::write(dir.join("src/main.rs"), "fn main() { /* fixed */ }\n").unwrap();
    assert!(
        server.logged("rebuilt; new instances serve"),
        "{}",
        server.stderr()
    );
    let reply = server.get("/pid?ms=1");
    assert_eq!(reply.status, 200);
    assert_ne!(
        reply.text(),
        first,
        "a new instance serves after the rebuild"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn start_binds_loopback_unless_told_otherwise_and_warns_then() {
    let server = start("aws", &[], HELLO);
    assert!(
        server.banner.contains("http://127.0.0.1:"),
        "{}",
        server.banner
    );
    assert!(!server.stderr().contains("warning"));
    drop(server);
    let server = start("aws", &["--host", "0.0.0.0"], HELLO);
    assert!(
        server.banner.contains("http://0.0.0.0:"),
        "{}",
        server.banner
    );
    assert!(
        server.logged("warning: listening on 0.0.0.0, reachable from other machines"),
        "{}",
        server.stderr()
    );
}

/// The TCP addresses process `pid` listens on, from /proc: its socket descriptors matched
/// against the listening sockets of the kernel's table.
#[cfg(target_os = "linux")]
fn listening(pid: &str) -> Vec<String> {
    let sockets: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|fds| {
            fds.filter_map(|fd| std::fs::read_link(fd.ok()?.path()).ok())
                .filter_map(|link| {
                    let link = link.to_string_lossy().into_owned();
                    Some(link.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
                })
                .collect()
        })
        .unwrap_or_default();
    let mut found = Vec::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        let text = std::fs::read_to_string(table).unwrap_or_default();
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            // local_address, state (0A: LISTEN), inode
            if let (Some(local), Some(&"0A"), Some(inode)) =
                (fields.get(1), fields.get(3), fields.get(9))
                && sockets.iter().any(|s| s == inode)
            {
                found.push((*local).to_owned());
            }
        }
    }
    found
}

#[cfg(target_os = "linux")]
#[test]
fn emulated_fc_instances_listen_on_loopback_only() {
    let server = start("aliyun", &[], PROBE_HTTP);
    let pid = server.get("/pid?ms=1").text();
    let addrs = listening(&pid);
    assert!(!addrs.is_empty(), "no listening socket found for {pid}");
    // 127.0.0.1 as /proc writes it, in the host's byte order.
    assert!(
        addrs.iter().all(|a| a.starts_with("0100007F:")),
        "the instance listens beyond loopback: {addrs:?}"
    );
}

#[test]
fn instances_die_with_a_killed_fc_local() {
    for platform in ["aws", "aliyun"] {
        let mut server = start(platform, &[], PROBE_HTTP);
        let pid = server.get("/pid?ms=1").text();
        let pid = pid.trim();
        assert!(alive(pid), "{platform}: no process {pid}");
        server.kill();
        let deadline = std::time::Instant::now() + fc_tests::PATIENCE;
        while alive(pid) && std::time::Instant::now() < deadline {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        assert!(
            !alive(pid),
            "{platform}: instance {pid} outlived a killed fc-local"
        );
    }
}

/// Whether process `pid` runs: it exists and is not a zombie waiting to be reaped.
fn alive(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        // The state follows the command name, which is in parentheses.
        stat.rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z'))
    })
}

#[test]
fn instances_stop_as_their_platform_stops_them_so_shutdown_hooks_run() {
    let probe_init = env!("CARGO_BIN_EXE_probe-init");
    for (platform, trigger) in [("aws", "apigw-v2"), ("aliyun", "apigw")] {
        let (status, out, err) = run(
            FC_LOCAL,
            &["invoke", "--platform", platform, "--", probe_init],
            &[],
            &event("http", platform, &["--trigger", trigger]),
        );
        assert!(status.success(), "{platform}: {err}");
        assert!(out.contains("pool surveys"), "{out}");
        assert!(
            err.contains("[probe-init] pool surveys closed"),
            "{platform}: {err}"
        );
    }
}

#[test]
fn start_stops_its_instances_on_ctrl_c_and_on_sigterm() {
    let probe_init = env!("CARGO_BIN_EXE_probe-init");
    for platform in ["aws", "aliyun"] {
        for sigterm in [false, true] {
            let mut server = start(platform, &[], probe_init);
            assert_eq!(server.get("/").text(), "pool surveys", "{platform}");
            let status = if sigterm {
                server.terminate()
            } else {
                server.interrupt()
            };
            assert!(status.success(), "{platform} sigterm={sigterm}: {status:?}");
            assert!(
                server.logged("[probe-init] pool surveys closed")
                    && server.logged("fc-local: stopped"),
                "{platform} sigterm={sigterm}: {}",
                server.stderr()
            );
        }
    }
}

/// Whether `target`'s standard library is installed in the toolchain that builds this.
fn target_installed(target: &str) -> bool {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let sysroot = std::process::Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .expect("rustc runs");
    std::path::Path::new(String::from_utf8_lossy(&sysroot.stdout).trim())
        .join("lib/rustlib")
        .join(target)
        .join("lib")
        .is_dir()
}

/// Whether an ELF executable asks for a dynamic loader (has a `PT_INTERP` program header).
fn wants_a_loader(elf: &[u8]) -> bool {
    let u16_at = |at: usize| u16::from_le_bytes([elf[at], elf[at + 1]]) as usize;
    let u64_at = |at: usize| u64::from_le_bytes(elf[at..at + 8].try_into().unwrap()) as usize;
    assert_eq!(&elf[..5], b"\x7fELF\x02", "a 64-bit ELF file");
    let (table, size, count) = (u64_at(0x20), u16_at(0x36), u16_at(0x38));
    (0..count).any(|i| {
        let at = table + i * size;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3
    })
}

/// `package` builds static (musl) binaries by default: a package of two functions, each of
/// which runs as it is under both platforms.
#[test]
fn package_builds_static_functions_that_run_on_both_platforms() {
    const MUSL: &str = "x86_64-unknown-linux-musl";
    if !target_installed(MUSL) {
        assert!(
            std::env::var("FC_MUSL_REQUIRED").is_err(),
            "{MUSL} is not installed"
        );
        eprintln!("skipped: {MUSL} is not installed (rustup target add {MUSL})");
        return;
    }
    let out = std::env::temp_dir().join(format!("fc-package-musl-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&out);
    // A release build, which takes longer than a test waits for a command: no time limit.
    let output = std::process::Command::new(FC_LOCAL)
        .args([
            "package",
            "--platform",
            "aws",
            "-p",
            "hello",
            "--bin",
            "hello",
            "--bin",
            "object",
            "--trigger",
            "hello=http",
            "--trigger",
            "object=s3",
            "--out",
            out.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    let (stdout, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert!(output.status.success(), "{err}");
    assert!(err.contains(MUSL), "the build says what it builds: {err}");
    assert_eq!(stdout.trim(), out.to_str().unwrap());
    for bin in ["hello", "object"] {
        let unpacked = out.join(format!("unpacked-{bin}"));
        unzip(&out.join(format!("{bin}.zip")), &unpacked);
        let elf = std::fs::read(unpacked.join("bootstrap")).unwrap();
        assert!(!wants_a_loader(&elf), "{bin} is not static");
    }
    let bootstrap = out.join("unpacked-hello/bootstrap");
    for platform in ["aws", "aliyun"] {
        let server = start(platform, &[], bootstrap.to_str().unwrap());
        assert_eq!(
            server.get("/hello?name=musl").text(),
            "hello, musl!\n",
            "{platform}"
        );
    }
    let _ = std::fs::remove_dir_all(&out);
}

/// A target that is not installed is named, with the command that installs it.
#[test]
fn package_says_how_to_install_a_missing_target() {
    const ARM: &str = "aarch64-unknown-linux-musl";
    if target_installed(ARM) {
        eprintln!("skipped: {ARM} is installed here");
        return;
    }
    let (status, _, err) = run(
        FC_LOCAL,
        &[
            "package",
            "--platform",
            "aws",
            "-p",
            "hello",
            "--arch",
            "arm64",
        ],
        &[],
        b"",
    );
    assert!(!status.success());
    assert!(err.contains(&format!("rustup target add {ARM}")), "{err}");
}
