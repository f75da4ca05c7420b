//! Writes the seed corpora of the fuzz targets (run by fuzz/seed.sh; never committed):
//!
//! `seed <corpus dir> <test_data dir> [<PSA fixtures dir>]`
//!
//! - `validate_bytes`: every request in test_data/ under a few settings, and every distinct
//!   PSA reference fixture as a request at its folder's level and version, as a Pod or as
//!   the template of a workload kind (the kinds take turns);
//! - `validate_settings_bytes`: hand-written settings and every level and version the
//!   fixtures name;
//! - `validate_structured`: created empty (its inputs are not JSON).

use std::collections::{BTreeSet, HashSet};
use std::fs;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use pod_security_standards_fuzz::{request, wrap, KINDS};
use serde_json::{json, Value};

/// Writes `bytes` into `dir` under a name derived from the content; false if already there.
fn put(dir: &Path, bytes: &[u8]) -> bool {
    let mut h = DefaultHasher::new();
    bytes.hash(&mut h);
    let path = dir.join(format!("{:016x}", h.finish()));
    if path.exists() {
        return false;
    }
    fs::write(&path, bytes).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
    true
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    entries
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: seed <corpus dir> <test_data dir> [<PSA fixtures dir>]");
        std::process::exit(2);
    }
    let corpus = PathBuf::from(&args[1]);
    let test_data = PathBuf::from(&args[2]);
    let fixtures = args.get(3).filter(|s| !s.is_empty()).map(PathBuf::from);

    let bytes_dir = corpus.join("validate_bytes");
    let settings_dir = corpus.join("validate_settings_bytes");
    let structured_dir = corpus.join("validate_structured");
    for d in [&bytes_dir, &settings_dir, &structured_dir] {
        fs::create_dir_all(d).unwrap_or_else(|e| panic!("cannot create {}: {e}", d.display()));
    }

    let mut settings_seeds: BTreeSet<String> = [
        json!({}),
        json!({"level": "baseline"}),
        json!({"level": "restricted", "version": "v1.0"}),
        json!({"level": "restricted", "version": "v1.99"}),
        json!({"level": "baseline", "version": "v1.18", "requireReadOnlyRootFilesystem": false}),
        json!({"exemptions": {"namespaces": ["kube-system"], "usernames": ["system:admin"], "runtimeClasses": ["kata"]}}),
        json!({"level": "privileged"}),
        json!({"version": "1.25"}),
        json!({"mode": "audit"}),
        json!({"exemptions": {"namespaces": [""]}}),
    ]
    .iter()
    .map(Value::to_string)
    .collect();

    let mut written = 0;
    let request_settings = [
        json!({}),
        json!({"level": "baseline", "requireReadOnlyRootFilesystem": false}),
        json!({"level": "restricted", "version": "v1.18", "exemptions": {"namespaces": ["default"]}}),
    ];
    for path in sorted_entries(&test_data) {
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let text = fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        let Ok(admission) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        for settings in &request_settings {
            let req = json!({"request": admission, "settings": settings});
            written += put(&bytes_dir, req.to_string().as_bytes()) as usize;
        }
    }
    println!("seed: {written} requests from {}", test_data.display());

    if let Some(root) = fixtures {
        let mut seen = HashSet::new();
        let mut from_fixtures = 0;
        for level in ["baseline", "restricted"] {
            for version_dir in sorted_entries(&root.join(level)) {
                if !version_dir.is_dir() {
                    continue;
                }
                let version = version_dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned();
                let settings = json!({"level": level, "version": version, "requireReadOnlyRootFilesystem": false});
                settings_seeds.insert(settings.to_string());
                for expect in ["pass", "fail"] {
                    let dir = version_dir.join(expect);
                    if !dir.is_dir() {
                        continue;
                    }
                    for path in sorted_entries(&dir) {
                        if path.extension().is_none_or(|x| x != "yaml") {
                            continue;
                        }
                        let text = fs::read_to_string(&path)
                            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
                        // The same pod recurs at many versions: seed each pod once per level.
                        if !seen.insert((level, text.clone())) {
                            continue;
                        }
                        let pod: Value = serde_yaml::from_str(&text)
                            .unwrap_or_else(|e| panic!("cannot parse {}: {e}", path.display()));
                        let kind = KINDS[seen.len() % KINDS.len()].0;
                        let req = request(kind, &wrap(kind, &pod), &settings);
                        from_fixtures += put(&bytes_dir, req.to_string().as_bytes()) as usize;
                    }
                }
            }
        }
        println!(
            "seed: {from_fixtures} requests from the PSA fixtures in {}",
            root.display()
        );
    } else {
        println!("seed: PSA_FIXTURES is not set: seeding from test_data/ only");
    }

    let mut settings_written = 0;
    for s in &settings_seeds {
        settings_written += put(&settings_dir, s.as_bytes()) as usize;
    }
    println!("seed: {settings_written} settings");
}
