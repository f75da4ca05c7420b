//! Namespace requests, as Pod Security Admission judges them (`admission.go`,
//! `ValidateNamespace`), with `levelsFromNamespaceLabels: true`: a Namespace whose
//! `pod-security.kubernetes.io/*` labels cannot be parsed is refused (on UPDATE only when
//! they changed), and an UPDATE that tightens the enforce level warns of the pods already in
//! the namespace that the new level would refuse (see `existing_pods.rs`).

use kubewarden_policy_sdk::response::ValidationResponse;

use super::existing_pods::existing_pods_warnings;
use super::labels;
use super::labels::{
    Labels, AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL, ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL,
    WARN_LEVEL_LABEL, WARN_VERSION_LABEL,
};
use super::policy::{self, aggregate, policy_to_evaluate};
use super::Cluster;
use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::controls::go_quote;
use crate::modes::{LevelVersion, Policy};
use crate::pod::read_error;
use crate::refusal::{BadRequest, Refusal};
use crate::request::{AdmissionRequest, ObjectField};
use crate::response;
use crate::settings::Settings;

/// The answer to a Namespace request, or `None` when the request is not about a Namespace.
pub fn respond(
    settings: &Settings,
    cluster: &dyn Cluster,
    request: &AdmissionRequest,
) -> Option<ValidationResponse> {
    if !is_namespace(request) {
        return None;
    }
    Some(
        judge(settings, cluster, request)
            .unwrap_or_else(|refusal| Refusal::from(refusal).into_response()),
    )
}

fn is_namespace(request: &AdmissionRequest) -> bool {
    match &request.resource {
        Some(r) => {
            r.group.as_deref().unwrap_or("").is_empty()
                && r.resource.as_deref() == Some("namespaces")
        }
        None => request.kind.as_ref().is_some_and(|k| {
            k.group.as_deref().unwrap_or("").is_empty() && k.kind.as_deref() == Some("Namespace")
        }),
    }
}

/// The name and labels of the Namespace in `request.<field>`.
fn read_namespace(json: &str, field: &str) -> Result<(Option<String>, Labels), BadRequest> {
    labels::read_namespace(json).map_err(|e| {
        BadRequest::at(
            format!("request.{field}"),
            format!(
                "cannot read the Namespace in request.{field}: {}",
                read_error(json, &e)
            ),
        )
    })
}

fn judge(
    settings: &Settings,
    cluster: &dyn Cluster,
    request: &AdmissionRequest,
) -> Result<ValidationResponse, BadRequest> {
    if request
        .sub_resource
        .as_deref()
        .is_some_and(|s| !s.is_empty())
    {
        return Ok(response::accept());
    }
    let operation = request.operation.as_deref().unwrap_or("");
    if operation != "CREATE" && operation != "UPDATE" {
        return Ok(response::accept());
    }
    let object = match &request.object {
        Some(ObjectField::Raw(raw)) => *raw,
        _ => {
            return Err(BadRequest::at(
                "request.object",
                "the request carries no Namespace to check".to_owned(),
            ))
        }
    };
    let (object_name, labels) = read_namespace(object, "object")?;
    let name = (request.namespace.as_deref().filter(|n| !n.is_empty()))
        .or(object_name.as_deref())
        .unwrap_or("")
        .to_owned();
    let defaults = policy::defaults(settings);
    let (new_policy, new_errors) = policy_to_evaluate(&labels, defaults);
    let exempt = !name.is_empty() && settings.exemptions.namespaces.contains(&name);
    let exempt_answer = || {
        let mut response = response::accept();
        if let Some(warning) = exempt_warning(&name, &new_policy, &defaults, &labels) {
            response.warnings = Some(vec![warning]);
        }
        response
    };

    if operation == "CREATE" {
        if !new_errors.is_empty() {
            return Ok(invalid(&name, &new_errors));
        }
        return Ok(if exempt {
            exempt_answer()
        } else {
            response::accept()
        });
    }

    // UPDATE: bad labels are refused only when they changed.
    let old = match request.old_object {
        Some(old) => read_namespace(old, "oldObject")?,
        None => {
            return Err(BadRequest::at(
                "request.oldObject",
                "the request carries no old Namespace (UPDATE)".to_owned(),
            ))
        }
    };
    let (old_policy, old_errors) = policy_to_evaluate(&old.1, defaults);
    if !new_errors.is_empty() && (old_errors.is_empty() || new_errors != old_errors) {
        return Ok(invalid(&name, &new_errors));
    }
    // No pods to judge when the enforce level did not tighten.
    let (new, old) = (new_policy.enforce, old_policy.enforce);
    if new == old
        || !new.checks_something()
        || (new.version == old.version && new.level <= old.level)
    {
        return Ok(response::accept());
    }
    if exempt {
        return Ok(exempt_answer());
    }
    let mut response = response::accept();
    response.warnings = Some(existing_pods_warnings(settings, cluster, &name, new));
    Ok(response)
}

/// PSA's refusal of labels that cannot be parsed (`invalidResponse`, 422 Unprocessable).
fn invalid(name: &str, errors: &[String]) -> ValidationResponse {
    let mut response = response::reject(format!(
        "Namespace {} is invalid: {}",
        go_quote(&clip_text(name, MAX_VALUE_BYTES)),
        aggregate(errors)
    ));
    response.code = Some(422);
    response
}

/// PSA's warning for an exempt namespace whose labels set a policy that will be ignored.
fn exempt_warning(
    name: &str,
    policy: &Policy,
    defaults: &Policy,
    labels: &Labels,
) -> Option<String> {
    let equivalent = |a: LevelVersion, b: LevelVersion| {
        (!a.checks_something() && !b.checks_something()) || a == b
    };
    if policy.fully_privileged()
        || (equivalent(policy.enforce, defaults.enforce)
            && equivalent(policy.audit, defaults.audit)
            && equivalent(policy.warn, defaults.warn))
    {
        return None;
    }
    let mut modes = Vec::new();
    for (mode, lv, level_label, version_label) in [
        (
            "enforce",
            policy.enforce,
            ENFORCE_LEVEL_LABEL,
            ENFORCE_VERSION_LABEL,
        ),
        (
            "audit",
            policy.audit,
            AUDIT_LEVEL_LABEL,
            AUDIT_VERSION_LABEL,
        ),
        ("warn", policy.warn, WARN_LEVEL_LABEL, WARN_VERSION_LABEL),
    ] {
        let labelled = labels.contains_key(level_label) || labels.contains_key(version_label);
        if lv.checks_something() && labelled {
            modes.push(format!("{mode}={lv}"));
        }
    }
    Some(format!(
        "namespace {} is exempt from Pod Security, and the policy ({}) will be ignored",
        go_quote(&clip_text(name, MAX_VALUE_BYTES)),
        modes.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use crate::namespace::tests::{
        namespace, pod, request, settings, tighten_to_baseline, with_pods, FakeCluster,
    };
    use crate::verdict::validate_with;
    use serde_json::{json, Value};

    #[test]
    fn invalid_labels_are_refused_on_create_and_when_changed_on_update() {
        let c = FakeCluster::default();
        let bad = namespace("team-a", &[("enforce", "strict"), ("audit-version", "v2")]);
        let r = validate_with(&request("CREATE", bad.clone(), None, settings()), &c);
        assert!(!r.accepted);
        assert_eq!(r.code, Some(422));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"Namespace "team-a" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "v2": must be "latest" or "v1.x"]"#
            )
        );
        // Unchanged bad labels on update: let through (other edits of the namespace go on).
        let r = validate_with(
            &request("UPDATE", bad.clone(), Some(bad.clone()), settings()),
            &c,
        );
        assert!(r.accepted, "{r:?}");
        let good = namespace("team-a", &[("enforce", "baseline")]);
        let r = validate_with(&request("UPDATE", bad, Some(good), settings()), &c);
        assert!(!r.accepted);
        // Valid labels: accepted, nothing looked up.
        let r = validate_with(
            &request(
                "CREATE",
                namespace("team-a", &[("enforce", "restricted")]),
                None,
                settings(),
            ),
            &c,
        );
        assert!(r.accepted && r.warnings.is_none());
        assert!(c.lookups.borrow().is_empty());
        // Without levelsFromNamespaceLabels a namespace is nobody's business here.
        let plain = json!({"level": "baseline"});
        let r = validate_with(
            &request(
                "CREATE",
                namespace("x", &[("enforce", "strict")]),
                None,
                plain,
            ),
            &c,
        );
        assert!(r.accepted);
    }

    #[test]
    fn a_namespace_request_that_cannot_be_read_is_a_bad_request() {
        let c = FakeCluster::default();
        let ns = namespace("team-a", &[("enforce", "baseline")]);
        let mut unreadable = ns.clone();
        unreadable["metadata"]["labels"] = json!({"x": 1});
        for (name, payload) in [
            (
                "no old Namespace",
                request("UPDATE", ns.clone(), None, settings()),
            ),
            (
                "no Namespace",
                request("CREATE", Value::Null, None, settings()),
            ),
            (
                "unreadable labels",
                request("CREATE", unreadable, None, settings()),
            ),
        ] {
            let r = validate_with(&payload, &c);
            assert!(!r.accepted, "{name}");
            assert_eq!(r.code, Some(400), "{name}: {:?}", r.message);
        }
    }

    #[test]
    fn only_a_tighter_enforce_level_lists_pods() {
        let c = with_pods(vec![pod("p", None, json!({"privileged": true}))]);
        let ns = |pairs: &[(&str, &str)]| namespace("team-a", pairs);
        let update = |new: Value, old: Value| {
            validate_with(&request("UPDATE", new, Some(old), settings()), &c)
        };
        // Unchanged, relaxed, privileged: nothing to list.
        for (new, old) in [
            (
                ns(&[("enforce", "baseline")]),
                ns(&[("enforce", "baseline"), ("warn", "restricted")]),
            ),
            (
                ns(&[("enforce", "baseline")]),
                ns(&[("enforce", "restricted")]),
            ),
            (
                ns(&[("enforce", "privileged")]),
                ns(&[("enforce", "restricted")]),
            ),
        ] {
            let r = update(new, old);
            assert!(r.accepted && r.warnings.is_none());
        }
        assert!(c.lookups.borrow().is_empty());
        // Another version: listed.
        let r = update(
            ns(&[("enforce", "baseline"), ("enforce-version", "v1.0")]),
            ns(&[("enforce", "restricted")]),
        );
        assert_eq!(r.warnings.unwrap().len(), 2);
    }

    #[test]
    fn exempt_namespaces_and_failed_lists_are_warned_of() {
        let mut exempt = settings();
        exempt["exemptions"] = json!({"namespaces": ["team-a"]});
        let c = FakeCluster::default();
        let r = validate_with(
            &request(
                "CREATE",
                namespace(
                    "team-a",
                    &[("enforce", "baseline"), ("warn-version", "v1.30")],
                ),
                None,
                exempt.clone(),
            ),
            &c,
        );
        assert!(r.accepted);
        assert_eq!(
            r.warnings.unwrap(),
            [
                r#"namespace "team-a" is exempt from Pod Security, and the policy (enforce=baseline:latest, warn=baseline:v1.30) will be ignored"#
            ]
        );
        let r = validate_with(
            &request("CREATE", namespace("team-a", &[]), None, exempt),
            &c,
        );
        assert!(r.accepted && r.warnings.is_none());

        let mut c = FakeCluster::default();
        c.pods.insert("team-a".to_owned(), Err("boom".to_owned()));
        let r = tighten_to_baseline(&c);
        assert!(r.accepted);
        assert_eq!(
            r.warnings.unwrap(),
            ["failed to list pods while checking new PodSecurity enforce level"]
        );
    }
}
