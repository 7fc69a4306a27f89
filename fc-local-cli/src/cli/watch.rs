//! `--watch`: rebuild and restart the function when its sources change, keeping the gateway.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify::{RecursiveMode, Watcher};

use super::gateway::Gateway;

/// How long the sources must stay unchanged before a rebuild: an editor's save, a `git
/// checkout`, are many events.
const QUIET: Duration = Duration::from_millis(200);

/// Whether a change to `path` means a rebuild: Rust sources and manifests, outside `target/`
/// and hidden folders.
fn is_source(root: &Path, path: &Path) -> bool {
    let Ok(inside) = path.strip_prefix(root) else {
        return false;
    };
    let hidden = inside.components().any(|part| {
        let part = part.as_os_str().to_string_lossy();
        part.starts_with('.') || part == "target"
    });
    let name = inside
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    !hidden && (name.ends_with(".rs") || name == "Cargo.toml" || name == "Cargo.lock")
}

/// Starts watching `root`: the folder itself and, recursively, every folder in it but
/// `target/` and hidden ones (which hold thousands of folders a watch would spend the
/// system's watches on). Each change to a source is a message on the returned channel.
fn start(
    root: &Path,
) -> notify::Result<(
    notify::RecommendedWatcher,
    tokio::sync::mpsc::UnboundedReceiver<()>,
)> {
    let (changed, changes) = tokio::sync::mpsc::unbounded_channel();
    let inside = root.to_path_buf();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        if event.kind.is_access() {
            return;
        }
        if event.paths.iter().any(|path| is_source(&inside, path)) {
            let _ = changed.send(());
        }
    })?;
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for entry in std::fs::read_dir(root)?.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type().is_ok_and(|t| t.is_dir()) && !name.starts_with('.') && name != "target"
        {
            watcher.watch(&entry.path(), RecursiveMode::Recursive)?;
        }
    }
    Ok((watcher, changes))
}

/// Watches the sources under `root`; on a change runs `cargo build` (for `package`, if given)
/// and restarts the instances; a failed build leaves the running instances serving.
pub(crate) async fn watch(root: PathBuf, package: Option<String>, gateway: Arc<Gateway>) {
    let (_watcher, mut changes) = match start(&root) {
        Ok(watching) => watching,
        Err(err) => {
            eprintln!(
                "fc-local: cannot watch {} for changes: {err}; --watch is off",
                root.display()
            );
            return;
        }
    };
    while changes.recv().await.is_some() {
        // Until the sources are quiet.
        loop {
            match tokio::time::timeout(QUIET, changes.recv()).await {
                Ok(Some(())) => continue,
                Ok(None) => return,
                Err(_) => break,
            }
        }
        eprintln!("fc-local: sources changed; rebuilding");
        rebuild(&root, package.as_deref(), &gateway).await;
    }
}

async fn rebuild(root: &Path, package: Option<&str>, gateway: &Gateway) {
    let mut cargo =
        tokio::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cargo.arg("build").current_dir(root);
    if let Some(package) = package {
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
        Ok(status) => {
            eprintln!("fc-local: the build failed ({status}); the previous instance keeps serving")
        }
        Err(err) => {
            eprintln!("fc-local: cannot run cargo: {err}; the previous instance keeps serving")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sources_outside_target_and_hidden_folders_count() {
        let root = Path::new("/work/app");
        for (path, counts) in [
            ("/work/app/src/main.rs", true),
            ("/work/app/Cargo.toml", true),
            ("/work/app/Cargo.lock", true),
            ("/work/app/crates/a/src/lib.rs", true),
            ("/work/app/target/debug/build/x/out.rs", false),
            ("/work/app/.git/index", false),
            ("/work/app/src/.main.rs.swp", false),
            ("/work/app/README.md", false),
            ("/elsewhere/src/main.rs", false),
        ] {
            assert_eq!(is_source(root, Path::new(path)), counts, "{path}");
        }
    }
}
