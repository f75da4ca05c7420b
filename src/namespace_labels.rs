//! Levels from namespace labels (`levelsFromNamespaceLabels: true`): the enforce, warn and
//! audit levels and versions of a request come from its namespace's
//! `pod-security.kubernetes.io/{enforce,warn,audit}[-version]` labels, the settings acting
//! as Pod Security Admission's AdmissionConfiguration defaults.
//!
//! The namespace is read through Kubewarden's `kubernetes/get_resource` host capability
//! (policy-server answers it from the cluster; the policy must be granted `v1/Namespace` in
//! its `contextAwareResources`). Parsing follows PSA's `api.PolicyToEvaluate`, and
//! `admission.go` for what a request then gets.

use std::collections::BTreeMap;

use kubewarden_policy_sdk::response::ValidationResponse;
use serde_json::value::RawValue;

use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::controls::{go_quote, Level};
use crate::json::{self, Reader};
use crate::modes::{self, LevelVersion, Policy, ERROR_ANNOTATION};
use crate::pod::read_error;
use crate::request::Evaluation;
use crate::response;
use crate::settings::{PolicyVersion, Settings};

const LABEL_PREFIX: &str = "pod-security.kubernetes.io/";
pub const ENFORCE_LEVEL_LABEL: &str = "pod-security.kubernetes.io/enforce";
pub const ENFORCE_VERSION_LABEL: &str = "pod-security.kubernetes.io/enforce-version";
pub const AUDIT_LEVEL_LABEL: &str = "pod-security.kubernetes.io/audit";
pub const AUDIT_VERSION_LABEL: &str = "pod-security.kubernetes.io/audit-version";
pub const WARN_LEVEL_LABEL: &str = "pod-security.kubernetes.io/warn";
pub const WARN_VERSION_LABEL: &str = "pod-security.kubernetes.io/warn-version";

/// A namespace's labels.
pub type Labels = BTreeMap<String, String>;

/// Where the policy reads the cluster: policy-server's host capabilities through waPC in
/// the module ([`WapcHost`]); a stand-in in native tests.
pub trait Cluster {
    /// The labels of namespace `name`, or why they cannot be had.
    fn namespace_labels(&self, name: &str) -> Result<Labels, String>;
    /// The v1 Pods of `namespace`: the host's `list_resources_by_namespace` answer (a List
    /// object as JSON text), or why it cannot be had.
    fn pods(&self, namespace: &str) -> Result<Vec<u8>, String>;
}

/// The host capabilities policy-server offers a policy, through waPC.
pub struct WapcHost;

/// A Namespace's name and labels, read from its JSON (`null` is an empty namespace).
pub fn read_namespace(json: &str) -> json::Result<(Option<String>, Labels)> {
    Reader::read_all(json, |r| {
        let (mut name, mut labels) = (None, Labels::new());
        if !r.null()? {
            read_metadata(r, "a Namespace", |r, key| match key {
                "name" => {
                    name = r.opt_str()?.map(|n| n.to_string());
                    Ok(())
                }
                "labels" => r.or_default(|r| {
                    r.object("labels", |r, key| {
                        let value = r.str()?;
                        labels.insert(key.to_string(), value.to_string());
                        Ok(())
                    })
                }),
                _ => r.skip(),
            })?;
        }
        Ok((name, labels))
    })
}

/// Reads an object (`what`) for its `metadata`, handing each of the metadata's keys to
/// `field`; the object's other keys are skipped, a `null` metadata is empty.
pub(crate) fn read_metadata<'a>(
    r: &mut Reader<'a>,
    what: &str,
    mut field: impl FnMut(&mut Reader<'a>, &str) -> json::Result<()>,
) -> json::Result<()> {
    r.object(what, |r, key| match &*key {
        "metadata" => r.or_default(|r| r.object("an object's metadata", |r, key| field(r, &key))),
        _ => r.skip(),
    })
}

impl Cluster for WapcHost {
    fn namespace_labels(&self, name: &str) -> Result<Labels, String> {
        use kubewarden_policy_sdk::host_capabilities::kubernetes::{
            get_resource, GetResourceRequest,
        };
        let request = GetResourceRequest {
            api_version: "v1".to_owned(),
            kind: "Namespace".to_owned(),
            name: name.to_owned(),
            namespace: None,
            // policy-server's 5-second cache, as for any context-aware policy.
            disable_cache: false,
            // Only the labels travel from the host.
            field_masks: Some(["metadata.labels".to_owned()].into()),
        };
        // The answer as JSON text, read by the policy's own reader (no serde derive).
        let namespace: Box<RawValue> = get_resource(&request).map_err(|e| e.to_string())?;
        read_namespace(namespace.get())
            .map(|(_, labels)| labels)
            .map_err(|e| {
                format!(
                    "cannot read the Namespace: {}",
                    read_error(namespace.get(), &e)
                )
            })
    }

    fn pods(&self, namespace: &str) -> Result<Vec<u8>, String> {
        // The capability the SDK's `list_resources_by_namespace` calls, with the SDK's
        // request (written here, see `list_pods_request`); the answer is read by the
        // policy's own reader into pod views rather than into k8s-openapi's Pod (every
        // field of every pod, only to be converted).
        let payload = list_pods_request(namespace);
        kubewarden_policy_sdk::wapc_guest::host_call(
            "kubewarden",
            "kubernetes",
            "list_resources_by_namespace",
            &payload,
        )
        .map_err(|e| e.to_string())
    }
}

/// The SDK's `ListResourcesByNamespaceRequest` for the v1 Pods of `namespace`, as
/// serde_json writes it (a unit test holds the two equal); only the pods' data the
/// policy reads travels (policy-server masks an object's data, never its metadata).
fn list_pods_request(namespace: &str) -> Vec<u8> {
    let mut out = br#"{"api_version":"v1","kind":"Pod","namespace":"#.to_vec();
    json::write_string(&mut out, namespace);
    out.extend_from_slice(
        br#","label_selector":null,"field_selector":null,"field_masks":["spec"]}"#,
    );
    out
}

/// PSA's `api.PolicyToEvaluate`: the namespace's labels over the defaults, and one field
/// error per label that cannot be parsed. A bad enforce level is `restricted` (fail
/// closed), a bad warn or audit level `privileged` (fail open), a bad version `latest`.
/// Without a warn label, warn follows an explicitly set enforce level that is stricter.
pub fn policy_to_evaluate(labels: &Labels, defaults: Policy) -> (Policy, Vec<String>) {
    let mut p = defaults;
    let mut errors = Vec::new();
    let level = |label: &str, fallback: Level, errors: &mut Vec<String>| {
        let value = labels.get(label)?;
        Some(match modes::parse_level(label, value) {
            Ok(level) => Ok(level),
            Err(_) => {
                errors.push(field_error(
                    label,
                    value,
                    "must be one of privileged, baseline, restricted",
                ));
                Err(fallback)
            }
        })
    };
    let version = |label: &str, errors: &mut Vec<String>| {
        let value = labels.get(label)?;
        Some(PolicyVersion::parse(value).unwrap_or_else(|| {
            errors.push(field_error(label, value, r#"must be "latest" or "v1.x""#));
            PolicyVersion::Latest
        }))
    };
    let mut enforce_level_set = false;
    if let Some(parsed) = level(ENFORCE_LEVEL_LABEL, Level::Restricted, &mut errors) {
        enforce_level_set = parsed.is_ok();
        p.enforce.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    if let Some(v) = version(ENFORCE_VERSION_LABEL, &mut errors) {
        p.enforce.version = v;
    }
    if let Some(parsed) = level(AUDIT_LEVEL_LABEL, Level::Privileged, &mut errors) {
        p.audit.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    if let Some(v) = version(AUDIT_VERSION_LABEL, &mut errors) {
        p.audit.version = v;
    }
    let warn_level_set = labels.contains_key(WARN_LEVEL_LABEL);
    if let Some(parsed) = level(WARN_LEVEL_LABEL, Level::Privileged, &mut errors) {
        p.warn.level = parsed.unwrap_or_else(|fallback| fallback);
    }
    let warn_version_set = labels.contains_key(WARN_VERSION_LABEL);
    if let Some(v) = version(WARN_VERSION_LABEL, &mut errors) {
        p.warn.version = v;
    }
    if !warn_level_set && enforce_level_set && p.enforce.level > p.warn.level {
        p.warn.level = p.enforce.level;
        if !warn_version_set {
            p.warn.version = p.enforce.version;
        }
    }
    (p, errors)
}

/// A field error as Kubernetes writes it: `metadata.labels[<label>]: Invalid value: "x": why`.
fn field_error(label: &str, value: &str, why: &str) -> String {
    format!(
        "metadata.labels[{label}]: Invalid value: {}: {why}",
        go_quote(&clip_text(value, MAX_VALUE_BYTES))
    )
}

/// Field errors joined as Kubernetes aggregates them: one alone, several in brackets,
/// each written once.
pub fn aggregate(errors: &[String]) -> String {
    let mut unique: Vec<&str> = Vec::with_capacity(errors.len());
    for e in errors {
        if !unique.contains(&e.as_str()) {
            unique.push(e);
        }
    }
    match unique.as_slice() {
        [one] => (*one).to_owned(),
        many => format!("[{}]", many.join(", ")),
    }
}

/// Whether any label is one of PSA's (for the namespaces PSA would warn about).
pub fn has_psa_labels(labels: &Labels) -> bool {
    labels.keys().any(|k| k.starts_with(LABEL_PREFIX))
}

/// The defaults the labels override: the settings' modes, an unset mode `privileged`.
pub fn defaults(settings: &Settings) -> Policy {
    Policy::from_settings(settings)
}

/// Answers an evaluated request with the levels of its namespace, as PSA's `ValidatePod`
/// does once exemptions are out of the way: a namespace that cannot be read refuses the
/// request (workloads too: this policy enforces them); labels that cannot be parsed leave
/// PSA's fallbacks in force and say so in the audit annotation `error`; a namespace where
/// every mode is `privileged` is accepted with `enforce-policy: privileged:latest`.
pub fn respond(
    settings: &Settings,
    cluster: &dyn Cluster,
    namespace: Option<&str>,
    e: &Evaluation,
    payload: &str,
) -> ValidationResponse {
    let Some(namespace) = namespace.filter(|ns| !ns.is_empty()) else {
        return failed("the request names no namespace".to_owned());
    };
    let labels = match cluster.namespace_labels(namespace) {
        Ok(labels) => labels,
        Err(why) => {
            return failed(format!(
                "failed to lookup namespace {}: {}",
                go_quote(&clip_text(namespace, MAX_VALUE_BYTES)),
                clip_text(&why, 2 * MAX_VALUE_BYTES)
            ))
        }
    };
    let (mut policy, errors) = policy_to_evaluate(&labels, defaults(settings));
    let error =
        (!errors.is_empty()).then(|| format!("Failed to parse policy: {}", aggregate(&errors)));
    if error.is_none() && policy.fully_privileged() {
        // PSA's answer for a fully privileged namespace names no version.
        policy.enforce = LevelVersion::PRIVILEGED;
    }
    modes::respond(settings, &policy, error, e, payload)
}

/// A refusal for levels that cannot be had: never an acceptance, and the reason in the
/// audit annotation `error` too.
fn failed(why: String) -> ValidationResponse {
    let message = format!("cannot read the PodSecurity levels of this request's namespace: {why}");
    let mut response = response::reject(message.clone());
    response.audit_annotations = Some([(ERROR_ANNOTATION.to_owned(), message)].into());
    response
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::modes::{AUDIT_VIOLATIONS_ANNOTATION, ENFORCE_POLICY_ANNOTATION};
    use crate::verdict::validate_with;
    use serde_json::{json, Value};
    use std::cell::RefCell;

    /// A cluster of named namespaces (each with its labels, or a lookup error) and their
    /// pods (a List's JSON), counting the lookups.
    #[derive(Default)]
    pub(crate) struct FakeCluster {
        pub namespaces: BTreeMap<String, Result<Labels, String>>,
        pub pods: BTreeMap<String, Result<String, String>>,
        pub lookups: RefCell<Vec<String>>,
    }

    impl Cluster for FakeCluster {
        fn namespace_labels(&self, name: &str) -> Result<Labels, String> {
            self.lookups.borrow_mut().push(format!("namespace {name}"));
            (self.namespaces.get(name).cloned())
                .unwrap_or_else(|| Err(format!("Cannot find v1/Namespace named '{name}'")))
        }
        fn pods(&self, namespace: &str) -> Result<Vec<u8>, String> {
            self.lookups.borrow_mut().push(format!("pods {namespace}"));
            (self.pods.get(namespace).cloned())
                .unwrap_or_else(|| Ok(r#"{"apiVersion":"v1","kind":"List","items":[]}"#.to_owned()))
                .map(String::into_bytes)
        }
    }

    pub(crate) fn cluster(namespace: &str, pairs: &[(&str, &str)]) -> FakeCluster {
        let mut c = FakeCluster::default();
        c.namespaces.insert(namespace.to_owned(), Ok(labels(pairs)));
        c
    }

    fn pod_request(namespace: &str, security_context: Value, settings: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "settings": settings,
            "request": {
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "operation": "CREATE", "namespace": namespace,
                "userInfo": {"username": "alice"},
                "object": {"kind": "Pod", "metadata": {"name": "p"},
                           "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": security_context}]}},
            }
        }))
        .unwrap()
    }

    fn from_labels() -> Value {
        json!({"levelsFromNamespaceLabels": true, "level": "privileged", "requireReadOnlyRootFilesystem": false})
    }

    #[test]
    fn requests_are_judged_at_their_namespace_levels() {
        let c = cluster(
            "team-a",
            &[
                ("enforce", "baseline"),
                ("warn", "restricted"),
                ("audit", "restricted"),
                ("audit-version", "v1.25"),
            ],
        );
        let r = validate_with(
            &pod_request("team-a", json!({"privileged": true}), from_labels()),
            &c,
        );
        assert!(!r.accepted);
        assert!(r
            .message
            .unwrap()
            .starts_with(r#"violates PodSecurity "baseline:latest": privileged"#));
        let a = r.audit_annotations.unwrap();
        assert_eq!(a[ENFORCE_POLICY_ANNOTATION], "baseline:latest");
        assert!(a[AUDIT_VIOLATIONS_ANNOTATION]
            .starts_with(r#"would violate PodSecurity "restricted:v1.25": privileged"#));
        assert_eq!(*c.lookups.borrow(), ["namespace team-a"]);
        // Let through by enforce: the warning at the warn label's level.
        let r = validate_with(&pod_request("team-a", json!({}), from_labels()), &c);
        assert!(r.accepted);
        assert!(r.warnings.unwrap()[0].starts_with(
            r#"would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false"#
        ));
    }

    #[test]
    fn the_settings_are_the_defaults_and_privileged_from_a_label_checks_nothing() {
        let settings = json!({"levelsFromNamespaceLabels": true, "level": "baseline", "version": "v1.30",
                              "requireReadOnlyRootFilesystem": false});
        let unlabelled = cluster("team-a", &[]);
        let r = validate_with(
            &pod_request("team-a", json!({"privileged": true}), settings.clone()),
            &unlabelled,
        );
        assert!(r
            .message
            .unwrap()
            .starts_with(r#"violates PodSecurity "baseline:v1.30""#));
        let relaxed = cluster("team-a", &[("enforce", "privileged")]);
        let r = validate_with(
            &pod_request("team-a", json!({"privileged": true}), settings),
            &relaxed,
        );
        assert!(r.accepted && r.warnings.is_none());
        // Every mode privileged: PSA's answer, naming no version.
        assert_eq!(
            r.audit_annotations.unwrap()[ENFORCE_POLICY_ANNOTATION],
            "privileged:latest"
        );
        let pinned = cluster(
            "team-a",
            &[
                ("enforce", "privileged"),
                ("enforce-version", "v1.20"),
                ("warn", "baseline"),
            ],
        );
        let r = validate_with(
            &pod_request("team-a", json!({"privileged": true}), from_labels()),
            &pinned,
        );
        assert!(r.accepted);
        assert_eq!(
            r.audit_annotations.unwrap()[ENFORCE_POLICY_ANNOTATION],
            "privileged:v1.20"
        );
        assert_eq!(r.warnings.unwrap().len(), 1);
    }

    #[test]
    fn bad_labels_are_said_in_the_error_annotation() {
        let c = cluster("team-a", &[("enforce", "strict"), ("warn", "nope")]);
        let r = validate_with(
            &pod_request(
                "team-a",
                json!({"readOnlyRootFilesystem": true}),
                from_labels(),
            ),
            &c,
        );
        // Enforce fails closed: restricted.
        assert!(!r.accepted);
        assert!(r
            .message
            .unwrap()
            .starts_with(r#"violates PodSecurity "restricted:latest""#));
        let a = r.audit_annotations.unwrap();
        assert_eq!(
            a[ERROR_ANNOTATION],
            r#"Failed to parse policy: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "nope": must be one of privileged, baseline, restricted]"#
        );
        assert_eq!(a[ENFORCE_POLICY_ANNOTATION], "restricted:latest");
    }

    #[test]
    fn a_failed_lookup_is_a_refusal_that_says_why() {
        let c = FakeCluster::default();
        let r = validate_with(&pod_request("ghost", json!({}), from_labels()), &c);
        assert!(!r.accepted);
        let message = r.message.unwrap();
        assert_eq!(
            message,
            r#"cannot read the PodSecurity levels of this request's namespace: failed to lookup namespace "ghost": Cannot find v1/Namespace named 'ghost'"#
        );
        assert_eq!(r.audit_annotations.unwrap()[ERROR_ANNOTATION], message);
        let r = validate_with(&pod_request("", json!({}), from_labels()), &c);
        assert!(
            !r.accepted
                && r.message
                    .unwrap()
                    .ends_with("the request names no namespace")
        );
        // The real host, natively, answers nothing: refused all the same.
        let r = crate::verdict::validate(&pod_request("team-a", json!({}), from_labels()));
        assert!(!r.accepted, "{r:?}");
    }

    #[test]
    fn exemptions_come_before_the_lookup() {
        let c = FakeCluster::default();
        let mut settings = from_labels();
        settings["exemptions"] = json!({"namespaces": ["kube-system"], "usernames": ["alice"]});
        let r = validate_with(&pod_request("kube-system", json!({}), settings.clone()), &c);
        assert!(r.accepted);
        let r = validate_with(&pod_request("team-a", json!({}), settings), &c);
        assert!(r.accepted);
        assert!(c.lookups.borrow().is_empty());
    }

    pub(crate) fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs
            .iter()
            .map(|(k, v)| (format!("{LABEL_PREFIX}{k}"), (*v).to_owned()))
            .collect()
    }

    fn lv(level: Level, version: PolicyVersion) -> LevelVersion {
        LevelVersion { level, version }
    }

    const PRIVILEGED: Policy = Policy {
        enforce: LevelVersion::PRIVILEGED,
        audit: LevelVersion::PRIVILEGED,
        warn: LevelVersion::PRIVILEGED,
    };

    #[test]
    fn the_pods_request_is_the_sdks() {
        use kubewarden_policy_sdk::host_capabilities::kubernetes::ListResourcesByNamespaceRequest;
        let sdk = ListResourcesByNamespaceRequest {
            api_version: "v1".to_owned(),
            kind: "Pod".to_owned(),
            namespace: "team \"a\"".to_owned(),
            label_selector: None,
            field_selector: None,
            field_masks: Some(["spec".to_owned()].into()),
        };
        assert_eq!(
            String::from_utf8(list_pods_request("team \"a\"")).unwrap(),
            serde_json::to_string(&sdk).unwrap()
        );
    }

    #[test]
    fn namespaces_are_read_strictly() {
        let (name, labels) = read_namespace(
            r#"{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"a","labels":{"x":"1","y":"2"},"annotations":{"z":"3"}},"spec":{}}"#,
        )
        .unwrap();
        assert_eq!(name.as_deref(), Some("a"));
        assert_eq!(labels.len(), 2);
        assert_eq!(read_namespace("null").unwrap(), (None, Labels::new()));
        assert_eq!(
            read_namespace(r#"{"metadata":{"labels":null}}"#).unwrap(),
            (None, Labels::new())
        );
        assert!(read_namespace(r#"{"metadata":{"labels":{"x":1}}}"#).is_err());
        assert!(read_namespace(r#"{"metadata":[]}"#).is_err());
    }

    #[test]
    fn labels_override_the_defaults() {
        let (p, errors) = policy_to_evaluate(
            &labels(&[
                ("enforce", "baseline"),
                ("enforce-version", "v1.30"),
                ("audit", "restricted"),
            ]),
            PRIVILEGED,
        );
        assert!(errors.is_empty());
        assert_eq!(p.enforce, lv(Level::Baseline, PolicyVersion::V1(30)));
        assert_eq!(p.audit, lv(Level::Restricted, PolicyVersion::Latest));
        // Warn follows the stricter enforce level, and its version.
        assert_eq!(p.warn, lv(Level::Baseline, PolicyVersion::V1(30)));
        // Not when warn is labelled, nor when enforce is not.
        let (p, _) = policy_to_evaluate(
            &labels(&[("enforce", "baseline"), ("warn", "privileged")]),
            PRIVILEGED,
        );
        assert_eq!(p.warn.level, Level::Privileged);
        let (p, _) = policy_to_evaluate(&labels(&[("enforce-version", "v1.2")]), PRIVILEGED);
        assert_eq!(p.warn, LevelVersion::PRIVILEGED);
        // A warn version alone stays.
        let (p, _) = policy_to_evaluate(
            &labels(&[("enforce", "restricted"), ("warn-version", "v1.25")]),
            PRIVILEGED,
        );
        assert_eq!(p.warn, lv(Level::Restricted, PolicyVersion::V1(25)));
        // Other labels change nothing.
        let mut other = Labels::new();
        other.insert("kubernetes.io/metadata.name".into(), "x".into());
        assert_eq!(policy_to_evaluate(&other, PRIVILEGED), (PRIVILEGED, vec![]));
        assert!(!has_psa_labels(&other));
    }

    #[test]
    fn bad_labels_fail_closed_for_enforce_and_open_for_warn_and_audit() {
        let defaults = Policy {
            audit: lv(Level::Baseline, PolicyVersion::V1(3)),
            ..PRIVILEGED
        };
        let (p, errors) = policy_to_evaluate(
            &labels(&[
                ("enforce", "strict"),
                ("audit", "Baseline"),
                ("warn-version", "1.25"),
            ]),
            defaults,
        );
        assert_eq!(p.enforce, lv(Level::Restricted, PolicyVersion::Latest));
        assert_eq!(p.audit, lv(Level::Privileged, PolicyVersion::V1(3)));
        // A bad enforce level does not make warn follow it.
        assert_eq!(p.warn, lv(Level::Privileged, PolicyVersion::Latest));
        assert_eq!(
            errors,
            [
                r#"metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/audit]: Invalid value: "Baseline": must be one of privileged, baseline, restricted"#,
                r#"metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.25": must be "latest" or "v1.x""#,
            ]
        );
        assert_eq!(aggregate(&errors[..1]), errors[0]);
        assert_eq!(
            aggregate(&[errors[0].clone(), errors[0].clone(), errors[2].clone()]),
            format!("[{}, {}]", errors[0], errors[2])
        );
        // An empty value is a bad value.
        let (p, errors) = policy_to_evaluate(&labels(&[("enforce-version", "")]), PRIVILEGED);
        assert_eq!(p.enforce.version, PolicyVersion::Latest);
        assert!(errors[0].ends_with(r#"Invalid value: "": must be "latest" or "v1.x""#));
    }
}
