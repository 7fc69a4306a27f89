//! `fc-local package`: each function's release binary as `bootstrap` in a zip, with the template
//! that deploys them all (SAM for AWS, Serverless Devs 3 `s.yaml` for FC); for Knative and Cloud
//! Run, each binary beside a Dockerfile of an image holding it alone, with the Knative manifests
//! or the `gcloud` commands that deploy and wire them.
//!
//! The binaries are static (musl) by default, so that the same file runs on Lambda's
//! `provided.al2023` and FC's `custom.debian10/11/12` alike.

use std::path::{Path, PathBuf};
use std::process::Command;

use fc_core::Platform;
use serde_yaml_ng::{Mapping, Value};

/// The processor a package is built for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Arch {
    /// Intel and AMD (`x86_64`).
    #[value(name = "x86_64", alias = "amd64")]
    X86_64,
    /// ARM (Graviton on Lambda).
    #[value(name = "arm64", alias = "aarch64")]
    Arm64,
}

impl Arch {
    /// The static (musl) target for this processor.
    fn musl(self) -> &'static str {
        match self {
            Arch::X86_64 => "x86_64-unknown-linux-musl",
            Arch::Arm64 => "aarch64-unknown-linux-musl",
        }
    }
}

/// An event source a packaged function is wired to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Source {
    /// AWS API Gateway HTTP API; FC's HTTP trigger.
    Http,
    /// An API Gateway REST API (AWS).
    Rest,
    /// A Function URL (AWS).
    Url,
    /// S3 bucket / OSS bucket notifications.
    Objects,
    /// DynamoDB stream / Tablestore tunnel.
    Table,
    /// EventBridge schedule / FC timer.
    Schedule,
    /// SQS queue / MNS queue.
    Queue,
}

impl Source {
    /// The source `--trigger` names, on `platform`; an error lists the names there are.
    pub(crate) fn from_name(name: &str, platform: Platform) -> Result<Source, String> {
        let source = match name {
            "http" => Source::Http,
            "apigw-v1" | "rest" if platform == Platform::Aws => Source::Rest,
            "url" if platform == Platform::Aws => Source::Url,
            "s3" | "oss" => Source::Objects,
            "dynamodb" | "tablestore" => Source::Table,
            "schedule" | "timer" => Source::Schedule,
            "sqs" | "mns" => Source::Queue,
            "ping" if platform == Platform::Knative => Source::Schedule,
            "broker" if platform == Platform::Knative => Source::Queue,
            "storage" if platform == Platform::Gcp => Source::Objects,
            "pubsub" if platform == Platform::Gcp => Source::Queue,
            "scheduler" if platform == Platform::Gcp => Source::Schedule,
            "web" if platform == Platform::OpenWhisk => Source::Http,
            "alarm" if platform == Platform::OpenWhisk => Source::Schedule,
            "objects" | "minio" if platform == Platform::OpenWhisk => Source::Objects,
            "apigw" if platform == Platform::Tencent => Source::Http,
            "cos" if platform == Platform::Tencent => Source::Objects,
            "ckafka" if platform == Platform::Tencent => Source::Queue,
            "blob" if platform == Platform::Azure => Source::Objects,
            "queue" if platform == Platform::Azure => Source::Queue,
            _ => {
                let names = match platform {
                    Platform::Aws => "http, apigw-v1, url, s3, dynamodb, schedule, sqs",
                    Platform::Knative => "http, ping, broker",
                    Platform::Gcp => "http, storage, pubsub, scheduler",
                    Platform::OpenWhisk => "http (or web), alarm, objects",
                    Platform::Tencent => "http (or apigw), cos, timer, ckafka",
                    Platform::Azure => AZURE_TRIGGERS,
                    _ => "http, oss, tablestore, timer, mns",
                };
                return Err(format!(
                    "--trigger `{name}` is not a trigger of {}: one of {names}",
                    platform.description()
                ));
            }
        };
        if platform == Platform::Tencent && source == Source::Table {
            return Err(format!(
                "--trigger `{name}` is not a trigger of Tencent Cloud SCF: one of http (or apigw), cos, timer, ckafka"
            ));
        }
        if platform == Platform::Azure && source == Source::Table {
            return Err(format!(
                "--trigger `{name}` is not a trigger of Azure Functions: one of {AZURE_TRIGGERS}"
            ));
        }
        if platform == Platform::OpenWhisk
            && !matches!(source, Source::Http | Source::Schedule | Source::Objects)
        {
            return Err(format!(
                "--trigger `{name}` is not a trigger of Apache OpenWhisk: one of http (or web), alarm, objects"
            ));
        }
        Ok(source)
    }
}

/// The triggers `fc-local package --platform azure` wires.
const AZURE_TRIGGERS: &str = "http, blob, timer, queue";

/// What to package.
#[derive(Debug)]
pub(crate) struct Package {
    pub(crate) platform: Platform,
    pub(crate) package: String,
    /// The functions: the package's binaries to build, the package's own name by default.
    pub(crate) bins: Vec<String>,
    pub(crate) binary: Option<PathBuf>,
    pub(crate) arch: Arch,
    /// A target to build for instead of `arch`'s musl one.
    pub(crate) target: Option<String>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) memory_mb: u32,
    pub(crate) timeout_secs: u64,
    /// The triggers, each for one function (`Some(bin)`) or every one.
    pub(crate) triggers: Vec<(Option<String>, Source)>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) region: Option<String>,
}

impl Package {
    fn target(&self) -> &str {
        self.target.as_deref().unwrap_or(self.arch.musl())
    }

    fn arch(&self) -> Arch {
        if self.target().starts_with("aarch64") {
            Arch::Arm64
        } else {
            Arch::X86_64
        }
    }

    fn sources<'s>(&'s self, bin: &'s str) -> impl Iterator<Item = Source> + 's {
        self.triggers
            .iter()
            .filter(move |(only, _)| only.as_deref().is_none_or(|only| only == bin))
            .map(|(_, source)| *source)
    }

    /// What is wrong with the request, before anything is built.
    fn check(&self) -> Result<(), String> {
        if self.binary.is_some() && self.bins.len() > 1 {
            return Err("--binary packages one function: give one --bin with it".into());
        }
        for (only, _) in &self.triggers {
            if let Some(bin) = only
                && !self.bins.contains(bin)
            {
                return Err(format!(
                    "--trigger names `{bin}`, which is not one of the functions packaged ({})",
                    self.bins.join(", ")
                ));
            }
        }
        for (name, _) in &self.env {
            let valid = name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid {
                return Err(format!(
                    "--env `{name}`: a variable's name is letters, digits and `_`, starting with a letter"
                ));
            }
        }
        for bin in &self.bins {
            let http = self
                .sources(bin)
                .filter(|s| matches!(s, Source::Http | Source::Rest | Source::Url))
                .count();
            if self.platform == Platform::Aliyun && http > 0 && self.sources(bin).count() > http {
                return Err(format!(
                    "`{bin}`: on Function Compute an HTTP trigger cannot share a function with other triggers"
                ));
            }
        }
        Ok(())
    }
}

fn cargo() -> Command {
    Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
}

fn target_dir() -> Result<PathBuf, String> {
    let output = cargo()
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|err| format!("cannot run cargo metadata: {err}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|err| format!("cargo metadata: {err}"))?;
    metadata["target_directory"]
        .as_str()
        .map(PathBuf::from)
        .ok_or_else(|| "cargo metadata gave no target directory".into())
}

/// Whether the standard library of `target` is installed, when rustup can tell.
fn target_installed(target: &str) -> Option<bool> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let output = Command::new(rustc)
        .args(["--print", "sysroot"])
        .output()
        .ok()?;
    let sysroot = String::from_utf8(output.stdout).ok()?;
    let lib = Path::new(sysroot.trim()).join("lib/rustlib");
    lib.is_dir().then(|| lib.join(target).join("lib").is_dir())
}

/// Builds the functions, cargo's progress on the terminal; their executables.
fn build(spec: &Package) -> Result<Vec<PathBuf>, String> {
    let target = spec.target();
    if target_installed(target) == Some(false) {
        return Err(format!(
            "the Rust standard library for {target} is not installed; install it with\n\n    rustup target add {target}\n\n(or package a binary you built yourself with --binary)"
        ));
    }
    let mut command = cargo();
    command.args([
        "build",
        "--release",
        "-p",
        &spec.package,
        "--target",
        target,
    ]);
    for bin in &spec.bins {
        command.args(["--bin", bin]);
    }
    eprintln!(
        "fc-local: building {} for {target} (release)",
        spec.bins.join(", ")
    );
    let status = command
        .status()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if !status.success() {
        return Err(format!(
            "the build failed ({status}){}",
            if spec.arch() == Arch::Arm64 && cfg!(target_arch = "x86_64") {
                "; building for arm64 on an x86_64 machine needs a linker for it, e.g. \
                 CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER=aarch64-linux-gnu-gcc \
                 (Debian's gcc-aarch64-linux-gnu), or cargo-lambda's Zig build"
            } else {
                ""
            }
        ));
    }
    let release = target_dir()?.join(target).join("release");
    Ok(spec.bins.iter().map(|bin| release.join(bin)).collect())
}

/// A YAML mapping from its entries, in order.
fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Mapping(
        entries
            .into_iter()
            .map(|(key, value)| (Value::from(key), value))
            .collect::<Mapping>(),
    )
}

fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

fn list(items: impl IntoIterator<Item = Value>) -> Value {
    Value::Sequence(items.into_iter().collect())
}

fn insert(mapping: &mut Value, key: &str, value: Value) {
    if let Value::Mapping(mapping) = mapping {
        mapping.insert(Value::from(key), value);
    }
}

/// `hello-world` as a CloudFormation logical id: `HelloWorld`.
fn logical_id(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

/// The SAM template: every function, the resources its triggers need (a bucket, a table with
/// a stream, a queue), and what to reach them by in `Outputs`.
fn sam_template(spec: &Package) -> Value {
    let arch = match spec.arch() {
        Arch::X86_64 => "x86_64",
        Arch::Arm64 => "arm64",
    };
    let mut resources = map([]);
    let mut outputs = map([]);
    for bin in &spec.bins {
        let id = logical_id(bin);
        let mut properties = map([
            ("CodeUri", s(format!("{bin}.zip"))),
            ("Handler", s("bootstrap")),
            ("Runtime", s("provided.al2023")),
            ("Architectures", list([s(arch)])),
            ("MemorySize", Value::from(spec.memory_mb)),
            ("Timeout", Value::from(spec.timeout_secs)),
        ]);
        if !spec.env.is_empty() {
            insert(
                &mut properties,
                "Environment",
                map([("Variables", variables(&spec.env))]),
            );
        }
        let mut events = map([]);
        for source in spec.sources(bin) {
            let (name, event) = match source {
                Source::Http => {
                    let url = "https://${ServerlessHttpApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/";
                    output(
                        &mut outputs,
                        &format!("{id}HttpApiUrl"),
                        format!("The HTTP API in front of {bin}"),
                        map([("Fn::Sub", s(url))]),
                    );
                    ("HttpApi", map([("Type", s("HttpApi"))]))
                }
                Source::Rest => {
                    let url = "https://${ServerlessRestApi}.execute-api.${AWS::Region}.${AWS::URLSuffix}/Prod/";
                    output(
                        &mut outputs,
                        &format!("{id}RestApiUrl"),
                        format!("The REST API in front of {bin}"),
                        map([("Fn::Sub", s(url))]),
                    );
                    let route = map([("Path", s("/{proxy+}")), ("Method", s("ANY"))]);
                    ("RestApi", event("Api", route))
                }
                Source::Url => {
                    insert(
                        &mut properties,
                        "FunctionUrlConfig",
                        map([("AuthType", s("NONE"))]),
                    );
                    output(
                        &mut outputs,
                        &format!("{id}FunctionUrl"),
                        format!("The Function URL of {bin}"),
                        get_att(&format!("{id}Url"), "FunctionUrl"),
                    );
                    continue;
                }
                Source::Objects => {
                    let bucket = format!("{id}Bucket");
                    let what = format!("The bucket whose objects {bin} gets");
                    let resource = map([("Type", s("AWS::S3::Bucket"))]);
                    created(&mut resources, &mut outputs, &bucket, resource, what);
                    let events = list([s("s3:ObjectCreated:*"), s("s3:ObjectRemoved:*")]);
                    let source = map([("Bucket", reference(&bucket)), ("Events", events)]);
                    ("Objects", event("S3", source))
                }
                Source::Table => {
                    let table = format!("{id}Table");
                    let what = format!("The table whose changes {bin} gets");
                    created(&mut resources, &mut outputs, &table, dynamodb_table(), what);
                    let source = map([
                        ("Stream", get_att(&table, "StreamArn")),
                        ("StartingPosition", s("LATEST")),
                        (
                            "FunctionResponseTypes",
                            list([s("ReportBatchItemFailures")]),
                        ),
                    ]);
                    ("Changes", event("DynamoDB", source))
                }
                Source::Schedule => {
                    let rule = map([("Schedule", s("rate(1 hour)"))]);
                    ("Schedule", event("Schedule", rule))
                }
                Source::Queue => {
                    let queue = format!("{id}Queue");
                    let what = format!("The queue whose messages {bin} gets");
                    let resource = map([("Type", s("AWS::SQS::Queue"))]);
                    created(&mut resources, &mut outputs, &queue, resource, what);
                    let source = map([
                        ("Queue", get_att(&queue, "Arn")),
                        (
                            "FunctionResponseTypes",
                            list([s("ReportBatchItemFailures")]),
                        ),
                    ]);
                    ("Messages", event("SQS", source))
                }
            };
            insert(&mut events, name, event);
        }
        if matches!(&events, Value::Mapping(m) if !m.is_empty()) {
            insert(&mut properties, "Events", events);
        }
        let function = map([
            ("Type", s("AWS::Serverless::Function")),
            ("Properties", properties),
        ]);
        insert(&mut resources, &id, function);
    }
    let description = format!("{}, packaged by fc-local", spec.package);
    let mut template = map([
        ("AWSTemplateFormatVersion", s("2010-09-09")),
        ("Transform", s("AWS::Serverless-2016-10-31")),
        ("Description", s(description)),
        ("Resources", resources),
    ]);
    if matches!(&outputs, Value::Mapping(m) if !m.is_empty()) {
        insert(&mut template, "Outputs", outputs);
    }
    template
}

/// A SAM event source of `kind` with its properties.
fn event(kind: &str, properties: Value) -> Value {
    map([("Type", s(kind)), ("Properties", properties)])
}

fn reference(name: &str) -> Value {
    map([("Ref", s(name))])
}

fn get_att(resource: &str, attribute: &str) -> Value {
    map([("Fn::GetAtt", list([s(resource), s(attribute)]))])
}

/// An entry of the template's `Outputs`.
fn output(outputs: &mut Value, key: &str, description: String, value: Value) {
    let entry = map([("Description", s(description)), ("Value", value)]);
    insert(outputs, key, entry);
}

/// A resource the template creates for a trigger, named in the `Outputs`.
fn created(
    resources: &mut Value,
    outputs: &mut Value,
    name: &str,
    resource: Value,
    description: String,
) {
    insert(resources, name, resource);
    output(outputs, name, description, reference(name));
}

/// A table keyed by `id`, whose stream has the old and new rows.
fn dynamodb_table() -> Value {
    let id = |field: &str, value: &str| map([("AttributeName", s("id")), (field, s(value))]);
    let stream = map([("StreamViewType", s("NEW_AND_OLD_IMAGES"))]);
    let properties = map([
        ("BillingMode", s("PAY_PER_REQUEST")),
        ("AttributeDefinitions", list([id("AttributeType", "S")])),
        ("KeySchema", list([id("KeyType", "HASH")])),
        ("StreamSpecification", stream),
    ]);
    map([
        ("Type", s("AWS::DynamoDB::Table")),
        ("Properties", properties),
    ])
}

/// The functions' environment variables, as a mapping.
fn variables(env: &[(String, String)]) -> Value {
    Value::Mapping(
        env.iter()
            .map(|(k, v)| (s(k.as_str()), s(v.as_str())))
            .collect(),
    )
}

/// The deploy settings `sam deploy` reads beside the template: the stack, the region.
fn samconfig(spec: &Package) -> String {
    let mut config = format!(
        "version = 0.1\n\n[default.deploy.parameters]\nstack_name = {:?}\ncapabilities = \"CAPABILITY_IAM\"\nresolve_s3 = true\n",
        spec.package
    );
    if let Some(region) = &spec.region {
        config.push_str(&format!("region = {region:?}\n"));
    }
    config
}

/// The Serverless Devs 3 project: one `fc3` component per function, with its triggers (Source:
/// Serverless Devs, "fc3 component YAML specification").
fn s_yaml(spec: &Package) -> Value {
    let region = spec.region.as_deref().unwrap_or("cn-hangzhou");
    let account = "${config('AccountID')}";
    let mut resources = map([]);
    for bin in &spec.bins {
        let mut props = map([
            ("region", s("${vars.region}")),
            ("functionName", s(bin.as_str())),
            ("runtime", s("custom.debian12")),
            ("code", s(format!("./{bin}.zip"))),
            ("handler", s("bootstrap")),
            ("memorySize", Value::from(spec.memory_mb)),
            ("timeout", Value::from(spec.timeout_secs)),
            ("instanceConcurrency", Value::from(20)),
            (
                "customRuntimeConfig",
                map([
                    ("command", list([s("/code/bootstrap")])),
                    ("port", Value::from(9000)),
                ]),
            ),
        ]);
        if !spec.env.is_empty() {
            insert(&mut props, "environmentVariables", variables(&spec.env));
        }
        let role = |name: &str| s(format!("acs:ram::{account}:role/{name}"));
        let triggers: Vec<Value> = spec
            .sources(bin)
            .map(|source| match source {
                Source::Http | Source::Rest | Source::Url => map([
                    ("triggerName", s("http")),
                    ("triggerType", s("http")),
                    ("qualifier", s("LATEST")),
                    (
                        "triggerConfig",
                        map([
                            ("authType", s("anonymous")),
                            (
                                "methods",
                                list(
                                    ["GET", "POST", "PUT", "DELETE", "HEAD", "PATCH", "OPTIONS"]
                                        .map(s),
                                ),
                            ),
                        ]),
                    ),
                ]),
                Source::Objects => map([
                    ("triggerName", s("objects")),
                    ("triggerType", s("oss")),
                    ("qualifier", s("LATEST")),
                    (
                        "sourceArn",
                        s(format!("acs:oss:${{vars.region}}:{account}:{bin}-bucket")),
                    ),
                    ("invocationRole", role("aliyunosseventnotificationrole")),
                    // OSS has no `oss:ObjectRemoved:*`; the fc3 component requires a key filter
                    // (empty: every object).
                    (
                        "triggerConfig",
                        map([
                            (
                                "events",
                                list([
                                    s("oss:ObjectCreated:*"),
                                    s("oss:ObjectRemoved:DeleteObject"),
                                    s("oss:ObjectRemoved:DeleteObjects"),
                                ]),
                            ),
                            (
                                "filter",
                                map([("key", map([("prefix", s("")), ("suffix", s(""))]))]),
                            ),
                        ]),
                    ),
                ]),
                Source::Table => map([
                    ("triggerName", s("changes")),
                    ("triggerType", s("tablestore")),
                    ("qualifier", s("LATEST")),
                    (
                        "sourceArn",
                        s(format!(
                            "acs:ots:${{vars.region}}:{account}:instance/{bin}/table/{bin}"
                        )),
                    ),
                    (
                        "invocationRole",
                        role("aliyuntablestorestreamnotificationrole"),
                    ),
                    ("triggerConfig", map([])),
                ]),
                Source::Schedule => map([
                    ("triggerName", s("schedule")),
                    ("triggerType", s("timer")),
                    ("qualifier", s("LATEST")),
                    (
                        "triggerConfig",
                        map([
                            ("cronExpression", s("@every 60m")),
                            ("enable", Value::from(true)),
                        ]),
                    ),
                ]),
                // An MNS queue trigger is an EventBridge trigger with MNS as its source (Source:
                // Serverless Devs fc3, "triggers" YAML specification, eventbridge); the queue,
                // named after the function, must exist. Bodies are sent as text, not base64.
                Source::Queue => map([
                    ("triggerName", s("messages")),
                    ("triggerType", s("eventbridge")),
                    ("qualifier", s("LATEST")),
                    (
                        "triggerConfig",
                        map([
                            ("triggerEnable", Value::from(true)),
                            ("asyncInvocationType", Value::from(false)),
                            (
                                "eventRuleFilterPattern",
                                s(format!(r#"{{"source":["MNS-{bin}-messages"]}}"#)),
                            ),
                            (
                                "eventSourceConfig",
                                map([
                                    ("eventSourceType", s("MNS")),
                                    (
                                        "eventSourceParameters",
                                        map([(
                                            "sourceMNSParameters",
                                            map([
                                                ("RegionId", s("${vars.region}")),
                                                ("QueueName", s(bin.as_str())),
                                                ("IsBase64Decode", Value::from(false)),
                                            ]),
                                        )]),
                                    ),
                                ]),
                            ),
                        ]),
                    ),
                ]),
            })
            .collect();
        if !triggers.is_empty() {
            insert(&mut props, "triggers", list(triggers));
        }
        insert(
            &mut resources,
            bin,
            map([("component", s("fc3")), ("props", props)]),
        );
    }
    map([
        ("edition", s("3.0.0")),
        ("name", s(spec.package.as_str())),
        ("access", s("default")),
        ("vars", map([("region", s(region))])),
        ("resources", resources),
    ])
}

/// Builds (unless a binary is given) and writes the artifacts; returns the folder they are in.
pub(crate) fn package(spec: &Package) -> Result<PathBuf, String> {
    spec.check()?;
    let binaries = match &spec.binary {
        Some(path) => vec![path.clone()],
        None => build(spec)?,
    };
    let dir = match &spec.out {
        Some(out) => out.clone(),
        None => target_dir()?
            .join("fc-local")
            .join(spec.platform.as_str())
            .join(&spec.package),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    if matches!(
        spec.platform,
        Platform::Knative | Platform::Gcp | Platform::OpenWhisk
    ) {
        return images(spec, &binaries, dir);
    }
    if spec.platform == Platform::Tencent {
        return scf_functions(spec, &binaries, dir);
    }
    if spec.platform == Platform::Azure {
        return azure_apps(spec, &binaries, dir);
    }
    for (bin, binary) in spec.bins.iter().zip(&binaries) {
        let bytes = std::fs::read(binary)
            .map_err(|err| format!("cannot read {}: {err}", binary.display()))?;
        let archive = archive(&[("bootstrap", &bytes)])
            .map_err(|err| format!("cannot write the archive: {err}"))?;
        write_file(&dir.join(format!("{bin}.zip")), &archive)?;
    }
    let (name, template) = match spec.platform {
        Platform::Aws => {
            write_file(&dir.join("samconfig.toml"), samconfig(spec).as_bytes())?;
            ("template.yaml", sam_template(spec))
        }
        _ => ("s.yaml", s_yaml(spec)),
    };
    let yaml =
        serde_yaml_ng::to_string(&template).map_err(|err| format!("cannot write {name}: {err}"))?;
    write_file(&dir.join(name), yaml.as_bytes())?;
    Ok(dir)
}

/// SCF: a folder per function with its binary as `bootstrap` (the Custom Runtime's entry) and
/// the Serverless Framework's `serverless.yml` (the `scf` component) that deploys it with its
/// triggers: `sls deploy` in the folder.
///
/// Sources: Tencent Cloud, "Custom Runtime 说明"; serverless-components/tencent-scf,
/// `docs/configure.md`.
fn scf_functions(spec: &Package, binaries: &[PathBuf], dir: PathBuf) -> Result<PathBuf, String> {
    let region = spec.region.as_deref().unwrap_or("ap-guangzhou");
    for (bin, binary) in spec.bins.iter().zip(binaries) {
        let folder = dir.join(bin);
        std::fs::create_dir_all(&folder)
            .map_err(|err| format!("cannot create {}: {err}", folder.display()))?;
        let bytes = std::fs::read(binary)
            .map_err(|err| format!("cannot read {}: {err}", binary.display()))?;
        write_file(&folder.join("bootstrap"), &bytes)?;
        make_executable(&folder.join("bootstrap"));
        let mut inputs = map([
            ("name", s(bin.as_str())),
            (
                "src",
                map([("src", s("./")), ("exclude", list([s("serverless.yml")]))]),
            ),
            ("runtime", s("CustomRuntime")),
            ("region", s(region)),
            ("namespace", s("default")),
            ("memorySize", Value::from(spec.memory_mb)),
            ("timeout", Value::from(spec.timeout_secs)),
            ("initTimeout", Value::from(10)),
        ]);
        if !spec.env.is_empty() {
            insert(
                &mut inputs,
                "environment",
                map([("variables", variables(&spec.env))]),
            );
        }
        let events: Vec<Value> = spec
            .sources(bin)
            .filter_map(|source| {
                let event = match source {
                    Source::Http | Source::Rest | Source::Url => (
                        "apigw",
                        map([
                            ("protocols", list([s("http"), s("https")])),
                            ("environment", s("release")),
                            (
                                "endpoints",
                                list([map([
                                    ("path", s("/")),
                                    ("method", s("ANY")),
                                    (
                                        "function",
                                        map([("isIntegratedResponse", Value::Bool(true))]),
                                    ),
                                ])]),
                            ),
                        ]),
                    ),
                    Source::Schedule => (
                        "timer",
                        map([
                            ("cronExpression", s("0 0 * * * * *")),
                            ("enable", Value::Bool(true)),
                        ]),
                    ),
                    Source::Objects => (
                        "cos",
                        map([
                            (
                                "bucket",
                                s(format!("{bin}-APPID.cos.{region}.myqcloud.com")),
                            ),
                            ("events", s("cos:ObjectCreated:*")),
                            ("enable", Value::Bool(true)),
                        ]),
                    ),
                    Source::Queue => (
                        "ckafka",
                        map([
                            ("name", s("CKAFKA_INSTANCE")),
                            ("topic", s(bin.as_str())),
                            ("maxMsgNum", Value::from(100)),
                            ("offset", s("latest")),
                        ]),
                    ),
                    Source::Table => return None,
                };
                Some(map([(event.0, map([("parameters", event.1)]))]))
            })
            .collect();
        if !events.is_empty() {
            insert(&mut inputs, "events", list(events));
        }
        let document = map([
            ("component", s("scf")),
            ("name", s(bin.as_str())),
            ("inputs", inputs),
        ]);
        let yaml = serde_yaml_ng::to_string(&document)
            .map_err(|err| format!("cannot write serverless.yml: {err}"))?;
        write_file(&folder.join("serverless.yml"), yaml.as_bytes())?;
    }
    Ok(dir)
}

/// Azure Functions: a function app per binary, the binary its custom handler. `<bin>/` holds
/// `host.json` (the handler; HTTP requests forwarded as they came, at the site's root), the
/// binary, a folder with a `function.json` per trigger, and `local.settings.json` for
/// `func start`; `<bin>.zip` is the same for a zip deployment, and `deploy.sh` creates and
/// deploys the apps with the Azure CLI.
///
/// Sources: Microsoft, "Azure Functions custom handlers" (host.json's `customHandler`), "host.json
/// reference" (`extensions.http.routePrefix`), the trigger bindings' function.json references,
/// and "Zip deployment for Azure Functions".
fn azure_apps(spec: &Package, binaries: &[PathBuf], dir: PathBuf) -> Result<PathBuf, String> {
    for (bin, binary) in spec.bins.iter().zip(binaries) {
        let sources: Vec<Source> = spec.sources(bin).collect();
        if sources.is_empty() {
            return Err(format!(
                "`{bin}`: an Azure function needs a trigger; add --trigger with one of {AZURE_TRIGGERS}"
            ));
        }
        let bytes = std::fs::read(binary)
            .map_err(|err| format!("cannot read {}: {err}", binary.display()))?;
        let mut files: Vec<(String, Vec<u8>)> = vec![
            ("host.json".into(), pretty(&azure_host(bin, &sources))?),
            (bin.clone(), bytes),
        ];
        for source in &sources {
            let function = if sources.len() == 1 {
                bin.clone()
            } else {
                format!("{bin}-{}", azure_kind(*source))
            };
            files.push((
                format!("{function}/function.json"),
                pretty(&azure_bindings(bin, *source))?,
            ));
        }
        let entries: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(name, bytes)| (name.as_str(), bytes.as_slice()))
            .collect();
        let archive =
            archive(&entries).map_err(|err| format!("cannot write the archive: {err}"))?;
        write_file(&dir.join(format!("{bin}.zip")), &archive)?;
        let folder = dir.join(bin);
        for (name, bytes) in &files {
            let path = folder.join(name);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(|err| format!("cannot create {}: {err}", parent.display()))?;
            }
            write_file(&path, bytes)?;
            if name == bin {
                make_executable(&path);
            }
        }
        let mut values = map([
            ("FUNCTIONS_WORKER_RUNTIME", s("custom")),
            ("AzureWebJobsStorage", s("UseDevelopmentStorage=true")),
        ]);
        for (key, value) in &spec.env {
            insert(&mut values, key, s(value.as_str()));
        }
        let settings = map([("IsEncrypted", Value::Bool(false)), ("Values", values)]);
        write_file(&folder.join("local.settings.json"), &pretty(&settings)?)?;
    }
    write_script(&dir.join("deploy.sh"), &az_script(spec))?;
    Ok(dir)
}

fn pretty(value: &Value) -> Result<Vec<u8>, String> {
    serde_json::to_vec_pretty(value).map_err(|err| format!("cannot write JSON: {err}"))
}

fn azure_kind(source: Source) -> &'static str {
    match source {
        Source::Http | Source::Rest | Source::Url => "http",
        Source::Objects => "blob",
        Source::Schedule => "timer",
        Source::Queue => "queue",
        Source::Table => "table",
    }
}

/// host.json: the binary as the custom handler; an HTTP function's requests forwarded as they
/// came, served from the site's root (no `/api` prefix) as on the other platforms.
fn azure_host(bin: &str, sources: &[Source]) -> Value {
    let mut handler = map([(
        "description",
        map([
            ("defaultExecutablePath", s(bin)),
            ("workingDirectory", s("")),
            ("arguments", list([])),
        ]),
    )]);
    let http = sources
        .iter()
        .any(|source| matches!(source, Source::Http | Source::Rest | Source::Url));
    if http {
        insert(
            &mut handler,
            "enableForwardingHttpRequest",
            Value::Bool(true),
        );
    }
    let mut host = map([
        ("version", s("2.0")),
        (
            "extensionBundle",
            map([
                ("id", s("Microsoft.Azure.Functions.ExtensionBundle")),
                ("version", s("[4.*, 5.0.0)")),
            ]),
        ),
        ("customHandler", handler),
    ]);
    if http {
        insert(
            &mut host,
            "extensions",
            map([("http", map([("routePrefix", s(""))]))]),
        );
    }
    host
}

/// A storage container's or queue's name for `bin`: lowercase letters, digits and `-`.
fn azure_resource(bin: &str) -> String {
    bin.to_ascii_lowercase().replace('_', "-")
}

/// function.json of `bin`'s function for `source`.
fn azure_bindings(bin: &str, source: Source) -> Value {
    let storage = |kind: &str, name: &str, extra: (&str, Value)| {
        map([
            ("type", s(kind)),
            ("direction", s("in")),
            ("name", s(name)),
            extra,
            ("connection", s("AzureWebJobsStorage")),
        ])
    };
    let bindings = match source {
        Source::Http | Source::Rest | Source::Url => list([
            map([
                ("type", s("httpTrigger")),
                ("direction", s("in")),
                ("name", s("req")),
                ("authLevel", s("anonymous")),
                (
                    "methods",
                    list(
                        ["get", "post", "put", "patch", "delete", "head", "options"]
                            .map(Value::from),
                    ),
                ),
                ("route", s("{*path}")),
            ]),
            map([
                ("type", s("http")),
                ("direction", s("out")),
                ("name", s("res")),
            ]),
        ]),
        Source::Schedule => list([map([
            ("type", s("timerTrigger")),
            ("direction", s("in")),
            ("name", s("timer")),
            ("schedule", s("0 0 * * * *")),
        ])]),
        Source::Objects => list([storage(
            "blobTrigger",
            "blob",
            ("path", s(format!("{}/{{name}}", azure_resource(bin)))),
        )]),
        Source::Queue | Source::Table => list([storage(
            "queueTrigger",
            "message",
            ("queueName", s(azure_resource(bin))),
        )]),
    };
    map([("bindings", bindings)])
}

/// deploy.sh: a resource group, a storage account and a Linux Consumption function app per
/// function, its settings, and the zip deployment.
fn az_script(spec: &Package) -> String {
    let location = spec.region.as_deref().unwrap_or("westeurope");
    let mut script = format!(
        r#"#!/bin/sh
# Deploys {package} to Azure Functions with the Azure CLI (`az login` first).
# STORAGE names a storage account to create (3-24 lowercase letters and digits, unique in
# Azure); APP_PREFIX makes the apps' names unique.
set -eu
cd "$(dirname "$0")"
RESOURCE_GROUP="${{RESOURCE_GROUP:-{package}}}"
LOCATION="${{LOCATION:-{location}}}"
STORAGE="${{STORAGE:?set STORAGE to a storage account name}}"
APP_PREFIX="${{APP_PREFIX:-}}"
az group create --name "$RESOURCE_GROUP" --location "$LOCATION"
az storage account create --name "$STORAGE" --resource-group "$RESOURCE_GROUP" \
  --location "$LOCATION" --sku Standard_LRS
"#,
        package = spec.package
    );
    for bin in &spec.bins {
        let mut settings = vec!["AzureWebJobsDisableHomepage=true".to_owned()];
        settings.extend(
            spec.env
                .iter()
                .map(|(k, v)| shell_quote(&format!("{k}={v}"))),
        );
        script.push_str(&format!(
            r#"az functionapp create --name "$APP_PREFIX{bin}" --resource-group "$RESOURCE_GROUP" \
  --storage-account "$STORAGE" --consumption-plan-location "$LOCATION" \
  --os-type Linux --runtime custom --functions-version 4
az functionapp config appsettings set --name "$APP_PREFIX{bin}" \
  --resource-group "$RESOURCE_GROUP" --settings {settings} >/dev/null
az functionapp deployment source config-zip --name "$APP_PREFIX{bin}" \
  --resource-group "$RESOURCE_GROUP" --src {bin}.zip
echo "https://$APP_PREFIX{bin}.azurewebsites.net/"
"#,
            settings = settings.join(" ")
        ));
    }
    script
}

/// Knative, Cloud Run and OpenWhisk: `<bin>/<bin>` and `<bin>/Dockerfile` for each function's
/// image, and `service.yaml` (Knative) or `deploy.sh` (Cloud Run, OpenWhisk) to deploy and wire
/// them; for OpenWhisk also `<bin>.zip`, the native action.
fn images(spec: &Package, binaries: &[PathBuf], dir: PathBuf) -> Result<PathBuf, String> {
    // Knative and Cloud Run set the environment in what deploys the image.
    let env = if spec.platform == Platform::OpenWhisk {
        spec.env.as_slice()
    } else {
        &[]
    };
    for (bin, binary) in spec.bins.iter().zip(binaries) {
        let context = dir.join(bin);
        std::fs::create_dir_all(&context)
            .map_err(|err| format!("cannot create {}: {err}", context.display()))?;
        let bytes = std::fs::read(binary)
            .map_err(|err| format!("cannot read {}: {err}", binary.display()))?;
        write_file(&context.join(bin), &bytes)?;
        make_executable(&context.join(bin));
        write_file(&context.join("Dockerfile"), dockerfile(bin, env).as_bytes())?;
        if spec.platform == Platform::OpenWhisk {
            write_file(
                &dir.join(format!("{bin}.zip")),
                &native_action(bin, &bytes, env)?,
            )?;
        }
    }
    if spec.platform == Platform::OpenWhisk {
        write_script(&dir.join("deploy.sh"), &wsk_script(spec))?;
    } else if spec.platform == Platform::Knative {
        let mut yaml = String::new();
        for document in knative_manifests(spec) {
            yaml.push_str("---\n");
            yaml.push_str(
                &serde_yaml_ng::to_string(&document)
                    .map_err(|err| format!("cannot write service.yaml: {err}"))?,
            );
        }
        write_file(&dir.join("service.yaml"), yaml.as_bytes())?;
    } else {
        write_script(&dir.join("deploy.sh"), &gcloud_script(spec))?;
    }
    Ok(dir)
}

/// An image with the static binary alone: it needs no libc, and carries its own CA roots.
fn dockerfile(bin: &str, env: &[(String, String)]) -> String {
    let mut file = format!(
        "# The function's static binary alone; build from this folder:\n\
         #   docker build -t $REGISTRY/{bin} . && docker push $REGISTRY/{bin}\n\
         FROM scratch\n\
         COPY {bin} /{bin}\n"
    );
    for (name, value) in env {
        let quoted = serde_json::Value::String(value.clone()).to_string();
        file.push_str(&format!("ENV {name}={quoted}\n"));
    }
    file.push_str(&format!("ENTRYPOINT [\"/{bin}\"]\n"));
    file
}

/// A native action's zip: the static binary as `exec`, which OpenWhisk's action proxy runs. A
/// native action has no environment of its own, so with variables `exec` is a script that
/// sets them and runs the binary beside it.
///
/// Source: Apache OpenWhisk, `docs/actions-docker.md` ("--native").
fn native_action(bin: &str, binary: &[u8], env: &[(String, String)]) -> Result<Vec<u8>, String> {
    let written = if env.is_empty() {
        archive(&[("exec", binary)])
    } else {
        let mut script = String::from("#!/bin/sh\n");
        for (name, value) in env {
            script.push_str(&format!("export {name}={}\n", shell_quote(value)));
        }
        script.push_str(&format!("exec \"$(dirname \"$0\")/{bin}\" \"$@\"\n"));
        archive(&[("exec", script.as_bytes()), (bin, binary)])
    };
    written.map_err(|err| format!("cannot write the archive: {err}"))
}

/// The `wsk` commands that create each function as a native action (a raw web action with
/// `http`) and fire it from an alarm with `alarm`.
///
/// Source: Apache OpenWhisk, `docs/actions-docker.md`, `docs/webactions.md`; the alarms
/// package's README (apache/openwhisk-package-alarms).
fn wsk_script(spec: &Package) -> String {
    let mut script = format!(
        "#!/bin/sh\n# Deploys {package} to Apache OpenWhisk with `wsk` (set up with\n\
         # `wsk property set --apihost HOST --auth KEY`). Each function is a native action: its\n\
         # zip holds the static binary as `exec`. To run the image instead, push the function's\n\
         # folder (see its Dockerfile) and give `--docker REGISTRY/NAME` for `--native NAME.zip`.\n\
         set -eu\ncd \"$(dirname \"$0\")\"\n",
        package = spec.package
    );
    for bin in &spec.bins {
        let has = |wanted: Source| spec.sources(bin).any(|source| source == wanted);
        // A bucket notification's JSON fields become the parameters of a plain web action.
        let web = if has(Source::Http) {
            " --web raw"
        } else if has(Source::Objects) {
            " --web true"
        } else {
            ""
        };
        script.push_str(&format!(
            "wsk action update {bin} --native {bin}.zip --memory {} --timeout {}{web}\n",
            spec.memory_mb,
            spec.timeout_secs * 1000,
        ));
        if has(Source::Objects) && !has(Source::Http) {
            script.push_str(&format!(
                "# Point the bucket's notifications at this URL: for MinIO, a webhook target\n\
                 # (mc admin config set ALIAS notify_webhook:{bin} endpoint=URL) and\n\
                 # mc event add ALIAS/BUCKET arn:minio:sqs::{bin}:webhook --event put,delete\n"
            ));
        }
        if !web.is_empty() {
            script.push_str(&format!("wsk action get {bin} --url\n"));
        }
        if spec.sources(bin).any(|source| source == Source::Schedule) {
            let payload =
                shell_quote(&serde_json::json!({ "name": format!("{bin}-alarm") }).to_string());
            script.push_str(&format!(
                "wsk trigger delete {bin}-alarm >/dev/null 2>&1 || true\n\
                 wsk trigger create {bin}-alarm --feed /whisk.system/alarms/alarm \\\n  --param cron '0 * * * *' --param trigger_payload {payload}\n\
                 wsk rule update {bin}-alarm {bin}-alarm {bin}\n"
            ));
        }
    }
    script
}

/// Knative's manifests: a Service per function, a PingSource for `ping`, a broker Trigger
/// for `broker` (Source: Knative, serving.knative.dev/v1 Service, sources.knative.dev/v1
/// PingSource, eventing.knative.dev/v1 Trigger).
fn knative_manifests(spec: &Package) -> Vec<Value> {
    let mut documents = Vec::new();
    for bin in &spec.bins {
        let env: Vec<Value> = spec
            .env
            .iter()
            .map(|(name, value)| map([("name", s(name.as_str())), ("value", s(value.as_str()))]))
            .collect();
        let mut container = map([
            ("image", s(format!("REGISTRY/{bin}"))),
            (
                "resources",
                map([(
                    "limits",
                    map([("memory", s(format!("{}Mi", spec.memory_mb)))]),
                )]),
            ),
        ]);
        if !env.is_empty() {
            insert(&mut container, "env", list(env));
        }
        documents.push(map([
            ("apiVersion", s("serving.knative.dev/v1")),
            ("kind", s("Service")),
            ("metadata", map([("name", s(bin.as_str()))])),
            (
                "spec",
                map([(
                    "template",
                    map([(
                        "spec",
                        map([
                            ("containers", list([container])),
                            ("timeoutSeconds", Value::from(spec.timeout_secs)),
                        ]),
                    )]),
                )]),
            ),
        ]));
        let sink = map([(
            "ref",
            map([
                ("apiVersion", s("serving.knative.dev/v1")),
                ("kind", s("Service")),
                ("name", s(bin.as_str())),
            ]),
        )]);
        for source in spec.sources(bin) {
            match source {
                Source::Schedule => documents.push(map([
                    ("apiVersion", s("sources.knative.dev/v1")),
                    ("kind", s("PingSource")),
                    ("metadata", map([("name", s(format!("{bin}-ping")))])),
                    (
                        "spec",
                        map([
                            ("schedule", s("0 * * * *")),
                            ("contentType", s("application/json")),
                            ("data", s("{}")),
                            ("sink", sink.clone()),
                        ]),
                    ),
                ])),
                Source::Queue => documents.push(map([
                    ("apiVersion", s("eventing.knative.dev/v1")),
                    ("kind", s("Trigger")),
                    ("metadata", map([("name", s(format!("{bin}-events")))])),
                    (
                        "spec",
                        map([("broker", s("default")), ("subscriber", sink.clone())]),
                    ),
                ])),
                _ => {}
            }
        }
    }
    documents
}

/// A shell script of the `gcloud` commands that deploy each image to Cloud Run and wire its
/// triggers (Eventarc for Cloud Storage and Pub/Sub, Cloud Scheduler for schedules).
fn gcloud_script(spec: &Package) -> String {
    let region = spec.region.as_deref().unwrap_or("us-central1");
    let mut script = format!(
        "#!/bin/sh\n# Deploys {package} to Cloud Run. Push each folder's image first (see its\n\
         # Dockerfile), and set REGISTRY and SERVICE_ACCOUNT.\nset -eu\nREGION={region}\n",
        package = spec.package
    );
    let env: Vec<String> = spec.env.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for bin in &spec.bins {
        let mut deploy = format!(
            "gcloud run deploy {bin} --image \"$REGISTRY/{bin}\" --region \"$REGION\" \\\n  --memory {}Mi --timeout {}",
            spec.memory_mb, spec.timeout_secs
        );
        if !env.is_empty() {
            deploy.push_str(&format!(
                " \\\n  --set-env-vars {}",
                shell_quote(&env.join(","))
            ));
        }
        if spec.sources(bin).any(|source| source == Source::Http) {
            deploy.push_str(" --allow-unauthenticated");
        } else {
            deploy.push_str(" --no-allow-unauthenticated");
        }
        script.push_str(&deploy);
        script.push('\n');
        for source in spec.sources(bin) {
            let line = match source {
                Source::Objects => format!(
                    "gcloud eventarc triggers create {bin}-storage --location \"$REGION\" \\\n  --destination-run-service {bin} --destination-run-region \"$REGION\" \\\n  --event-filters type=google.cloud.storage.object.v1.finalized --event-filters bucket={bin}-bucket \\\n  --service-account \"$SERVICE_ACCOUNT\"\n"
                ),
                Source::Queue => format!(
                    "gcloud eventarc triggers create {bin}-pubsub --location \"$REGION\" \\\n  --destination-run-service {bin} --destination-run-region \"$REGION\" \\\n  --event-filters type=google.cloud.pubsub.topic.v1.messagePublished --transport-topic {bin} \\\n  --service-account \"$SERVICE_ACCOUNT\"\n"
                ),
                Source::Schedule => format!(
                    "gcloud scheduler jobs create http {bin}-schedule --location \"$REGION\" --schedule '0 * * * *' \\\n  --uri \"$(gcloud run services describe {bin} --region \"$REGION\" --format 'value(status.url)')\" \\\n  --oidc-service-account-email \"$SERVICE_ACCOUNT\"\n"
                ),
                _ => continue,
            };
            script.push_str(&line);
        }
    }
    script
}

/// `text` as one shell word.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The function's package: its executables (a `bootstrap`), deflated. Their time is the ZIP
/// epoch (1980-01-01), so the same binary makes the same archive.
fn archive(files: &[(&str, &[u8])]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, bytes) in files {
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .unix_permissions(0o755)
            .last_modified_time(zip::DateTime::default())
            .large_file(u32::try_from(bytes.len()).is_err());
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// A shell script, executable.
fn write_script(path: &Path, script: &str) -> Result<(), String> {
    write_file(path, script.as_bytes())?;
    make_executable(path);
    Ok(())
}

fn make_executable(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755));
    }
    #[cfg(not(unix))]
    let _ = path;
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|err| format!("cannot write {}: {err}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(platform: Platform) -> Package {
        Package {
            platform,
            package: "shop".into(),
            bins: vec!["web".into(), "photos".into()],
            binary: None,
            arch: Arch::X86_64,
            target: None,
            out: None,
            memory_mb: 256,
            timeout_secs: 15,
            triggers: vec![
                (Some("web".into()), Source::Http),
                (Some("photos".into()), Source::Objects),
            ],
            env: vec![("DATABASE_URL".into(), "sqlite://db: \"x\"".into())],
            region: Some("eu-central-1".into()),
        }
    }

    #[test]
    fn sam_templates_wire_each_function_to_its_triggers() {
        let yaml = serde_yaml_ng::to_string(&sam_template(&spec(Platform::Aws))).unwrap();
        let back: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        let web = &back["Resources"]["Web"]["Properties"];
        assert_eq!(web["CodeUri"], "web.zip");
        assert_eq!(web["Architectures"][0], "x86_64");
        assert_eq!(web["Events"]["HttpApi"]["Type"], "HttpApi");
        assert_eq!(
            web["Environment"]["Variables"]["DATABASE_URL"],
            "sqlite://db: \"x\""
        );
        let photos = &back["Resources"]["Photos"]["Properties"];
        assert_eq!(
            photos["Events"]["Objects"]["Properties"]["Bucket"]["Ref"],
            "PhotosBucket"
        );
        assert_eq!(back["Resources"]["PhotosBucket"]["Type"], "AWS::S3::Bucket");
        assert!(back["Outputs"]["WebHttpApiUrl"]["Value"]["Fn::Sub"].is_string());
        assert!(samconfig(&spec(Platform::Aws)).contains("region = \"eu-central-1\""));
    }

    #[test]
    fn knative_manifests_and_gcloud_commands_wire_each_function() {
        let mut knative = spec(Platform::Knative);
        knative.triggers = vec![
            (Some("web".into()), Source::Http),
            (Some("photos".into()), Source::Schedule),
        ];
        let documents = knative_manifests(&knative);
        let back: Vec<serde_json::Value> = documents
            .iter()
            .map(|d| serde_yaml_ng::from_str(&serde_yaml_ng::to_string(d).unwrap()).unwrap())
            .collect();
        assert_eq!(back[0]["kind"], "Service");
        let container = &back[0]["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(container["image"], "REGISTRY/web");
        assert_eq!(container["env"][0]["value"], "sqlite://db: \"x\"");
        assert_eq!(back[2]["kind"], "PingSource");
        assert_eq!(back[2]["spec"]["sink"]["ref"]["name"], "photos");
        let script = gcloud_script(&spec(Platform::Gcp));
        assert!(
            script.contains("gcloud run deploy web --image \"$REGISTRY/web\""),
            "{script}"
        );
        assert!(
            script.contains("--set-env-vars 'DATABASE_URL=sqlite://db: \"x\"'"),
            "{script}"
        );
        assert!(
            script.contains("type=google.cloud.storage.object.v1.finalized"),
            "{script}"
        );
        assert!(dockerfile("web", &[]).contains("ENTRYPOINT [\"/web\"]"));
        assert!(Source::from_name("ping", Platform::Gcp).is_err());
        assert_eq!(
            Source::from_name("storage", Platform::Gcp),
            Ok(Source::Objects)
        );
    }

    #[test]
    fn s_yaml_has_a_component_per_function() {
        let yaml = serde_yaml_ng::to_string(&s_yaml(&spec(Platform::Aliyun))).unwrap();
        let back: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(back["vars"]["region"], "eu-central-1");
        let web = &back["resources"]["web"];
        assert_eq!(web["component"], "fc3");
        assert_eq!(web["props"]["triggers"][0]["triggerType"], "http");
        assert_eq!(
            web["props"]["environmentVariables"]["DATABASE_URL"],
            "sqlite://db: \"x\""
        );
        let oss = &back["resources"]["photos"]["props"]["triggers"][0];
        assert_eq!(oss["triggerType"], "oss");
        // What the fc3 component's schema requires of an OSS trigger: events OSS has, and a
        // key filter.
        assert_eq!(oss["triggerConfig"]["filter"]["key"]["prefix"], "");
        let events = oss["triggerConfig"]["events"].as_array().unwrap();
        assert!(
            events.iter().all(|e| e
                .as_str()
                .is_some_and(|e| !e.starts_with("oss:ObjectRemoved:*"))),
            "{events:?}"
        );
    }

    #[test]
    fn mistakes_are_refused_before_anything_is_built() {
        let mut wrong = spec(Platform::Aws);
        wrong.triggers.push((Some("nope".into()), Source::Queue));
        assert!(wrong.check().unwrap_err().contains("`nope`"));
        let mut wrong = spec(Platform::Aws);
        wrong.env.push(("1BAD".into(), String::new()));
        assert!(wrong.check().unwrap_err().contains("1BAD"));
        let mut wrong = spec(Platform::Aliyun);
        wrong.triggers.push((Some("web".into()), Source::Schedule));
        assert!(wrong.check().unwrap_err().contains("HTTP trigger"));
        assert!(Source::from_name("url", Platform::Aliyun).is_err());
        assert_eq!(Source::from_name("oss", Platform::Aws), Ok(Source::Objects));
    }
}
