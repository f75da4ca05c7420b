//! Namespace requests, as Pod Security Admission judges them (`admission.go`,
//! `ValidateNamespace`, `EvaluatePodsInNamespace`), with `levelsFromNamespaceLabels: true`:
//! a Namespace whose `pod-security.kubernetes.io/*` labels cannot be parsed is refused
//! (on UPDATE only when they changed), and an UPDATE that tightens the enforce level lists
//! the pods already in the namespace and warns of those the new level would refuse.

use std::collections::BTreeSet;

use kubewarden_policy_sdk::response::ValidationResponse;

use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::controls::go_quote;
use crate::exclusions;
use crate::json::{self, Reader};
use crate::modes::{LevelVersion, Policy};
use crate::namespace_labels::{
    self, aggregate, policy_to_evaluate, Cluster, Labels, AUDIT_LEVEL_LABEL, AUDIT_VERSION_LABEL,
    ENFORCE_LEVEL_LABEL, ENFORCE_VERSION_LABEL, WARN_LEVEL_LABEL, WARN_VERSION_LABEL,
};
use crate::pod::{read_error, PodView};
use crate::request::{AdmissionRequest, ObjectField};
use crate::settings::Settings;
use crate::verdict;

/// At most this many existing pods are judged on an enforce level change (PSA's
/// `defaultNamespaceMaxPodsToCheck`).
pub const MAX_PODS_TO_CHECK: usize = 3000;

/// The answer to a Namespace request, or `None` when the request is not about a Namespace.
pub fn respond(
    settings: &Settings,
    cluster: &dyn Cluster,
    request: &AdmissionRequest,
) -> Option<ValidationResponse> {
    if !is_namespace(request) {
        return None;
    }
    Some(judge(settings, cluster, request).unwrap_or_else(verdict::reject))
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
fn read_namespace(json: &str, field: &str) -> Result<(Option<String>, Labels), String> {
    namespace_labels::read_namespace(json).map_err(|e| {
        format!(
            "cannot read the Namespace in request.{field}: {}",
            read_error(json, &e)
        )
    })
}

fn judge(
    settings: &Settings,
    cluster: &dyn Cluster,
    request: &AdmissionRequest,
) -> Result<ValidationResponse, String> {
    if request
        .sub_resource
        .as_deref()
        .is_some_and(|s| !s.is_empty())
    {
        return Ok(verdict::accept());
    }
    let operation = request.operation.as_deref().unwrap_or("");
    if operation != "CREATE" && operation != "UPDATE" {
        return Ok(verdict::accept());
    }
    let object = match &request.object {
        Some(ObjectField::Raw(raw)) => *raw,
        _ => return Err("the request carries no Namespace to check".to_owned()),
    };
    let (object_name, labels) = read_namespace(object, "object")?;
    let name = (request.namespace.as_deref().filter(|n| !n.is_empty()))
        .or(object_name.as_deref())
        .unwrap_or("")
        .to_owned();
    let defaults = namespace_labels::defaults(settings);
    let (new_policy, new_errors) = policy_to_evaluate(&labels, defaults);
    let exempt = !name.is_empty() && settings.exemptions.namespaces.contains(&name);
    let exempt_answer = || {
        let mut response = verdict::accept();
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
            verdict::accept()
        });
    }

    // UPDATE: bad labels are refused only when they changed.
    let old = match request.old_object {
        Some(old) => read_namespace(old, "oldObject")?,
        None => return Err("the request carries no old Namespace (UPDATE)".to_owned()),
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
        return Ok(verdict::accept());
    }
    if exempt {
        return Ok(exempt_answer());
    }
    let mut response = verdict::accept();
    response.warnings = Some(existing_pods_warnings(settings, cluster, &name, new));
    Ok(response)
}

/// PSA's refusal of labels that cannot be parsed (`invalidResponse`, 422 Unprocessable).
fn invalid(name: &str, errors: &[String]) -> ValidationResponse {
    let mut response = verdict::reject(format!(
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

/// One item of the pod list: what prioritizing needs, and the pod's JSON.
struct ListedPod<'a> {
    name: String,
    /// The `uid` of the owner reference with `controller: true`.
    controller: Option<String>,
    json: &'a str,
}

/// The items of a List, as JSON texts.
fn read_items(json: &str) -> json::Result<Vec<&str>> {
    Reader::read_all(json, |r| {
        let mut items = Vec::new();
        r.object("a List", |r, key| match &*key {
            "items" => r.or_default(|r| {
                r.array("a list of objects", |r| {
                    items.push(r.raw()?);
                    Ok(())
                })
            }),
            _ => r.skip(),
        })?;
        Ok(items)
    })
}

/// A listed pod's name and controller.
fn read_listed(json: &str) -> json::Result<ListedPod<'_>> {
    Reader::read_all(json, |r| {
        let mut pod = ListedPod {
            name: String::new(),
            controller: None,
            json,
        };
        r.object("a Pod", |r, key| match &*key {
            "metadata" => r.or_default(|r| {
                r.object("an object's metadata", |r, key| {
                    match &*key {
                        "name" => {
                            pod.name = r.opt_str()?.map(|n| n.to_string()).unwrap_or_default()
                        }
                        "ownerReferences" => r.or_default(|r| {
                            r.array("owner references", |r| {
                                let (mut controller, mut uid) = (false, None);
                                r.object("an owner reference", |r, key| {
                                    match &*key {
                                        "controller" => controller = r.opt_bool()? == Some(true),
                                        "uid" => uid = r.opt_str()?.map(|u| u.to_string()),
                                        _ => r.skip()?,
                                    }
                                    Ok(())
                                })?;
                                if controller && pod.controller.is_none() {
                                    pod.controller = Some(uid.unwrap_or_default());
                                }
                                Ok(())
                            })
                        })?,
                        _ => r.skip()?,
                    }
                    Ok(())
                })
            }),
            _ => r.skip(),
        })?;
        Ok(pod)
    })
}

/// PSA's `EvaluatePodsInNamespace`: the namespace's pods judged at the new enforce level
/// (a pod of a runtime class exempt left out; one pod per controller first, then the other
/// replicas; at most [`MAX_PODS_TO_CHECK`]), one warning per distinct set of reasons with
/// the first pod's name (by name) and how many others share it.
pub fn existing_pods_warnings(
    settings: &Settings,
    cluster: &dyn Cluster,
    namespace: &str,
    enforce: LevelVersion,
) -> Vec<String> {
    const LIST_FAILED: &str = "failed to list pods while checking new PodSecurity enforce level";
    let Ok(answer) = cluster.pods(namespace) else {
        return vec![LIST_FAILED.to_owned()];
    };
    let Some(items) = std::str::from_utf8(&answer)
        .ok()
        .and_then(|text| read_items(text).ok())
    else {
        return vec![LIST_FAILED.to_owned()];
    };
    // An item that cannot be read (which the API server never sends) is left out.
    let pods: Vec<ListedPod> = items
        .into_iter()
        .filter_map(|item| read_listed(item).ok())
        .collect();

    // Prioritized as PSA does: exempt runtime classes out, one pod per controller first.
    let mut first = Vec::with_capacity(pods.len());
    let mut replicas = Vec::new();
    let mut seen_controllers = BTreeSet::new();
    let mut views = Vec::with_capacity(pods.len());
    for pod in pods {
        let Ok(view) = PodView::from_json(pod.json) else {
            continue;
        };
        let runtime_class = view.spec.runtime_class_name.as_deref().unwrap_or("");
        if !runtime_class.is_empty()
            && settings
                .exemptions
                .runtime_classes
                .iter()
                .any(|rc| rc == runtime_class)
        {
            continue;
        }
        let index = views.len();
        views.push(view);
        match &pod.controller {
            Some(uid) if !seen_controllers.insert(uid.clone()) => replicas.push((index, pod.name)),
            _ => first.push((index, pod.name)),
        }
    }
    first.extend(replicas);
    let total = first.len();
    first.truncate(MAX_PODS_TO_CHECK);
    let checked = first.len();

    // (reasons, the first pod's name by name, how many pods): few distinct reasons.
    let mut by_reasons: Vec<(String, String, usize)> = Vec::new();
    for (index, name) in first {
        let Some(reasons) = forbidden_reasons(settings, enforce, &views[index]) else {
            continue;
        };
        match by_reasons.iter_mut().find(|(r, ..)| *r == reasons) {
            Some((_, first_name, count)) => {
                if name < *first_name {
                    *first_name = name;
                }
                *count += 1;
            }
            None => by_reasons.push((reasons, name, 1)),
        }
    }

    let mut warnings = Vec::new();
    if checked < total {
        warnings.push(format!(
            "new PodSecurity enforce level only checked against the first {checked} of {total} existing pods"
        ));
    }
    if !by_reasons.is_empty() {
        warnings.push(format!(
            "existing pods in namespace {} violate the new PodSecurity enforce level {}",
            go_quote(&clip_text(namespace, MAX_VALUE_BYTES)),
            go_quote(&enforce.to_string())
        ));
    }
    // In order, as PSA sorts them (a set: the standard sorts are kilobytes of module).
    let mut pod_warnings = BTreeSet::new();
    for (reasons, name, count) in by_reasons {
        pod_warnings.insert(match count {
            1 => format!("{name}: {reasons}"),
            2 => format!("{name} (and 1 other pod): {reasons}"),
            n => format!("{name} (and {} other pods): {reasons}", n - 1),
        });
    }
    warnings.extend(pod_warnings);
    warnings
}

/// The reasons (no details) a pod violates `enforce` for, joined as PSA's
/// `ForbiddenReason` joins them; exclusions applied, our control included when required.
fn forbidden_reasons(settings: &Settings, enforce: LevelVersion, pod: &PodView) -> Option<String> {
    let outcome = exclusions::evaluate(
        enforce.level,
        enforce.version.effective_minor(),
        pod,
        &settings.exclusions,
        settings.require_read_only_root_filesystem,
    );
    if outcome.violations.is_empty() {
        return None;
    }
    let reasons: Vec<&str> = outcome.violations.iter().map(|v| v.reason).collect();
    Some(reasons.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::namespace_labels::tests::{labels, FakeCluster};
    use crate::verdict::validate_with;
    use serde_json::{json, Value};

    fn namespace(name: &str, pairs: &[(&str, &str)]) -> Value {
        let labels: serde_json::Map<String, Value> = labels(pairs)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect();
        json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name, "labels": labels}})
    }

    fn request(operation: &str, new: Value, old: Option<Value>, settings: Value) -> Vec<u8> {
        let name = new["metadata"]["name"].clone();
        serde_json::to_vec(&json!({
            "settings": settings,
            "request": {
                "kind": {"group": "", "version": "v1", "kind": "Namespace"},
                "resource": {"group": "", "version": "v1", "resource": "namespaces"},
                "operation": operation, "namespace": name, "name": name,
                "userInfo": {"username": "admin"},
                "object": new, "oldObject": old,
            }
        }))
        .unwrap()
    }

    fn settings() -> Value {
        json!({"levelsFromNamespaceLabels": true, "level": "privileged", "requireReadOnlyRootFilesystem": false})
    }

    fn pod(name: &str, controller: Option<&str>, security_context: Value) -> Value {
        let mut p = json!({"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": "team-a"},
            "spec": {"containers": [{"name": "app", "image": "nginx", "securityContext": security_context}]},
            "status": {"phase": "Running"}});
        if let Some(uid) = controller {
            p["metadata"]["ownerReferences"] = json!([{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": uid, "controller": true}]);
        }
        p
    }

    fn with_pods(pods: Vec<Value>) -> FakeCluster {
        let mut c = FakeCluster::default();
        let list = json!({"apiVersion": "v1", "kind": "PodList", "metadata": {}, "items": pods});
        c.pods.insert("team-a".to_owned(), Ok(list.to_string()));
        c
    }

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
    fn tightening_enforce_warns_of_existing_pods_as_psa_does() {
        let c = with_pods(vec![
            pod("web-2", Some("rs-web"), json!({"privileged": true})),
            pod("web-1", Some("rs-web"), json!({"privileged": true})),
            pod("db-0", None, json!({"privileged": true})),
            pod(
                "debug",
                None,
                json!({"privileged": true, "capabilities": {"add": ["SYS_ADMIN"]}}),
            ),
            pod("ok", None, json!({})),
        ]);
        let old = namespace("team-a", &[("enforce", "privileged")]);
        let new = namespace("team-a", &[("enforce", "baseline")]);
        let r = validate_with(&request("UPDATE", new, Some(old), settings()), &c);
        assert!(r.accepted);
        assert_eq!(
            r.warnings.unwrap(),
            [
                r#"existing pods in namespace "team-a" violate the new PodSecurity enforce level "baseline:latest""#,
                "db-0 (and 2 other pods): privileged",
                "debug: non-default capabilities, privileged",
            ]
        );
        assert_eq!(*c.lookups.borrow(), ["pods team-a"]);
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
        let r = validate_with(
            &request(
                "UPDATE",
                namespace("team-a", &[("enforce", "baseline")]),
                Some(namespace("team-a", &[])),
                settings(),
            ),
            &c,
        );
        assert!(r.accepted);
        assert_eq!(
            r.warnings.unwrap(),
            ["failed to list pods while checking new PodSecurity enforce level"]
        );
    }

    #[test]
    fn at_most_3000_pods_are_judged_one_per_controller_first() {
        let mut pods: Vec<Value> = (0..3100)
            .map(|i| {
                pod(
                    &format!("r-{i:04}"),
                    Some("rs"),
                    json!({"privileged": true}),
                )
            })
            .collect();
        pods.push(pod("solo", None, json!({"hostPID": true})));
        pods.push(pod("other", Some("rs-2"), json!({"procMount": "Unmasked"})));
        let c = with_pods(pods);
        let r = validate_with(
            &request(
                "UPDATE",
                namespace("team-a", &[("enforce", "baseline")]),
                Some(namespace("team-a", &[])),
                settings(),
            ),
            &c,
        );
        let warnings = r.warnings.unwrap();
        assert_eq!(warnings[0], "new PodSecurity enforce level only checked against the first 3000 of 3102 existing pods");
        // The solo pod and the other controller's pod were judged although listed last.
        assert!(
            warnings.iter().any(|w| w == "other: procMount"),
            "{warnings:?}"
        );
        assert_eq!(warnings[3], "r-0000 (and 2997 other pods): privileged");
    }
}
