//! PSA's reference fixtures (upstream `test/testdata` of kubernetes/pod-security-admission,
//! laid out `<level>/<version>/<pass|fail>/<name>.yaml`), found where the project keeps them.

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

/// Where the fixtures are: `$PSA_FIXTURES`; else beside the checkout (`../shared/psa-fixtures`,
/// as in CI); else where `make fixtures` puts them (`target/psa-fixtures`).
pub fn fixtures_root() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("PSA_FIXTURES").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).parent()?;
    [
        checkout.join("../shared/psa-fixtures"),
        checkout.join("target/psa-fixtures"),
    ]
    .into_iter()
    .find(|dir| dir.join("baseline").is_dir())
}

/// The fixtures, or `None` only when skipping was asked for (`PSA_FIXTURES=skip`). Without
/// fixtures a conformance test fails, saying how to get them: it never passes having judged
/// nothing.
pub fn load_fixtures() -> Option<Vec<Fixture>> {
    if std::env::var_os("PSA_FIXTURES").is_some_and(|v| v == "skip") {
        println!("PSA_FIXTURES=skip: the PSA conformance fixtures are SKIPPED, as asked");
        return None;
    }
    let Some(root) = fixtures_root() else {
        panic!(
            "no PSA reference fixtures: set PSA_FIXTURES to a copy of kubernetes/pod-security-admission's \
             test/testdata, or run `make fixtures` (fetches it at the pinned commit into \
             target/psa-fixtures), or set PSA_FIXTURES=skip to skip conformance knowingly"
        );
    };
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

/// What judging the fixtures came to: how many fixtures and answers, and one line per
/// answer that was not as expected.
pub struct Run {
    pub fixtures: usize,
    pub judged: usize,
    pub failures: Vec<String>,
}

impl Run {
    /// Fails, listing every mismatch, unless there are none.
    pub fn assert_as_expected(&self) {
        assert!(
            self.failures.is_empty(),
            "{} mismatches:\n{}",
            self.failures.len(),
            self.failures.join("\n")
        );
    }
}

/// The loop of every conformance test: each fixture judged as each of `kinds` by `judge`,
/// which pushes one line per mismatch and says how many answers it judged. `None` only when
/// skipping was asked for (see [`load_fixtures`]).
pub fn judge_fixtures(
    kinds: &[&str],
    mut judge: impl FnMut(&Fixture, &str, &mut Vec<String>) -> usize,
) -> Option<Run> {
    let fixtures = load_fixtures()?;
    let mut run = Run {
        fixtures: fixtures.len(),
        judged: 0,
        failures: Vec::new(),
    };
    for f in &fixtures {
        for kind in kinds {
            run.judged += judge(f, kind, &mut run.failures);
        }
    }
    Some(run)
}

/// The names of [`crate::KINDS`]: a Pod and every workload kind.
pub fn kind_names() -> Vec<&'static str> {
    crate::KINDS.iter().map(|(kind, ..)| *kind).collect()
}

pub fn fixture_settings(f: &Fixture) -> Value {
    json!({"level": f.level, "version": f.version, "requireReadOnlyRootFilesystem": false})
}
