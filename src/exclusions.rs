//! Precise exceptions: one control forgiven for named images or containers, or only for
//! named offending values, instead of exempting a whole namespace.
//!
//! An exclusion never switches a check off in the code: the control runs, as always, on a
//! view of the pod from which the forgiven containers (or the forgiven values) have been
//! taken out. A container-scoped exclusion applies to the containers that match every
//! selector it gives; every other container is still checked.

use serde::Deserialize;

use crate::controls::{self, Control, Forgive, Level, Scope, Violation};
use crate::image::ImagePattern;
use crate::pod::{Container, ContainerKind, PodView};

/// One entry of the `exclusions` setting, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub control: &'static str,
    pub images: Vec<ImagePattern>,
    pub containers: Vec<String>,
    pub values: Vec<String>,
}

/// An entry as written, before it is checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawExclusion {
    control: Option<String>,
    images: Option<Vec<String>>,
    containers: Option<Vec<String>>,
    values: Option<Vec<String>>,
    acknowledge_control_disabled: Option<bool>,
}

impl Exclusion {
    /// Checks entry `index` of the list; errors name the entry by its index.
    pub(crate) fn from_raw(index: usize, raw: RawExclusion) -> Result<Exclusion, String> {
        let at = format!("exclusions[{index}]");
        let Some(name) = raw.control else {
            return Err(format!(
                "{at}.control: missing; name one of: {}",
                control_names()
            ));
        };
        // The Rancher UI starts a new entry with every field at its default: `""` here.
        if name.is_empty() {
            return Err(format!(
                "{at}.control: empty; choose the control to forgive, one of: {}",
                control_names()
            ));
        }
        let Some(control) = controls::named(&name) else {
            return Err(format!(
                "{at}.control: unknown control {name:?}; known controls: {}",
                control_names()
            ));
        };
        let list = |field: &str, list: Option<Vec<String>>| -> Result<Vec<String>, String> {
            // An empty list selects nothing, as if omitted: the Rancher UI always sends one.
            let list = list.unwrap_or_default();
            if let Some(i) = list.iter().position(|s| s.is_empty()) {
                return Err(format!("{at}.{field}[{i}]: empty string"));
            }
            Ok(list)
        };
        let image_texts = list("images", raw.images)?;
        let containers = list("containers", raw.containers)?;
        let values = list("values", raw.values)?;
        let mut images = Vec::with_capacity(image_texts.len());
        for (i, text) in image_texts.iter().enumerate() {
            images.push(
                ImagePattern::parse(text).map_err(|e| {
                    format!("{at}.images[{i}]: invalid image pattern {text:?}: {e}")
                })?,
            );
        }
        if control.scope == Scope::Pod && !(images.is_empty() && containers.is_empty()) {
            return Err(format!(
                "{at}: {} is checked on the whole pod, not per container: it takes `values`, not `images` or `containers`",
                control.id
            ));
        }
        if control.forgive.is_none() && !values.is_empty() {
            return Err(format!(
                "{at}.values: {} has no values to forgive; select images or containers instead",
                control.id
            ));
        }
        let whole_control = images.is_empty() && containers.is_empty() && values.is_empty();
        // `false` is the Rancher UI's default for the checkbox: the same as leaving it out.
        match (whole_control, raw.acknowledge_control_disabled) {
            (true, Some(true)) => {}
            (true, _) => {
                return Err(format!(
                    "{at}: an entry with only `control` switches {} off for every pod; name images, containers or values to forgive, or say `acknowledgeControlDisabled: true` (in the Rancher UI: \"Acknowledge that the control is disabled\") if that is what you want",
                    control.id
                ))
            }
            (false, Some(true)) => {
                return Err(format!(
                    "{at}.acknowledgeControlDisabled: only for an entry that switches the control off for every pod (no images, containers or values)"
                ))
            }
            (false, _) => {}
        }
        Ok(Exclusion {
            control: control.id,
            images,
            containers,
            values,
        })
    }

    /// Whether a container matches every selector the entry gives.
    fn selects(&self, container: &Container) -> bool {
        let image = container.image.as_deref().unwrap_or("");
        (self.images.is_empty() || self.images.iter().any(|p| p.matches(image)))
            && (self.containers.is_empty() || self.containers.iter().any(|c| c == container.name()))
    }

    fn disables_control(&self) -> bool {
        self.images.is_empty() && self.containers.is_empty() && self.values.is_empty()
    }
}

fn control_names() -> String {
    controls::all_named()
        .map(|c| c.id)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What `evaluate` found: the violations that remain, and one note per exclusion in use.
#[derive(Debug, Default)]
pub struct Outcome {
    pub violations: Vec<Violation>,
    /// `control "capabilities_restricted" excluded for init container "istio-init" (NET_ADMIN)`
    pub used: Vec<String>,
}

impl Outcome {
    /// Adds a control's violation, if any. Room for one per control is made at the
    /// first, so a pod that fails many controls does not regrow the list; a detail is
    /// trimmed to its length (in place), so that the next one starts right after it and a
    /// rejection stays within fewer fresh pages (each a page fault on a fresh instance).
    fn add(&mut self, violation: Option<Violation>) {
        if let Some(mut violation) = violation {
            violation.detail.shrink_to_fit();
            if self.violations.capacity() == 0 {
                self.violations.reserve_exact(controls::CONTROLS.len() + 1);
            }
            self.violations.push(violation);
        }
    }
}

/// Runs one control on the pod as the exclusions leave it. Without exclusions for the
/// control this is exactly `check(pod)`.
pub fn check_control(
    control: &Control,
    check: impl Fn(&PodView) -> Option<Violation>,
    pod: &PodView,
    exclusions: &[Exclusion],
    outcome: &mut Outcome,
) {
    let mine: Vec<&Exclusion> = exclusions
        .iter()
        .filter(|e| e.control == control.id)
        .collect();
    if mine.is_empty() {
        outcome.add(check(pod));
        return;
    }
    let original = check(pod);
    if original.is_none() {
        return;
    }
    if mine.iter().any(|e| e.disables_control()) {
        outcome
            .used
            .push(format!("control {:?} disabled for every pod", control.id));
        return;
    }
    let mut view = pod.clone();
    let mut notes = Vec::new();
    for exclusion in &mine {
        forgive(control, exclusion, &mut view, &mut notes);
    }
    let remaining = check(&view);
    if remaining != original {
        outcome.used.extend(notes);
    }
    outcome.add(remaining);
}

/// Takes out of `view` what `exclusion` forgives, noting each container or value taken.
fn forgive(control: &Control, exclusion: &Exclusion, view: &mut PodView, notes: &mut Vec<String>) {
    let id = control.id;
    match (control.scope, control.forgive) {
        (Scope::Pod, Some(Forgive::Pod(forgive_values))) => {
            for value in forgive_values(view, &exclusion.values) {
                notes.push(format!("control {id:?} excluded for {value:?}"));
            }
        }
        (Scope::Pod, _) => {}
        (Scope::Container, forgive_values) => {
            let PodView { metadata, spec, .. } = view;
            let mut removed = Vec::new();
            for (kind, list) in [
                (ContainerKind::Init, &mut spec.init_containers),
                (ContainerKind::Regular, &mut spec.containers),
                (ContainerKind::Ephemeral, &mut spec.ephemeral_containers),
            ] {
                let label = kind.label();
                list.retain_mut(|c| {
                    if !exclusion.selects(c) {
                        return true;
                    }
                    match forgive_values {
                        Some(Forgive::Container(forgive_values))
                            if !exclusion.values.is_empty() =>
                        {
                            let taken = forgive_values(metadata, c, &exclusion.values);
                            if !taken.is_empty() {
                                notes.push(format!(
                                    "control {id:?} excluded for {label} {:?} ({})",
                                    c.name(),
                                    taken.join(", ")
                                ));
                            }
                            true
                        }
                        _ => {
                            notes.push(format!(
                                "control {id:?} excluded for {label} {:?}",
                                c.name()
                            ));
                            removed.push(c.name().to_owned());
                            false
                        }
                    }
                });
            }
            // Per-container annotations of a container taken out go with it.
            metadata.annotations.retain(|key, _| {
                !removed.iter().any(|name| {
                    key.strip_suffix(name.as_str())
                        .and_then(|prefix| prefix.strip_suffix('/'))
                        .is_some_and(|prefix| prefix.starts_with("container."))
                })
            });
        }
    }
}

/// Every violation at `level` and `v1.<minor>` with `exclusions` applied, in message order.
/// Their details are not bounded yet: the caller bounds them together with any other
/// violations of the same message (see `verdict::judge_pod`).
pub fn evaluate(level: Level, minor: u32, pod: &PodView, exclusions: &[Exclusion]) -> Outcome {
    let mut outcome = Outcome::default();
    for (control, revision) in controls::checks_at(level, minor) {
        check_control(
            control,
            |p| revision.check(p),
            pod,
            exclusions,
            &mut outcome,
        );
    }
    outcome
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use crate::verdict::{validate, EXCLUSIONS_ANNOTATION};
    use serde_json::{json, Value};

    fn settings_error(exclusions: Value) -> String {
        Settings::from_json(&json!({ "exclusions": exclusions }).to_string()).expect_err("refused")
    }

    #[test]
    fn settings_refuse_what_cannot_be_meant() {
        let e = settings_error(json!([{"control": "capabilities"}]));
        assert!(e.starts_with(r#"exclusions[0].control: unknown control "capabilities"; known controls: appArmorProfile, "#), "{e}");
        assert!(e.contains("readOnlyRootFilesystem"), "{e}");
        let e = settings_error(
            json!([{"control": "privileged", "containers": ["a"]}, {"images": ["x"]}]),
        );
        assert!(e.starts_with("exclusions[1].control: missing"), "{e}");
        let e = settings_error(json!([{"control": "", "images": ["nginx"]}]));
        assert!(e.starts_with("exclusions[0].control: empty; choose the control to forgive, one of: appArmorProfile, "), "{e}");
        let e = settings_error(json!([{"control": "privileged", "containers": [""]}]));
        assert_eq!(e, "exclusions[0].containers[0]: empty string");
        let e =
            settings_error(json!([{"control": "privileged", "images": ["nginx", "bad image"]}]));
        assert!(
            e.starts_with(r#"exclusions[0].images[1]: invalid image pattern "bad image""#),
            "{e}"
        );
        let e = settings_error(
            json!([{"control": "privileged", "containers": ["a"], "values": ["x"]}]),
        );
        assert!(
            e.starts_with("exclusions[0].values: privileged has no values"),
            "{e}"
        );
        let e = settings_error(json!([{"control": "sysctls", "containers": ["a"]}]));
        assert!(
            e.starts_with("exclusions[0]: sysctls is checked on the whole pod"),
            "{e}"
        );
        let e = settings_error(
            json!([{"control": "hostPathVolumes", "images": ["a"], "values": ["/var/log"]}]),
        );
        assert!(
            e.contains("takes `values`, not `images` or `containers`"),
            "{e}"
        );
        let e = settings_error(json!([{"control": "runAsUser"}]));
        assert!(e.contains("acknowledgeControlDisabled: true"), "{e}");
        let e = settings_error(
            json!([{"control": "runAsUser", "containers": ["a"], "acknowledgeControlDisabled": true}]),
        );
        assert!(
            e.starts_with("exclusions[0].acknowledgeControlDisabled: only for"),
            "{e}"
        );
        let e = settings_error(json!([{"control": "runAsUser", "image": ["a"]}]));
        assert!(e.contains("unknown field `image`"), "{e}");
        assert!(Settings::from_json(
            r#"{"exclusions":[{"control":"runAsUser","acknowledgeControlDisabled":true}]}"#
        )
        .is_ok());
    }

    fn pod_request(spec: Value, settings: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "settings": settings,
            "request": {
                "kind": {"group": "", "version": "v1", "kind": "Pod"},
                "resource": {"group": "", "version": "v1", "resource": "pods"},
                "operation": "CREATE", "namespace": "shop",
                "object": {"kind": "Pod", "metadata": {"name": "p"}, "spec": spec},
            }
        }))
        .unwrap()
    }

    fn good(extra: Value) -> Value {
        let mut sc = json!({"allowPrivilegeEscalation": false, "capabilities": {"drop": ["ALL"]},
                            "readOnlyRootFilesystem": true});
        if let (Some(sc), Some(extra)) = (sc.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                sc.insert(k.clone(), v.clone());
            }
        }
        sc
    }

    fn mesh_spec(app_caps: Value) -> Value {
        json!({
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "initContainers": [{"name": "istio-init", "image": "docker.io/istio/proxyv2:1.22.0",
                "securityContext": good(json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN", "NET_RAW"]}}))}],
            "containers": [{"name": "app", "image": "shop/app:3", "securityContext": good(app_caps)}]
        })
    }

    fn mesh_settings() -> Value {
        json!({"exclusions": [{"control": "capabilities_restricted",
            "images": ["docker.io/istio/proxyv2:*"], "containers": ["istio-init"],
            "values": ["NET_ADMIN", "NET_RAW"]}]})
    }

    #[test]
    fn service_mesh_init_container_is_forgiven_and_says_so() {
        let r = validate(&pod_request(mesh_spec(json!({})), mesh_settings()));
        assert!(r.accepted, "{:?}", r.message);
        let note = r#"control "capabilities_restricted" excluded for init container "istio-init" (NET_ADMIN, NET_RAW)"#;
        assert_eq!(r.warnings.unwrap(), [format!("exclusion in use: {note}")]);
        assert_eq!(r.audit_annotations.unwrap()[EXCLUSIONS_ANNOTATION], note);
        // Without the exclusion the same pod is refused.
        assert!(!validate(&pod_request(mesh_spec(json!({})), json!({}))).accepted);
    }

    #[test]
    fn the_app_container_is_still_checked() {
        let spec = mesh_spec(json!({"capabilities": {"drop": ["ALL"], "add": ["NET_ADMIN"]}}));
        let r = validate(&pod_request(spec, mesh_settings()));
        assert!(!r.accepted);
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:latest": unrestricted capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add)"#
            )
        );
    }

    #[test]
    fn only_the_listed_values_and_every_selector() {
        let mut spec = mesh_spec(json!({}));
        spec["initContainers"][0]["securityContext"]["capabilities"]["add"] =
            json!(["NET_ADMIN", "SYS_ADMIN"]);
        let r = validate(&pod_request(spec, mesh_settings()));
        assert!(r
            .message
            .unwrap()
            .contains(r#"container "istio-init" must not include "SYS_ADMIN""#));
        // Same name, other image: not selected.
        let mut spec = mesh_spec(json!({}));
        spec["initContainers"][0]["image"] = json!("evil.io/istio/proxyv2:1.22.0");
        assert!(!validate(&pod_request(spec, mesh_settings())).accepted);
        // Same image, other name: not selected.
        let mut spec = mesh_spec(json!({}));
        spec["initContainers"][0]["name"] = json!("sidecar");
        assert!(!validate(&pod_request(spec, mesh_settings())).accepted);
    }

    #[test]
    fn a_whole_container_can_be_excluded_from_one_control() {
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "agent", "image": "vendor/agent:1", "securityContext": good(json!({"runAsUser": 0}))}],
            "ephemeralContainers": [{"name": "debug", "image": "busybox", "securityContext": good(json!({"runAsUser": 0}))}]});
        let settings =
            json!({"exclusions": [{"control": "runAsUser", "images": ["vendor/agent:*"]}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "restricted:latest": runAsUser=0 (container "debug" must not set runAsUser=0)"#
            )
        );
        let settings = json!({"exclusions": [{"control": "runAsUser", "images": ["vendor/agent:*", "busybox"]}]});
        let r = validate(&pod_request(spec, settings));
        assert!(r.accepted, "{:?}", r.message);
        assert_eq!(r.warnings.unwrap().len(), 2);
    }

    #[test]
    fn pod_level_settings_are_not_forgiven_by_container_exclusions() {
        let spec = json!({"securityContext": {"runAsNonRoot": false, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
        let settings = json!({"exclusions": [{"control": "runAsNonRoot", "containers": ["a"]}]});
        let r = validate(&pod_request(spec, settings));
        assert!(r
            .message
            .unwrap()
            .contains("pod must not set securityContext.runAsNonRoot=false"));
    }

    #[test]
    fn pod_scoped_values() {
        let spec = json!({"hostNetwork": true, "hostPID": true,
            "securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"},
                "sysctls": [{"name": "kernel.msgmax", "value": "1"}, {"name": "kernel.sem", "value": "1"}]},
            "volumes": [{"name": "logs", "hostPath": {"path": "/var/log"}}, {"name": "root", "hostPath": {"path": "/"}},
                        {"name": "share", "nfs": {"server": "s", "path": "/"}}],
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({}))}]});
        let settings = json!({"level": "baseline", "exclusions": [
            {"control": "hostNamespaces", "values": ["hostNetwork"]},
            {"control": "sysctls", "values": ["kernel.msgmax"]},
            {"control": "hostPathVolumes", "values": ["/var/log"]}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert_eq!(
            r.message.as_deref(),
            Some(
                r#"violates PodSecurity "baseline:latest": host namespaces (hostPID=true), hostPath volumes (volume "root"), forbidden sysctls (kernel.sem)"#
            )
        );
        let settings = json!({"exclusions": [
            {"control": "hostNamespaces", "values": ["hostNetwork", "hostPID"]},
            {"control": "sysctls", "values": ["kernel.msgmax", "kernel.sem"]},
            {"control": "restrictedVolumes", "values": ["/var/log", "/", "nfs"]}]});
        let r = validate(&pod_request(spec, settings));
        assert!(r.accepted, "{:?}", r.message);
        let warnings = r.warnings.unwrap();
        assert!(
            warnings.contains(
                &r#"exclusion in use: control "sysctls" excluded for "kernel.sem""#.to_owned()
            ),
            "{warnings:?}"
        );
    }

    #[test]
    fn switching_a_control_off_is_said_too() {
        let spec = json!({"securityContext": {"runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "a", "image": "x", "securityContext": good(json!({"readOnlyRootFilesystem": false}))}]});
        let settings = json!({"exclusions": [{"control": "readOnlyRootFilesystem", "acknowledgeControlDisabled": true}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert!(r.accepted);
        assert_eq!(
            r.warnings.unwrap(),
            [r#"exclusion in use: control "readOnlyRootFilesystem" disabled for every pod"#]
        );
        // A compliant pod relies on nothing: no note.
        let mut ok = spec;
        ok["containers"][0]["securityContext"]["readOnlyRootFilesystem"] = json!(true);
        let r = validate(&pod_request(
            ok,
            json!({"exclusions": [{"control": "privileged", "containers": ["a"]}]}),
        ));
        assert!(r.accepted && r.warnings.is_none() && r.audit_annotations.is_none());
    }

    #[test]
    fn seccomp_and_apparmor_values_forgive_the_named_container_only() {
        let spec = json!({"securityContext": {"runAsNonRoot": true},
            "containers": [
                {"name": "legacy", "image": "x", "securityContext": good(json!({"seccompProfile": {"type": "Unconfined"}, "appArmorProfile": {"type": "Unconfined"}}))},
                {"name": "web", "image": "y", "securityContext": good(json!({"seccompProfile": {"type": "RuntimeDefault"}}))}]});
        let settings = json!({"exclusions": [
            {"control": "seccompProfile_restricted", "containers": ["legacy"], "values": ["Unconfined"]},
            {"control": "appArmorProfile", "containers": ["legacy"], "values": ["Unconfined"]}]});
        let r = validate(&pod_request(spec.clone(), settings));
        assert!(r.accepted, "{:?}", r.message);
        let mut other = spec;
        other["containers"][1]["securityContext"]["seccompProfile"]["type"] = json!("Unconfined");
        let settings = json!({"exclusions": [
            {"control": "seccompProfile_restricted", "containers": ["legacy"], "values": ["Unconfined"]},
            {"control": "appArmorProfile", "containers": ["legacy"], "values": ["Unconfined"]}]});
        let r = validate(&pod_request(other, settings));
        assert!(r.message.unwrap().contains(
            r#"container "web" must not set securityContext.seccompProfile.type to "Unconfined""#
        ));
    }
}
