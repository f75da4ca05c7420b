//! What users meet first stays true: the example manifests are valid for this policy, every
//! file that names the policy's version names the same one, the README's control table is
//! the code's, and every documented make target resolves.

use std::path::{Path, PathBuf};
use std::process::Command;

use pod_security_standards::controls::{self, Level};
use pod_security_standards::verdict::validate_settings;
use serde_yaml::Value as Yaml;

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn yaml(name: &str) -> Yaml {
    serde_yaml::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn examples() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn example_manifests_are_valid_policies_with_valid_settings() {
    let files = examples();
    assert!(
        files.len() >= 4,
        "expected the four documented examples, found {files:?}"
    );
    let metadata_rules = yaml("metadata.yml")["rules"].clone();
    for path in files {
        let name = path.display().to_string();
        let manifest: Yaml = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(
            manifest["apiVersion"].as_str(),
            Some("policies.kubewarden.io/v1"),
            "{name}"
        );
        assert_eq!(
            manifest["kind"].as_str(),
            Some("ClusterAdmissionPolicy"),
            "{name}"
        );
        let spec = &manifest["spec"];
        assert!(
            matches!(spec["mode"].as_str(), Some("protect") | Some("monitor")),
            "{name}: mode"
        );
        // With levels from namespace labels, Namespace requests are judged too: one more
        // rule, and the resources of metadata.yml's contextAwareResources granted.
        let mut rules = metadata_rules.clone();
        if spec["settings"]["levelsFromNamespaceLabels"].as_bool() == Some(true) {
            let namespaces = r#"{apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces"], operations: ["CREATE", "UPDATE"]}"#;
            if let Some(list) = rules.as_sequence_mut() {
                list.push(serde_yaml::from_str(namespaces).unwrap());
            }
            assert_eq!(
                spec["contextAwareResources"],
                yaml("metadata.yml")["contextAwareResources"],
                "{name}: contextAwareResources differ from metadata.yml"
            );
        }
        assert_eq!(
            spec["rules"], rules,
            "{name}: rules differ from metadata.yml"
        );
        let module = spec["module"].as_str().unwrap_or_default();
        assert!(
            module.ends_with(&format!("/pod-security-standards:v{VERSION}")),
            "{name}: module {module} is not v{VERSION}"
        );
        // The settings pass the policy's own validate_settings.
        let settings = serde_json::to_vec(&spec["settings"]).unwrap();
        let answer = validate_settings(&settings);
        assert!(answer.valid, "{name}: {:?}", answer.message);
        // A policy that mutates must be deployed as mutating.
        let mutate = spec["settings"]["mutate"].as_bool().unwrap_or(false);
        assert_eq!(
            spec["mutating"].as_bool(),
            Some(mutate),
            "{name}: mutating vs settings.mutate"
        );
    }
}

#[test]
fn one_version_everywhere() {
    let metadata = yaml("metadata.yml");
    assert_eq!(
        metadata["annotations"]["io.kubewarden.policy.version"].as_str(),
        Some(VERSION),
        "metadata.yml io.kubewarden.policy.version"
    );
    let package = yaml("artifacthub-pkg.yml");
    assert_eq!(
        package["version"].as_str(),
        Some(VERSION),
        "artifacthub-pkg.yml version"
    );
    let tag = format!(":v{VERSION}");
    for image in package["containersImages"]
        .as_sequence()
        .expect("containersImages")
    {
        let image = image["image"].as_str().unwrap_or_default();
        assert!(image.ends_with(&tag), "artifacthub-pkg.yml image {image}");
    }
    for link in package["links"].as_sequence().expect("links") {
        let url = link["url"].as_str().unwrap_or_default();
        if url.contains("/releases/") {
            assert!(
                url.contains(&format!("/v{VERSION}/")),
                "artifacthub-pkg.yml link {url}"
            );
        }
    }
    let install = package["install"].as_str().unwrap_or_default();
    assert!(install.contains(&tag), "artifacthub-pkg.yml install text");
    // Every registry reference in the docs names this version.
    for doc in ["README.md", "artifacthub-pkg.yml"] {
        for (i, line) in read(doc).lines().enumerate() {
            if let Some(at) = line.find("pod-security-standards:v") {
                let rest = &line[at + "pod-security-standards:".len()..];
                let version: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-')
                    .collect();
                assert_eq!(version, format!("v{VERSION}"), "{doc}:{}: {line}", i + 1);
            }
        }
    }
    assert!(
        read("CHANGELOG.md").contains(&format!("## [{VERSION}]")),
        "CHANGELOG.md has no entry for {VERSION}"
    );
}

#[test]
fn readme_control_table_is_the_codes() {
    let readme = read("README.md");
    let section = readme
        .split("\n## Controls\n")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("README has a Controls section");
    let rows: Vec<Vec<String>> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    let documented: Vec<String> = rows
        .iter()
        .map(|r| {
            r[0].trim_start_matches('`')
                .split('`')
                .next()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    let code: Vec<&str> = controls::all_named().map(|c| c.id).collect();
    assert_eq!(
        documented, code,
        "README control names and order must be the code's"
    );
    for (row, control) in rows.iter().zip(controls::all_named()) {
        if control.id == controls::READ_ONLY_ROOT_FILESYSTEM.id {
            continue;
        }
        let level = match control.level {
            Level::Baseline => "baseline",
            Level::Restricted => "restricted",
            Level::Privileged => "privileged",
        };
        assert_eq!(row[1], level, "{}: level", control.id);
        let since = format!("v1.{}+", control.revisions[0].since);
        assert!(
            row[2].starts_with(&since),
            "{}: versions {:?} should start {since}",
            control.id,
            row[2]
        );
        for revision in &control.revisions[1..] {
            assert!(
                row[2].contains(&format!("v1.{}", revision.since)),
                "{}: versions {:?} should mention v1.{}",
                control.id,
                row[2],
                revision.since
            );
        }
    }
}

#[test]
fn documented_make_targets_resolve() {
    let readme = read("README.md");
    let targets = [
        "policy.wasm",
        "annotated-policy.wasm",
        "push",
        "scaffold",
        "run-sample",
        "test",
        "e2e-tests",
        "bench",
        "bench-icount",
        "fmt",
        "lint",
        "clean",
    ];
    for target in targets {
        assert!(
            readme.contains(&format!("make {target}")),
            "README does not document `make {target}`"
        );
        let out = Command::new("make")
            .args(["-n", target])
            .current_dir(root())
            .output()
            .expect("make is installed");
        assert!(
            out.status.success(),
            "make -n {target}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let push = Command::new("make")
        .args(["-n", "push", "REGISTRY=registry.example.com/team"])
        .current_dir(root())
        .output()
        .unwrap();
    let printed = String::from_utf8_lossy(&push.stdout);
    assert!(
        printed.contains(&format!(
            "kwctl push annotated-policy.wasm registry.example.com/team/pod-security-standards:v{VERSION}"
        )),
        "{printed}"
    );
    assert!(
        printed.contains("kwctl is not installed"),
        "push must say when kwctl is missing"
    );
}

#[test]
fn rancher_questions_cover_every_setting_with_its_default() {
    let questions = yaml("questions-ui.yml");
    let questions = questions["questions"].as_sequence().expect("questions");
    let find = |variable: &str| {
        questions
            .iter()
            .find(|q| q["variable"].as_str() == Some(variable))
            .unwrap_or_else(|| panic!("questions-ui.yml has no question for {variable}"))
    };
    // The defaults the UI offers are the policy's own.
    let defaults = pod_security_standards::settings::Settings::default();
    assert_eq!(
        find("level")["default"].as_str(),
        Some(defaults.level.as_str())
    );
    assert_eq!(find("version")["default"].as_str(), Some("latest"));
    assert_eq!(
        find("requireReadOnlyRootFilesystem")["default"].as_bool(),
        Some(defaults.require_read_only_root_filesystem)
    );
    assert_eq!(find("mutate")["default"].as_bool(), Some(defaults.mutate));
    for v in [
        "exemptions.namespaces",
        "exemptions.usernames",
        "exemptions.runtimeClasses",
    ] {
        assert_eq!(find(v)["type"].as_str(), Some("array["), "{v}");
    }
    let exclusion_fields: Vec<&str> = find("exclusions")["sequence_questions"]
        .as_sequence()
        .expect("exclusions sequence_questions")
        .iter()
        .filter_map(|q| q["variable"].as_str())
        .collect();
    assert_eq!(
        exclusion_fields,
        [
            "control",
            "images",
            "containers",
            "values",
            "acknowledgeControlDisabled"
        ]
    );
    // Every top-level setting the policy accepts has a question.
    let answers = serde_json::json!({
        "level": "restricted", "version": "latest", "requireReadOnlyRootFilesystem": true,
        "mutate": false, "exemptions": {"namespaces": [], "usernames": [], "runtimeClasses": []},
        "exclusions": []
    });
    assert!(validate_settings(answers.to_string().as_bytes()).valid);
    // Artifact Hub carries the same questions.
    let package = yaml("artifacthub-pkg.yml");
    let embedded = package["annotations"]["kubewarden/questions-ui"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        embedded.trim(),
        read("questions-ui.yml").trim(),
        "artifacthub-pkg.yml questions-ui"
    );
}
