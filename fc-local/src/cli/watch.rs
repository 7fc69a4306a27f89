//! `--watch`: rebuild and restart the function when its sources change, keeping the gateway.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::gateway::Gateway;

/// Files whose change means a rebuild: Rust sources and manifests, outside `target/` and
/// hidden folders.
fn fingerprint(root: &Path) -> (usize, SystemTime) {
    let mut count = 0;
    let mut newest = SystemTime::UNIX_EPOCH;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" {
                continue;
            }
            let Ok(meta) = entry.metadata() else { continue };
            if meta.is_dir() {
                stack.push(path);
            } else if name.ends_with(".rs") || name == "Cargo.toml" || name == "Cargo.lock" {
                count += 1;
                if let Ok(modified) = meta.modified() {
                    newest = newest.max(modified);
                }
            }
        }
    }
    (count, newest)
}

/// Polls the sources under `root`; on a change runs `cargo build` (for `package`, if given)
/// and restarts the instances; a failed build leaves the running instances serving.
pub(crate) async fn watch(root: PathBuf, package: Option<String>, gateway: Arc<Gateway>) {
    let mut last = fingerprint(&root);
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let now = fingerprint(&root);
        if now == last {
            continue;
        }
        last = now;
        eprintln!("fc-local: sources changed; rebuilding");
        let mut cargo =
            tokio::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cargo.arg("build").current_dir(&root);
        if let Some(package) = &package {
            cargo.args(["-p", package]);
        }
        match cargo.status().await {
            Ok(status) if status.success() => {
                let backend = gateway.backend.read().await.clone();
                match backend.restart().await {
                    Ok(()) => eprintln!("fc-local: rebuilt; new instances serve from now on"),
                    Err(err) => {
                        eprintln!("fc-local: rebuilt, but the new instance did not start: {err}")
                    }
                }
            }
            Ok(status) => eprintln!(
                "fc-local: the build failed ({status}); the previous instance keeps serving"
            ),
            Err(err) => {
                eprintln!("fc-local: cannot run cargo: {err}; the previous instance keeps serving")
            }
        }
    }
}
