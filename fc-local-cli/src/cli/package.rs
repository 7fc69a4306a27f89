//! `fc-local package`: the release binary as `bootstrap` in a zip, with the template that
//! deploys it (SAM for AWS, Serverless Devs `s.yaml` for FC).

use std::path::{Path, PathBuf};
use std::process::Command;

use fc_core::Platform;

/// What to package.
#[derive(Debug)]
pub(crate) struct Package {
    pub(crate) platform: Platform,
    pub(crate) package: String,
    pub(crate) bin: Option<String>,
    pub(crate) binary: Option<PathBuf>,
    pub(crate) target: Option<String>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) memory_mb: u32,
    pub(crate) timeout_secs: u64,
    pub(crate) http: bool,
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

fn build(spec: &Package, bin: &str) -> Result<PathBuf, String> {
    let mut command = cargo();
    command.args(["build", "--release", "-p", &spec.package, "--bin", bin]);
    if let Some(target) = &spec.target {
        command.args(["--target", target]);
    }
    eprintln!(
        "fc-local: building {bin} (release{})",
        spec.target
            .as_deref()
            .map(|t| format!(", {t}"))
            .unwrap_or_default()
    );
    let status = command
        .status()
        .map_err(|err| format!("cannot run cargo: {err}"))?;
    if !status.success() {
        return Err(format!("the build failed ({status})"));
    }
    let mut path = target_dir()?;
    if let Some(target) = &spec.target {
        path.push(target);
    }
    path.push("release");
    path.push(bin);
    Ok(path)
}

fn sam_template(name: &str, zip: &str, spec: &Package) -> String {
    let arch = if spec
        .target
        .as_deref()
        .is_some_and(|t| t.starts_with("aarch64"))
    {
        "arm64"
    } else {
        "x86_64"
    };
    let events = if spec.http {
        "      Events:\n        Http:\n          Type: HttpApi\n"
    } else {
        "      # Events: add the triggers (S3, DynamoDB, Schedule...) here.\n"
    };
    let logical: String = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!(
        "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nDescription: {name}, packaged by fc-local\nResources:\n  {logical}:\n    Type: AWS::Serverless::Function\n    Properties:\n      CodeUri: {zip}\n      Handler: bootstrap\n      Runtime: provided.al2023\n      Architectures: [{arch}]\n      MemorySize: {}\n      Timeout: {}\n{events}",
        spec.memory_mb, spec.timeout_secs
    )
}

fn s_yaml(name: &str, zip: &str, spec: &Package) -> String {
    let triggers = if spec.http {
        "      triggers:\n        - triggerName: http\n          triggerType: http\n          qualifier: LATEST\n          triggerConfig:\n            authType: anonymous\n            methods: [GET, POST, PUT, DELETE, HEAD, PATCH]\n"
    } else {
        "      # triggers: add the triggers (oss, tablestore, timer...) here.\n"
    };
    format!(
        "edition: 3.0.0\nname: {name}\naccess: default\nresources:\n  {name}:\n    component: fc3\n    props:\n      region: cn-hangzhou\n      functionName: {name}\n      runtime: custom.debian10\n      code: ./{zip}\n      handler: index.handler\n      memorySize: {}\n      timeout: {}\n      instanceConcurrency: 20\n      customRuntimeConfig:\n        command: [/code/bootstrap]\n        port: 9000\n{triggers}",
        spec.memory_mb, spec.timeout_secs
    )
}

/// Builds (unless a binary is given) and writes the artifact; returns the folder it is in.
pub(crate) fn package(spec: &Package) -> Result<PathBuf, String> {
    let bin = spec.bin.clone().unwrap_or_else(|| spec.package.clone());
    let binary = match &spec.binary {
        Some(path) => path.clone(),
        None => build(spec, &bin)?,
    };
    let bytes =
        std::fs::read(&binary).map_err(|err| format!("cannot read {}: {err}", binary.display()))?;
    let dir = match &spec.out {
        Some(out) => out.clone(),
        None => target_dir()?
            .join("fc-local")
            .join(spec.platform.as_str())
            .join(&bin),
    };
    std::fs::create_dir_all(&dir)
        .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
    let zip_name = format!("{bin}.zip");
    let archive = archive(&bytes).map_err(|err| format!("cannot write the archive: {err}"))?;
    write_file(&dir.join(&zip_name), &archive)?;
    let (template_name, template) = match spec.platform {
        Platform::Aws => ("template.yaml", sam_template(&bin, &zip_name, spec)),
        _ => ("s.yaml", s_yaml(&bin, &zip_name, spec)),
    };
    write_file(&dir.join(template_name), template.as_bytes())?;
    Ok(dir)
}

/// The function's package: `bootstrap`, executable, deflated. Its time is the ZIP epoch
/// (1980-01-01), so the same binary makes the same archive.
fn archive(binary: &[u8]) -> zip::result::ZipResult<Vec<u8>> {
    use std::io::Write;

    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .unix_permissions(0o755)
        .last_modified_time(zip::DateTime::default())
        .large_file(u32::try_from(binary.len()).is_err());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    zip.start_file("bootstrap", options)?;
    zip.write_all(binary)?;
    Ok(zip.finish()?.into_inner())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<(), String> {
    std::fs::write(path, bytes).map_err(|err| format!("cannot write {}: {err}", path.display()))
}
