//! Shared by the integration tests: the PSA reference fixtures, and requests built around
//! a pod for every kind that carries one.
#![allow(dead_code)]

pub mod host;
pub mod memory;
mod requests;

#[allow(unused_imports)] // each test uses its own part
pub use requests::{request, wrap, KINDS};

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

/// One reference fixture: a Pod, the level and version to judge it at, the expected verdict.
pub struct Fixture {
    pub path: PathBuf,
    pub level: String,
    pub version: String,
    pub expect_pass: bool,
    pub pod: Value,
}

/// The fixtures under `$PSA_FIXTURES`. `None` (and a loud note) when the variable is unset;
/// a panic when it is set but holds no fixtures, so a broken CI path cannot pass silently.
pub fn load_fixtures() -> Option<Vec<Fixture>> {
    let Some(root) = std::env::var_os("PSA_FIXTURES") else {
        eprintln!("\n*** PSA_FIXTURES is not set: SKIPPING the PSA conformance fixtures ***\n*** set it to ../shared/psa-fixtures (as .ci/run does) to run them ***\n");
        return None;
    };
    let root = PathBuf::from(root);
    let mut fixtures = Vec::new();
    for level in ["baseline", "restricted"] {
        for version_dir in read_dirs(&root.join(level)) {
            let version = file_name(&version_dir);
            for expect in ["pass", "fail"] {
                let dir = version_dir.join(expect);
                if !dir.exists() {
                    continue;
                }
                let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                    .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
                    .map(|e| e.expect("dir entry").path())
                    .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
                    .collect();
                files.sort();
                for path in files {
                    let text = std::fs::read_to_string(&path)
                        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                    let pod: Value = serde_yaml::from_str(&text)
                        .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
                    fixtures.push(Fixture {
                        path,
                        level: level.to_owned(),
                        version: version.clone(),
                        expect_pass: expect == "pass",
                        pod,
                    });
                }
            }
        }
    }
    assert!(
        !fixtures.is_empty(),
        "PSA_FIXTURES={} holds no fixtures (<level>/<version>/<pass|fail>/*.yaml)",
        root.display()
    );
    Some(fixtures)
}

fn read_dirs(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        panic!("PSA_FIXTURES has no folder {}", dir.display());
    };
    let mut dirs: Vec<PathBuf> = entries
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn file_name(p: &Path) -> String {
    p.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_owned()
}

pub fn fixture_settings(f: &Fixture) -> Value {
    json!({"level": f.level, "version": f.version, "requireReadOnlyRootFilesystem": false})
}
