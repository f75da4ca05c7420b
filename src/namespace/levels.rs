//! A pod's request judged at the levels of its namespace (`levelsFromNamespaceLabels:
//! true`), as PSA's `ValidatePod` does once exemptions are out of the way.

use kubewarden_policy_sdk::response::ValidationResponse;

use super::policy::{aggregate, defaults, policy_to_evaluate};
use super::Cluster;
use crate::answer::Answer;
use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::controls::go_quote;
use crate::modes::{self, LevelVersion, ERROR_ANNOTATION};
use crate::request::Evaluation;
use crate::response;
use crate::settings::Settings;

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
) -> Answer {
    let Some(namespace) = namespace.filter(|ns| !ns.is_empty()) else {
        return failed("the request names no namespace".to_owned()).into();
    };
    let labels = match cluster.namespace_labels(namespace) {
        Ok(labels) => labels,
        Err(why) => {
            return failed(format!(
                "failed to lookup namespace {}: {}",
                go_quote(&clip_text(namespace, MAX_VALUE_BYTES)),
                clip_text(&why, 2 * MAX_VALUE_BYTES)
            ))
            .into()
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
mod tests {
    use super::*;
    use crate::modes::{AUDIT_VIOLATIONS_ANNOTATION, ENFORCE_POLICY_ANNOTATION};
    use crate::namespace::tests::{cluster, FakeCluster};
    use crate::verdict::validate_with;
    use serde_json::{json, Value};

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
}
