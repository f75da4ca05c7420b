//! What users, Kubewarden and the release read stays true: the example manifests (and those
//! of the README) are valid for this policy and can be audited, every policy that covers
//! pods has its ephemeral containers' policy beside it, every file that names the policy's
//! version names the same one, `artifacthub-pkg.yml` is what `kwctl scaffold artifacthub`
//! writes, the README's control table is the code's, and every documented make target and
//! link resolves.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use pod_security_standards::controls::{self, Level};
use pod_security_standards::verdict::validate_settings;
use serde::{Deserialize, Serialize};
use serde_yaml::Value as Yaml;

const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The policy's repository, as `io.kubewarden.policy.source` names it.
const REPOSITORY: &str = "https://github.com/kubewarden-psa/pod-security-standards";

/// The kinds of Kubewarden policy resources.
const POLICY_KINDS: [&str; 4] = [
    "ClusterAdmissionPolicy",
    "AdmissionPolicy",
    "ClusterAdmissionPolicyGroup",
    "AdmissionPolicyGroup",
];

/// The rules of the policy that judges what the audited one cannot name: the pod
/// subresources that add or change containers, on UPDATE only (the audit-scanner skips a
/// policy without a CREATE rule before it maps any resource).
const EPHEMERAL_RULES: &str = r#"
- apiGroups: [""]
  apiVersions: ["v1"]
  resources: ["pods/ephemeralcontainers", "pods/resize"]
  operations: ["UPDATE"]
"#;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(name: &str) -> String {
    std::fs::read_to_string(root().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn yaml(name: &str) -> Yaml {
    serde_yaml::from_str(&read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Every YAML document of `text` (`---` separated), empty ones left out.
fn documents(name: &str, text: &str) -> Vec<Yaml> {
    serde_yaml::Deserializer::from_str(text)
        .map(|document| Yaml::deserialize(document).unwrap_or_else(|e| panic!("{name}: {e}")))
        .filter(|document| !document.is_null())
        .collect()
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

/// The policies users are told to apply together: one set per file of `examples/`.
fn example_sets() -> Vec<(String, Vec<Yaml>)> {
    examples()
        .into_iter()
        .map(|path| {
            let name = path
                .strip_prefix(root())
                .unwrap_or(&path)
                .display()
                .to_string();
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            let docs = documents(&name, &text);
            (name, docs)
        })
        .collect()
}

/// One set per YAML block of the README that holds a Kubewarden policy.
fn readme_sets() -> Vec<(String, Vec<Yaml>)> {
    let readme = read("README.md");
    let mut sets = Vec::new();
    let mut block: Option<(usize, String)> = None;
    for (i, line) in readme.lines().enumerate() {
        match &mut block {
            None if line.trim_start() == "```yaml" => block = Some((i + 1, String::new())),
            None => {}
            Some((start, text)) if line.trim_start().starts_with("```") => {
                let name = format!("README.md block at line {start}");
                let docs = documents(&name, text);
                if docs.iter().any(is_policy) {
                    sets.push((name, docs));
                }
                block = None;
            }
            Some((_, text)) => {
                text.push_str(line);
                text.push('\n');
            }
        }
    }
    sets
}

fn is_policy(doc: &Yaml) -> bool {
    doc["kind"]
        .as_str()
        .is_some_and(|kind| POLICY_KINDS.contains(&kind))
}

fn is_group(doc: &Yaml) -> bool {
    doc["kind"]
        .as_str()
        .is_some_and(|kind| kind.ends_with("Group"))
}

/// Whether the audit-scanner audits it: `backgroundAudit` defaults to true in the CRDs.
fn audited(doc: &Yaml) -> bool {
    doc["spec"]["backgroundAudit"].as_bool().unwrap_or(true)
}

fn strings(value: &Yaml) -> Vec<&str> {
    value
        .as_sequence()
        .map(|s| s.iter().filter_map(Yaml::as_str).collect())
        .unwrap_or_default()
}

/// Every resource a rule list names.
fn resources(rules: &Yaml) -> Vec<&str> {
    rules
        .as_sequence()
        .into_iter()
        .flatten()
        .flat_map(|rule| strings(&rule["resources"]))
        .collect()
}

/// Whether one of the rules covers Pods (core group, resource `pods`).
fn covers_pods(doc: &Yaml) -> bool {
    doc["spec"]["rules"]
        .as_sequence()
        .into_iter()
        .flatten()
        .any(|rule| {
            strings(&rule["apiGroups"]).contains(&"")
                && strings(&rule["resources"]).contains(&"pods")
        })
}

fn ephemeral_rules() -> Yaml {
    serde_yaml::from_str(EPHEMERAL_RULES).expect("EPHEMERAL_RULES")
}

/// A plain policy, not audited, whose rules are exactly the ephemeral containers' ones.
fn is_ephemeral_policy(doc: &Yaml) -> bool {
    !is_group(doc) && !audited(doc) && doc["spec"]["rules"] == ephemeral_rules()
}

/// (where, module, settings) of every use of this policy's module in a policy or group.
fn our_modules(doc: &Yaml) -> Vec<(String, &str, &Yaml)> {
    let spec = &doc["spec"];
    if is_group(doc) {
        spec["policies"]
            .as_mapping()
            .into_iter()
            .flatten()
            .filter(|(_, member)| {
                member["module"]
                    .as_str()
                    .is_some_and(|m| m.contains("/pod-security-standards:"))
            })
            .map(|(name, member)| {
                (
                    format!("spec.policies.{}", name.as_str().unwrap_or("?")),
                    member["module"].as_str().unwrap_or_default(),
                    &member["settings"],
                )
            })
            .collect()
    } else {
        vec![(
            "spec".to_owned(),
            spec["module"].as_str().unwrap_or_default(),
            &spec["settings"],
        )]
    }
}

fn policy_name(doc: &Yaml) -> &str {
    doc["metadata"]["name"].as_str().unwrap_or("?")
}

/// Settings without `mutate`: the ephemeral containers' policy of a mutating policy is its
/// validating twin (a pod update is judged, never mutated).
fn settings_but_mutate(settings: &Yaml) -> Yaml {
    let mut settings = settings.clone();
    if let Some(map) = settings.as_mapping_mut() {
        map.remove("mutate");
    }
    settings
}

#[test]
fn example_manifests_are_valid_policies_with_valid_settings() {
    let examples = example_sets();
    assert!(
        examples.len() >= 4,
        "expected the four documented examples, found {:?}",
        examples.iter().map(|(name, _)| name).collect::<Vec<_>>()
    );
    let readme = readme_sets();
    assert!(!readme.is_empty(), "the README shows no policy manifest");
    let metadata_rules = yaml("metadata.yml")["rules"].clone();
    for (set, docs) in examples.iter().chain(&readme) {
        for doc in docs {
            let name = format!("{set}: {}", policy_name(doc));
            assert_eq!(
                doc["apiVersion"].as_str(),
                Some("policies.kubewarden.io/v1"),
                "{name}"
            );
            assert!(is_policy(doc), "{name}: kind {:?}", doc["kind"]);
            let spec = &doc["spec"];
            assert!(
                matches!(spec["mode"].as_str(), Some("protect") | Some("monitor")),
                "{name}: mode"
            );
            // With levels from namespace labels, Namespace requests are judged too: one more
            // rule, and the resources of metadata.yml's contextAwareResources granted.
            let mut metadata_rules = metadata_rules.clone();
            if spec["settings"]["levelsFromNamespaceLabels"].as_bool() == Some(true) {
                let namespaces = r#"{apiGroups: [""], apiVersions: ["v1"], resources: ["namespaces"], operations: ["CREATE", "UPDATE"]}"#;
                if let Some(list) = metadata_rules.as_sequence_mut() {
                    list.push(serde_yaml::from_str(namespaces).unwrap());
                }
                assert_eq!(
                    spec["contextAwareResources"],
                    yaml("metadata.yml")["contextAwareResources"],
                    "{name}: contextAwareResources differ from metadata.yml"
                );
            }
            if is_group(doc) {
                assert_eq!(
                    spec["rules"], metadata_rules,
                    "{name}: rules differ from metadata.yml"
                );
            } else {
                assert!(
                    spec["rules"] == metadata_rules || is_ephemeral_policy(doc),
                    "{name}: rules are neither metadata.yml's nor, in a policy that is not \
                     audited, the ephemeral containers' ones"
                );
            }
            let ours = our_modules(doc);
            assert!(!ours.is_empty(), "{name}: does not use this policy");
            for (at, module, settings) in ours {
                assert!(
                    module.ends_with(&format!("/pod-security-standards:v{VERSION}")),
                    "{name}: {at}.module {module} is not v{VERSION}"
                );
                // The settings pass the policy's own validate_settings.
                let answer = validate_settings(&serde_json::to_vec(settings).unwrap());
                assert!(answer.valid, "{name}: {at}.settings: {:?}", answer.message);
                // A policy that mutates must be deployed as mutating; groups never mutate.
                let mutate = settings["mutate"].as_bool().unwrap_or(false);
                if is_group(doc) {
                    assert!(!mutate, "{name}: {at}: a group member cannot mutate");
                } else {
                    assert_eq!(
                        spec["mutating"].as_bool(),
                        Some(mutate),
                        "{name}: mutating vs settings.mutate"
                    );
                }
            }
        }
    }
}

/// The audit-scanner maps every resource of an audited policy's rules through the
/// cluster's discovery REST mapper, which knows no subresources: one `pods/...` marks the
/// whole policy as errored (internal/audit-scanner/policies/client.go, groupPoliciesByGVR).
#[test]
fn no_audited_rule_names_a_subresource() {
    let metadata = yaml("metadata.yml");
    assert_ne!(
        metadata["backgroundAudit"].as_bool(),
        Some(false),
        "metadata.yml: the policy supports background audit"
    );
    for resource in resources(&metadata["rules"]) {
        assert!(
            !resource.contains('/'),
            "metadata.yml names the subresource {resource}: the audit-scanner would mark \
             every policy scaffolded from it as errored"
        );
    }
    for (set, docs) in example_sets().iter().chain(&readme_sets()) {
        for doc in docs.iter().filter(|doc| audited(doc)) {
            for resource in resources(&doc["spec"]["rules"]) {
                assert!(
                    !resource.contains('/'),
                    "{set}: {} is audited (backgroundAudit is not false) and names the \
                     subresource {resource}",
                    policy_name(doc)
                );
            }
        }
    }
}

/// Without the subresources in its rules, an audited policy never sees a container added by
/// `kubectl debug`: every policy that covers pods has, in the same file (or README block),
/// the README's recommended companion: not audited, the ephemeral containers' rules, the
/// same module, mode and namespaces, and the same settings (but `mutate`).
#[test]
fn every_policy_for_pods_has_its_ephemeral_containers_policy() {
    let readme = readme_sets();
    assert!(
        readme
            .iter()
            .any(|(_, docs)| docs.iter().any(is_ephemeral_policy)),
        "the README does not show the ephemeral containers' policy"
    );
    for (set, docs) in example_sets().iter().chain(&readme) {
        for doc in docs.iter().filter(|doc| covers_pods(doc)) {
            let name = format!("{set}: {}", policy_name(doc));
            let ours = our_modules(doc);
            let companion = docs.iter().find(|other| {
                is_ephemeral_policy(other)
                    && other["spec"]["mode"] == doc["spec"]["mode"]
                    && other["spec"]["namespaceSelector"] == doc["spec"]["namespaceSelector"]
                    && ours
                        .iter()
                        .any(|(_, module, _)| other["spec"]["module"].as_str() == Some(*module))
                    && (is_group(doc)
                        || settings_but_mutate(&other["spec"]["settings"])
                            == settings_but_mutate(&doc["spec"]["settings"]))
            });
            assert!(
                companion.is_some(),
                "{name} covers pods but has no ephemeral containers' policy beside it (not \
                 audited, rules {EPHEMERAL_RULES:?}, same module, mode, namespaceSelector and \
                 settings)"
            );
        }
    }
}

#[test]
fn examples_carry_severity_and_category() {
    let metadata = yaml("metadata.yml");
    let annotations = &metadata["annotations"];
    let severity = annotations["io.kubewarden.policy.severity"].as_str();
    let category = annotations["io.kubewarden.policy.category"].as_str();
    // The values the audit-scanner's reports know (internal/audit-scanner/report/constants.go).
    assert!(
        matches!(
            severity,
            Some("critical" | "high" | "medium" | "low" | "info")
        ),
        "metadata.yml severity {severity:?}"
    );
    assert!(
        category.is_some_and(|c| !c.is_empty()),
        "metadata.yml category"
    );
    for (set, docs) in example_sets().iter().chain(&readme_sets()) {
        for doc in docs {
            let name = format!("{set}: {}", policy_name(doc));
            // The audit-scanner reads them from the policy resource's own annotations.
            let annotations = &doc["metadata"]["annotations"];
            assert_eq!(
                annotations["io.kubewarden.policy.severity"].as_str(),
                severity,
                "{name}: io.kubewarden.policy.severity"
            );
            assert_eq!(
                annotations["io.kubewarden.policy.category"].as_str(),
                category,
                "{name}: io.kubewarden.policy.category"
            );
        }
    }
}

/// Every example leaves out the same system namespaces: those of Kubewarden's recommended
/// policies (the kubewarden-defaults chart's `global.skipNamespaces`).
#[test]
fn examples_skip_the_system_namespaces() {
    let mut lists = BTreeMap::new();
    for (set, docs) in example_sets() {
        for doc in &docs {
            let name = format!("{set}: {}", policy_name(doc));
            let expressions = doc["spec"]["namespaceSelector"]["matchExpressions"]
                .as_sequence()
                .unwrap_or_else(|| panic!("{name}: no namespaceSelector.matchExpressions"));
            let skipped: BTreeSet<String> = expressions
                .iter()
                .filter(|e| {
                    e["key"].as_str() == Some("kubernetes.io/metadata.name")
                        && e["operator"].as_str() == Some("NotIn")
                })
                .flat_map(|e| strings(&e["values"]))
                .map(str::to_owned)
                .collect();
            for system in [
                "kube-system",
                "kube-public",
                "kube-node-lease",
                "cattle-system",
            ] {
                assert!(skipped.contains(system), "{name} does not skip {system}");
            }
            lists.insert(name, skipped);
        }
    }
    let first = lists.values().next().expect("examples").clone();
    for (name, skipped) in &lists {
        assert_eq!(
            skipped, &first,
            "{name}: the examples skip different namespaces"
        );
    }
}

#[test]
fn metadata_reads_as_kubewarden_reads_it() {
    let metadata = yaml("metadata.yml");
    // The default settings never mutate: deployed as validating.
    assert_eq!(metadata["mutating"].as_bool(), Some(false), "mutating");
    assert_eq!(
        metadata["executionMode"].as_str(),
        Some("kubewarden-wapc"),
        "executionMode"
    );
    let annotations = &metadata["annotations"];
    let author = annotations["io.kubewarden.policy.author"]
        .as_str()
        .expect("io.kubewarden.policy.author");
    assert!(!maintainers(author).is_empty());
    // Artifact Hub's resources name the kind of every resource the rules cover.
    let kinds: BTreeSet<&str> = annotations["io.artifacthub.resources"]
        .as_str()
        .expect("io.artifacthub.resources")
        .split(',')
        .map(str::trim)
        .collect();
    let kind_of = |resource: &str| match resource {
        "pods" => "Pod",
        "podtemplates" => "PodTemplate",
        "replicationcontrollers" => "ReplicationController",
        "deployments" => "Deployment",
        "replicasets" => "ReplicaSet",
        "statefulsets" => "StatefulSet",
        "daemonsets" => "DaemonSet",
        "jobs" => "Job",
        "cronjobs" => "CronJob",
        other => panic!("metadata.yml: unexpected resource {other}"),
    };
    let covered: BTreeSet<&str> = resources(&metadata["rules"])
        .into_iter()
        .map(kind_of)
        .collect();
    assert_eq!(covered, kinds, "io.artifacthub.resources vs the rules");
}

/// `io.kubewarden.policy.author` as kwctl reads it: `To: <author>` through mail-parser's
/// address list, each address checked by email_address (policy_artifacthub.rs,
/// parse_maintainers). mail-parser accepts more of RFC 5322 than this; the annotation keeps
/// to `Name <email>[, Name <email>]`, whose reading is plain: the name as written, the
/// address between the angle brackets. Empty entries between commas are skipped, as there.
fn maintainers(author: &str) -> Vec<(String, String)> {
    let plain_name = |name: &str| {
        !name.is_empty()
            && !name.contains("  ")
            && name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
    };
    let plain_email = |email: &str| {
        let Some((local, domain)) = email.split_once('@') else {
            return false;
        };
        !local.is_empty()
            && local
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c))
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            })
    };
    author
        .split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let (name, rest) = entry
                .split_once('<')
                .unwrap_or_else(|| panic!("author {entry:?} is not `Name <email>`"));
            let email = rest
                .strip_suffix('>')
                .unwrap_or_else(|| panic!("author {entry:?} is not `Name <email>`"));
            let name = name.trim();
            assert!(
                plain_name(name) && plain_email(email),
                "author {entry:?} is not a plain `Name <email>`"
            );
            (name.to_owned(), email.to_owned())
        })
        .collect()
}

// What `kwctl scaffold artifacthub` writes, recomputed from metadata.yml and questions-ui.yml.
// It follows the Kubewarden controller monorepo's crates/kwctl/src/scaffold/artifacthub.rs
// (the header, then the package) and crates/policy-evaluator/src/policy_artifacthub.rs
// (ArtifactHubPkg::from_metadata: the fields, their order, the annotations). kwctl
// serializes with yaml_serde 0.10, a fork of serde_yaml 0.9 with the same emitter, so the
// same structure written here comes out byte for byte as kwctl writes it. Only createdAt
// (kwctl's clock) cannot be recomputed: it is read back and checked for its form.

/// kwctl's header, its trailing space included; `--output` writes it, "\n", the package.
const KWCTL_HEADER: &str = "# Kubewarden Artifacthub Package config
#
# Use this config to submit the policy to https://artifacthub.io.
#
# This config can be saved to its default location with:
#   kwctl scaffold artifacthub > artifacthub-pkg.yml ";

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactHubPkg {
    version: String,
    name: String,
    display_name: String,
    created_at: String,
    description: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    license: Option<String>,
    #[serde(rename = "homeURL", skip_serializing_if = "Option::is_none")]
    home_url: Option<String>,
    containers_images: Vec<NameAndImage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    links: Option<Vec<NameAndUrl>>,
    install: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    maintainers: Option<Vec<NameAndEmail>>,
    provider: Name,
    recommendations: Vec<Url>,
    annotations: BTreeMap<String, String>,
}

#[derive(Serialize)]
struct NameAndImage {
    name: &'static str,
    image: String,
}

#[derive(Serialize)]
struct NameAndUrl {
    name: &'static str,
    url: String,
}

#[derive(Serialize)]
struct NameAndEmail {
    name: String,
    email: String,
}

#[derive(Serialize)]
struct Name {
    name: &'static str,
}

#[derive(Serialize)]
struct Url {
    url: &'static str,
}

/// The part of kwctl's Metadata (policy_metadata.rs) the package is made of.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metadata {
    rules: Vec<Rule>,
    annotations: BTreeMap<String, String>,
    mutating: bool,
    #[serde(default)]
    context_aware_resources: BTreeSet<ContextAwareResource>,
}

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct Rule {
    api_groups: Vec<String>,
    api_versions: Vec<String>,
    resources: Vec<String>,
    operations: Vec<String>,
}

#[derive(Deserialize, Serialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "camelCase")]
struct ContextAwareResource {
    api_version: String,
    kind: String,
}

/// A URL that `url::Url` reads and writes back unchanged: https, a lowercase host, a path
/// of plain segments, nothing else.
fn assert_plain_url(what: &str, url: &str) {
    let rest = url
        .strip_prefix("https://")
        .unwrap_or_else(|| panic!("{what} {url}: not https"));
    let (host, path) = rest.split_once('/').unwrap_or((rest, ""));
    assert!(
        !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-".contains(c)),
        "{what} {url}: host"
    );
    assert!(
        !path.is_empty()
            && path.split('/').all(|s| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
            }),
        "{what} {url}: path"
    );
}

/// `url::form_urlencoded::byte_serialize`, for a release tag in a download URL.
fn form_urlencoded(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                (b as char).to_string()
            }
            b' ' => "+".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `createdAt` as `time`'s RFC 3339 formatter writes a UTC instant: seconds, then a
/// fraction only when there is one (at most nine digits, no trailing zero), then `Z`.
fn assert_kwctl_timestamp(created_at: &str) {
    let bytes = created_at.as_bytes();
    let digits = |range: std::ops::Range<usize>| bytes[range].iter().all(u8::is_ascii_digit);
    let form = bytes.len() >= 20
        && digits(0..4)
        && bytes[4] == b'-'
        && digits(5..7)
        && bytes[7] == b'-'
        && digits(8..10)
        && bytes[10] == b'T'
        && digits(11..13)
        && bytes[13] == b':'
        && digits(14..16)
        && bytes[16] == b':'
        && digits(17..19)
        && created_at.ends_with('Z');
    let fraction = &created_at[19..created_at.len() - 1];
    let fraction_ok = fraction.is_empty()
        || (fraction.len() >= 2
            && fraction.len() <= 10
            && fraction.starts_with('.')
            && fraction[1..].bytes().all(|b| b.is_ascii_digit())
            && !fraction.ends_with('0'));
    assert!(
        form && fraction_ok,
        "artifacthub-pkg.yml createdAt {created_at:?} is not what kwctl writes"
    );
}

fn kwctl_scaffold_artifacthub(metadata_text: &str, questions: &str, created_at: &str) -> String {
    let metadata: Metadata = serde_yaml::from_str(metadata_text).expect("metadata.yml");
    let annotation = |key: &str| metadata.annotations.get(key).cloned();
    let required = |key: &str| annotation(key).unwrap_or_else(|| panic!("metadata.yml: no {key}"));
    assert!(!questions.is_empty(), "questions-ui.yml is empty");

    let version = required("io.kubewarden.policy.version");
    assert!(
        version.split('.').count() == 3
            && version.split('.').all(|n| !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
                && (n == "0" || !n.starts_with('0'))),
        "io.kubewarden.policy.version {version} is not a plain semver x.y.z"
    );
    // kwctl parses `<ociUrl>:v<version>` as an OCI reference and writes it back: unchanged
    // when the registry is explicit and the repository lowercase, without tag or digest.
    let oci_url = required("io.kubewarden.policy.ociUrl");
    let registry = oci_url.split('/').next().unwrap_or_default();
    assert!(
        registry.contains('.')
            && oci_url.split('/').count() >= 2
            && !oci_url.contains('@')
            && !oci_url[registry.len()..].contains(':')
            && oci_url == oci_url.to_lowercase(),
        "io.kubewarden.policy.ociUrl {oci_url}: an explicit registry and a lowercase \
         repository, without tag"
    );
    let image = format!("{oci_url}:v{version}");

    let home_url = annotation("io.kubewarden.policy.url");
    if let Some(url) = &home_url {
        assert_plain_url("io.kubewarden.policy.url", url);
    }
    let keywords = annotation("io.artifacthub.keywords").map(|csv| {
        let keywords: Vec<String> = csv
            .split(',')
            .map(|k| k.trim_start_matches(' ').trim_end_matches(' ').to_owned())
            .collect();
        assert!(
            keywords.iter().all(|k| !k.is_empty()),
            "io.artifacthub.keywords has an empty keyword"
        );
        keywords
    });
    let links = annotation("io.kubewarden.policy.source").map(|source| {
        assert_plain_url("io.kubewarden.policy.source", &source);
        let mut links = Vec::new();
        if source.starts_with("https://github.com/") {
            let release = match annotation("com.github.release.tag") {
                Some(tag) => form_urlencoded(&tag),
                None => format!("v{version}"),
            };
            links.push(NameAndUrl {
                name: "policy",
                url: format!("{source}/releases/download/{release}/policy.wasm"),
            });
        }
        links.push(NameAndUrl {
            name: "source",
            url: source,
        });
        links
    });
    let install = format!(
        r#"The policy can be obtained using [kwctl](https://docs.kubewarden.io/howtos/install-kwctl):
```console
kwctl pull {image}
```
Then, generate the policy manifest and tune it to your liking. For example:
```console
kwctl scaffold manifest -t ClusterAdmissionPolicy registry://{image}
```
"#
    );
    let maintainers = annotation("io.kubewarden.policy.author").map(|author| {
        maintainers(&author)
            .into_iter()
            .map(|(name, email)| NameAndEmail { name, email })
            .collect()
    });

    let mut annotations = BTreeMap::new();
    annotations.insert(
        "kubewarden/mutation".to_owned(),
        metadata.mutating.to_string(),
    );
    if !metadata.context_aware_resources.is_empty() {
        annotations.insert(
            "kubewarden/contextAwareResources".to_owned(),
            serde_yaml::to_string(&metadata.context_aware_resources).unwrap(),
        );
    }
    for rule in &metadata.rules {
        for operation in &rule.operations {
            assert!(
                ["CREATE", "UPDATE", "DELETE", "CONNECT", "*"].contains(&operation.as_str()),
                "metadata.yml: operation {operation}"
            );
        }
    }
    annotations.insert(
        "kubewarden/rules".to_owned(),
        serde_yaml::to_string(&metadata.rules).unwrap(),
    );
    annotations.insert("kubewarden/questions-ui".to_owned(), questions.to_owned());
    // kwctl "parses" the value into a String: it is copied as written.
    if let Some(hidden) = annotation("io.kubewarden.hidden-ui") {
        annotations.insert("kubewarden/hidden-ui".to_owned(), hidden);
    }
    if let Some(resources) = annotation("io.artifacthub.resources") {
        annotations.insert("kubewarden/resources".to_owned(), resources);
    }

    let package = ArtifactHubPkg {
        version,
        name: required("io.kubewarden.policy.title"),
        display_name: required("io.artifacthub.displayName"),
        created_at: created_at.to_owned(),
        description: required("io.kubewarden.policy.description"),
        license: annotation("io.kubewarden.policy.license"),
        home_url,
        containers_images: vec![NameAndImage {
            name: "policy",
            image,
        }],
        keywords,
        links,
        install,
        maintainers,
        provider: Name { name: "kubewarden" },
        recommendations: vec![Url {
            url: "https://artifacthub.io/packages/helm/kubewarden/kubewarden-controller",
        }],
        annotations,
    };
    format!(
        "{KWCTL_HEADER}\n{}",
        serde_yaml::to_string(&package).unwrap()
    )
}

#[test]
fn artifacthub_pkg_is_what_kwctl_scaffold_artifacthub_writes() {
    let actual_text = read("artifacthub-pkg.yml");
    let actual: Yaml = serde_yaml::from_str(&actual_text).expect("artifacthub-pkg.yml");
    let created_at = actual["createdAt"]
        .as_str()
        .expect("artifacthub-pkg.yml createdAt");
    assert_kwctl_timestamp(created_at);
    let expected_text =
        kwctl_scaffold_artifacthub(&read("metadata.yml"), &read("questions-ui.yml"), created_at);
    // Without kwctl at hand: UPDATE_ARTIFACTHUB_PKG=1 writes what kwctl would (createdAt kept).
    if std::env::var_os("UPDATE_ARTIFACTHUB_PKG").is_some() {
        std::fs::write(root().join("artifacthub-pkg.yml"), &expected_text)
            .expect("artifacthub-pkg.yml");
        return;
    }
    let expected: Yaml = serde_yaml::from_str(&expected_text).unwrap();

    let regenerate = "regenerate it: kwctl scaffold artifacthub --metadata-path metadata.yml \
                      --questions-path questions-ui.yml --output artifacthub-pkg.yml (or \
                      UPDATE_ARTIFACTHUB_PKG=1 cargo test --test publishing artifacthub)";
    let keys = |y: &Yaml| -> Vec<String> {
        y.as_mapping()
            .map(|m| {
                m.keys()
                    .filter_map(|k| k.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    };
    assert_eq!(
        keys(&actual),
        keys(&expected),
        "artifacthub-pkg.yml fields, in kwctl's order; {regenerate}"
    );
    for key in keys(&expected) {
        if key == "annotations" {
            assert_eq!(
                keys(&actual[key.as_str()]),
                keys(&expected[key.as_str()]),
                "artifacthub-pkg.yml annotations; {regenerate}"
            );
            for annotation in keys(&expected[key.as_str()]) {
                assert_eq!(
                    actual[key.as_str()][annotation.as_str()],
                    expected[key.as_str()][annotation.as_str()],
                    "artifacthub-pkg.yml annotations.{annotation}; {regenerate}"
                );
            }
        } else {
            assert_eq!(
                actual[key.as_str()],
                expected[key.as_str()],
                "artifacthub-pkg.yml {key}; {regenerate}"
            );
        }
    }
    // Field by field the same: then byte for byte, as kwctl writes it.
    assert_eq!(
        actual_text, expected_text,
        "artifacthub-pkg.yml is not written as kwctl writes it; {regenerate}"
    );
}

#[test]
fn artifacthub_repo_owners_are_the_authors() {
    let repo = yaml("artifacthub-repo.yml");
    let owners: Vec<(String, String)> = repo["owners"]
        .as_sequence()
        .expect("artifacthub-repo.yml owners")
        .iter()
        .map(|o| {
            (
                o["name"].as_str().unwrap_or_default().to_owned(),
                o["email"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let metadata = yaml("metadata.yml");
    let author = metadata["annotations"]["io.kubewarden.policy.author"]
        .as_str()
        .expect("io.kubewarden.policy.author");
    assert_eq!(owners, maintainers(author), "artifacthub-repo.yml owners");
    if let Some(id) = repo.get("repositoryID") {
        let id = id.as_str().unwrap_or_default();
        let groups: Vec<usize> = id.split('-').map(str::len).collect();
        assert!(
            groups == [8, 4, 4, 4, 12] && id.chars().all(|c| c.is_ascii_hexdigit() || c == '-'),
            "artifacthub-repo.yml repositoryID {id:?} is not the UUID Artifact Hub gives"
        );
    }
}

/// The release pushes where the metadata says the policy is, and CI runs the suite.
#[test]
fn workflows_publish_where_the_metadata_says() {
    let metadata = yaml("metadata.yml");
    let annotations = &metadata["annotations"];
    let oci_url = annotations["io.kubewarden.policy.ociUrl"].as_str().unwrap();
    let source = annotations["io.kubewarden.policy.source"].as_str().unwrap();
    assert_eq!(source, REPOSITORY, "io.kubewarden.policy.source");
    let owner = REPOSITORY
        .trim_start_matches("https://github.com/")
        .split('/')
        .next()
        .unwrap();
    let release = yaml(".github/workflows/release.yml");
    let target = release["jobs"]["release"]["with"]["oci-target"]
        .as_str()
        .expect("release.yml: jobs.release.with.oci-target");
    assert_eq!(
        target.replace("${{ github.repository_owner }}", owner),
        oci_url,
        "release.yml oci-target vs io.kubewarden.policy.ociUrl"
    );
    assert!(
        release["jobs"]["release"]["uses"]
            .as_str()
            .is_some_and(|u| u.starts_with(
                "kubewarden/github-actions/.github/workflows/reusable-release-policy-rust.yml@"
            )),
        "release.yml: Kubewarden's reusable release workflow"
    );
    let ci = read(".github/workflows/ci.yml");
    assert!(
        ci.contains("run: .ci/run"),
        "ci.yml runs .ci/run (make test)"
    );
    assert!(
        read(".ci/run").lines().any(|l| l.trim() == "make test"),
        ".ci/run runs make test"
    );
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
    for doc in ["README.md", "docs/development.md", "artifacthub-pkg.yml"] {
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
    let code: Vec<&str> = controls::all_named().map(|c| c.id.as_str()).collect();
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
    let development = read("docs/development.md");
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
        "format",
        "lint",
        "clean",
    ];
    for target in targets {
        assert!(
            development.contains(&format!("make {target}")),
            "docs/development.md does not document `make {target}`"
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

/// Markdown link targets: `](target)`.
fn link_targets(text: &str) -> Vec<&str> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split(')').next())
        .collect()
}

/// The README is also shown by Artifact Hub, where a relative link leads nowhere: it links
/// into the repository by absolute URL, and every such link, like every relative link of
/// docs/, names a file or folder that exists.
#[test]
fn links_into_the_repository_resolve() {
    let readme = read("README.md");
    for target in link_targets(&readme) {
        if target.starts_with('#') {
            continue;
        }
        assert!(
            target.starts_with("https://") || target.starts_with("http://"),
            "README.md links to {target}: relative links break on Artifact Hub"
        );
        for kind in ["/blob/main/", "/tree/main/"] {
            if let Some(path) = target.strip_prefix(&format!("{REPOSITORY}{kind}")) {
                let path = path.split('#').next().unwrap_or_default();
                assert!(
                    root().join(path).exists(),
                    "README.md links to {target}: {path} does not exist"
                );
            }
        }
    }
    for doc in ["docs/development.md", "docs/performance.md"] {
        for target in link_targets(&read(doc)) {
            if target.starts_with('#') || target.contains("://") {
                continue;
            }
            let path = target.split('#').next().unwrap_or_default();
            assert!(
                root().join("docs").join(path).exists(),
                "{doc} links to {target}, which does not exist"
            );
        }
    }
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
    // Artifact Hub carries the same questions, as written (kwctl embeds the file).
    let package = yaml("artifacthub-pkg.yml");
    let embedded = package["annotations"]["kubewarden/questions-ui"]
        .as_str()
        .unwrap_or_default();
    assert_eq!(
        embedded,
        read("questions-ui.yml"),
        "artifacthub-pkg.yml questions-ui"
    );
}
