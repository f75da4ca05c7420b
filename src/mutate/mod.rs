//! Secure defaults (`mutate: true`): fill in only what the author left unset, only in the
//! restricted direction, editing the request's JSON object in place so that every field this
//! policy does not know comes back untouched.
//!
//! Defaults, per container, init container and ephemeral container:
//! `securityContext.allowPrivilegeEscalation: false`; `"ALL"` appended to
//! `securityContext.capabilities.drop` when missing; `securityContext.readOnlyRootFilesystem:
//! true` when `requireReadOnlyRootFilesystem` is on. For the pod:
//! `securityContext.seccompProfile.type: RuntimeDefault` when neither the pod nor any
//! container sets a profile (field or annotation); `securityContext.runAsNonRoot: true` when
//! neither the pod nor any container sets it.
//!
//! Only the defaults the configured level and version require are filled in ([`Defaults`]):
//! at `baseline`, only our control's `readOnlyRootFilesystem`.
//!
//! An explicit value (`privileged: true`, `runAsNonRoot: false`, `Unconfined`, a hostPath
//! volume...) is never changed. Windows pods get no Linux-only field: the API server would
//! refuse the pod for them.

use serde_json::{Map, Value};

use crate::controls::checks_at;
use crate::request::PodCarrier;
use crate::settings::Settings;

/// Which defaults to fill in: only those a control in force requires, so that
/// `level: baseline` never gets `runAsNonRoot: true` and breaks the root images it allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Defaults {
    pub allow_privilege_escalation: bool,
    pub drop_all: bool,
    pub seccomp: bool,
    pub run_as_non_root: bool,
    pub read_only_root_filesystem: bool,
}

impl Defaults {
    /// Every default this module knows, our control's as asked.
    pub fn all(read_only_root_filesystem: bool) -> Defaults {
        Defaults {
            allow_privilege_escalation: true,
            drop_all: true,
            seccomp: true,
            run_as_non_root: true,
            read_only_root_filesystem,
        }
    }

    /// The defaults the settings' level and version (and our control) require.
    pub fn for_settings(settings: &Settings) -> Defaults {
        let in_force = |id: &str| {
            checks_at(settings.level, settings.version.effective_minor())
                .any(|(control, _)| control.id.as_str() == id)
        };
        Defaults {
            allow_privilege_escalation: in_force("allowPrivilegeEscalation"),
            drop_all: in_force("capabilities_restricted"),
            seccomp: in_force("seccompProfile_restricted"),
            run_as_non_root: in_force("runAsNonRoot"),
            read_only_root_filesystem: settings.require_read_only_root_filesystem,
        }
    }
}

/// The object with the defaults applied, and one warning per change; `None` when there is
/// nothing to change (or the pod template is not where the kind says).
pub fn secure_defaults(
    object: &str,
    carrier: PodCarrier,
    defaults: Defaults,
) -> Option<(Value, Vec<String>)> {
    let mut object: Value = serde_json::from_str(object).ok()?;
    let mut template = &mut object;
    for key in carrier.template_path() {
        template = template.get_mut(*key)?;
    }
    let warnings = apply(template, defaults);
    (!warnings.is_empty()).then_some((object, warnings))
}

/// Applies the defaults to a pod (or pod template): `{metadata, spec}`.
fn apply(pod: &mut Value, defaults: Defaults) -> Vec<String> {
    let seccomp_annotated = annotations(pod).is_some_and(|a| {
        a.keys().any(|k| {
            k == "seccomp.security.alpha.kubernetes.io/pod"
                || k.starts_with("container.seccomp.security.alpha.kubernetes.io/")
        })
    });
    let Some(spec) = pod.get_mut("spec").and_then(Value::as_object_mut) else {
        return Vec::new();
    };
    let windows = spec
        .get("os")
        .and_then(|os| os.get("name"))
        .and_then(Value::as_str)
        == Some("windows");
    let mut warnings = Vec::new();

    // Pod-level decisions look at every container before any is changed.
    let any_container_sets = |field: &str| {
        containers(spec).any(|(_, c)| is_set(c.get("securityContext").and_then(|sc| sc.get(field))))
    };
    let pod_sets = |field: &str| is_set(spec.get("securityContext").and_then(|sc| sc.get(field)));
    let default_seccomp = defaults.seccomp
        && !windows
        && !seccomp_annotated
        && !pod_sets("seccompProfile")
        && !any_container_sets("seccompProfile");
    let default_run_as_non_root = defaults.run_as_non_root
        && !pod_sets("runAsNonRoot")
        && !any_container_sets("runAsNonRoot");

    if !windows {
        for list in CONTAINER_LISTS {
            let Some(Value::Array(items)) = spec.get_mut(list.key) else {
                continue;
            };
            for c in items.iter_mut().filter_map(Value::as_object_mut) {
                container_defaults(c, list.label, defaults, &mut warnings);
            }
        }
    }
    if default_seccomp {
        set_security_field(
            spec,
            "seccompProfile",
            serde_json::json!({"type": "RuntimeDefault"}),
            "pod: set securityContext.seccompProfile.type=RuntimeDefault".to_owned(),
            &mut warnings,
        );
    }
    if default_run_as_non_root {
        set_security_field(
            spec,
            "runAsNonRoot",
            Value::Bool(true),
            "pod: set securityContext.runAsNonRoot=true".to_owned(),
            &mut warnings,
        );
    }
    warnings
}

struct ContainerList {
    key: &'static str,
    label: &'static str,
}

const CONTAINER_LISTS: [ContainerList; 3] = [
    ContainerList {
        key: "initContainers",
        label: "init container",
    },
    ContainerList {
        key: "containers",
        label: "container",
    },
    ContainerList {
        key: "ephemeralContainers",
        label: "ephemeral container",
    },
];

fn containers(spec: &Map<String, Value>) -> impl Iterator<Item = (&'static str, &Value)> {
    CONTAINER_LISTS.iter().flat_map(move |list| {
        spec.get(list.key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(move |c| (list.label, c))
    })
}

fn container_defaults(
    c: &mut Map<String, Value>,
    label: &str,
    defaults: Defaults,
    warnings: &mut Vec<String>,
) {
    let name = c
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let who = format!("{label} {name:?}");
    let sc_field = |c: &Map<String, Value>, field: &str| {
        c.get("securityContext")
            .and_then(|sc| sc.get(field))
            .cloned()
    };

    if defaults.allow_privilege_escalation
        && !is_set(sc_field(c, "allowPrivilegeEscalation").as_ref())
    {
        set_security_field(
            c,
            "allowPrivilegeEscalation",
            Value::Bool(false),
            format!("{who}: set securityContext.allowPrivilegeEscalation=false"),
            warnings,
        );
    }

    let drop = c
        .get("securityContext")
        .and_then(|sc| sc.get("capabilities"))
        .and_then(|caps| caps.get("drop"));
    let drops_all = drop
        .and_then(Value::as_array)
        .is_some_and(|d| d.iter().any(|v| v == "ALL"));
    if defaults.drop_all && !drops_all {
        let caps = object_at(c, "securityContext").and_then(|sc| object_at(sc, "capabilities"));
        if let Some(caps) = caps {
            match caps.get_mut("drop") {
                Some(Value::Array(list)) => list.push(Value::from("ALL")),
                _ => {
                    caps.insert("drop".to_owned(), serde_json::json!(["ALL"]));
                }
            }
            warnings.push(format!(
                r#"{who}: added "ALL" to securityContext.capabilities.drop"#
            ));
        }
    }

    if defaults.read_only_root_filesystem && !is_set(sc_field(c, "readOnlyRootFilesystem").as_ref())
    {
        set_security_field(
            c,
            "readOnlyRootFilesystem",
            Value::Bool(true),
            format!("{who}: set securityContext.readOnlyRootFilesystem=true"),
            warnings,
        );
    }
}

/// Unset means absent or `null`, as Kubernetes reads it.
fn is_set(value: Option<&Value>) -> bool {
    value.is_some_and(|v| !v.is_null())
}

/// The object under `key`, created when absent or `null`. `None` for any other value, which
/// cannot happen here: the pod was read successfully before mutation, so a field of another
/// type would have been refused already.
fn object_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Map<String, Value>> {
    let slot = map.entry(key.to_owned()).or_insert(Value::Null);
    if slot.is_null() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

/// Sets `securityContext.<field>` of a container or pod spec and records the change.
fn set_security_field(
    map: &mut Map<String, Value>,
    field: &str,
    value: Value,
    warning: String,
    warnings: &mut Vec<String>,
) {
    if let Some(sc) = object_at(map, "securityContext") {
        sc.insert(field.to_owned(), value);
        warnings.push(warning);
    }
}

fn annotations(pod: &Value) -> Option<&Map<String, Value>> {
    pod.get("metadata")?.get("annotations")?.as_object()
}

#[cfg(test)]
mod tests;
