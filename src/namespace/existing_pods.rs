//! PSA's `EvaluatePodsInNamespace`: when a Namespace UPDATE tightens the enforce level,
//! the pods already in the namespace are listed and judged at the new level, and warned of.

use std::collections::BTreeSet;

use super::labels::read_metadata;
use super::Cluster;
use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::controls::go_quote;
use crate::json::{self, Reader};
use crate::modes::LevelVersion;
use crate::pod::PodView;
use crate::settings::Settings;
use crate::verdict;

/// At most this many existing pods are judged on an enforce level change (PSA's
/// `defaultNamespaceMaxPodsToCheck`).
pub const MAX_PODS_TO_CHECK: usize = 3000;

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
        read_metadata(r, "a Pod", |r, key| match key {
            "name" => {
                pod.name = r.opt_str()?.map(|n| String::from(&*n)).unwrap_or_default();
                Ok(())
            }
            "ownerReferences" => r.or_default(|r| {
                r.array("owner references", |r| {
                    let (mut controller, mut uid) = (false, None);
                    r.object("an owner reference", |r, key| {
                        match &*key {
                            "controller" => controller = r.opt_bool()? == Some(true),
                            "uid" => uid = r.opt_str()?.map(|u| String::from(&*u)),
                            _ => r.skip()?,
                        }
                        Ok(())
                    })?;
                    if controller && pod.controller.is_none() {
                        pod.controller = Some(uid.unwrap_or_default());
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
    let (outcome, _) = verdict::evaluate(
        settings,
        enforce.level,
        enforce.version.effective_minor(),
        pod,
    );
    if outcome.violations.is_empty() {
        return None;
    }
    let reasons: Vec<&str> = outcome.violations.iter().map(|v| v.reason).collect();
    Some(reasons.join(", "))
}

#[cfg(test)]
mod tests {
    use crate::namespace::tests::{
        namespace, pod, request, settings, tighten_to_baseline, with_pods,
    };
    use crate::verdict::validate_with;
    use serde_json::{json, Value};

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
        let r = tighten_to_baseline(&c);
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
