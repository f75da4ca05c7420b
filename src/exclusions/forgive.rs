//! Taking what an exclusion forgives out of a view of the pod: the selected containers
//! (with the annotations that name them), or the forgiven values.

use super::{Exclusion, Notes};
use crate::controls::{app_armor_profile, seccomp_profile_baseline, Control, Scope};
use crate::json::Str;
use crate::pod::{ContainerKind, ObjectMeta, PodView};

/// Takes out of `view` what `exclusion` forgives, noting each container or value taken.
pub(super) fn forgive(
    control: &Control,
    exclusion: &Exclusion,
    view: &mut PodView,
    notes: &mut Notes,
) {
    let id = control.id.as_str();
    match control.scope {
        Scope::Pod {
            forgive: Some(forgive_values),
        } => {
            for value in forgive_values(view, &exclusion.values) {
                notes.push(|| format!("control {id:?} excluded for {value:?}"));
            }
        }
        Scope::Pod { forgive: None } => {}
        Scope::Container {
            forgive: forgive_values,
        } => {
            let PodView { metadata, spec, .. } = view;
            // The names of the containers taken out, when there are annotations to take.
            let keep_names = metadata
                .annotations
                .keys()
                .any(|key| container_of_annotation(key).is_some());
            let mut removed = Vec::new();
            let mut last = (String::new(), None);
            for (kind, list) in [
                (ContainerKind::Init, &mut spec.init_containers),
                (ContainerKind::Regular, &mut spec.containers),
                (ContainerKind::Ephemeral, &mut spec.ephemeral_containers),
            ] {
                let label = kind.label();
                list.retain_mut(|c| {
                    if !exclusion.selects(c, &mut last) {
                        return true;
                    }
                    match forgive_values {
                        Some(forgive_values) if !exclusion.values.is_empty() => {
                            let taken = forgive_values(metadata, c, &exclusion.values);
                            if !taken.is_empty() {
                                notes.push(|| {
                                    format!(
                                        "control {id:?} excluded for {label} {:?} ({})",
                                        c.name(),
                                        taken.join(", ")
                                    )
                                });
                            }
                            true
                        }
                        _ => {
                            notes.push(|| {
                                format!("control {id:?} excluded for {label} {:?}", c.name())
                            });
                            if keep_names {
                                removed.push(c.name.clone().unwrap_or_default());
                            }
                            false
                        }
                    }
                });
            }
            forget_annotations(metadata, removed);
        }
    }
}

/// The container a per-container annotation is about: what follows its prefix. The pod
/// view keeps no other annotation whose key names a container (see `read_by_controls`).
fn container_of_annotation(key: &str) -> Option<&str> {
    key.strip_prefix(app_armor_profile::ANNOTATION_PREFIX)
        .or_else(|| key.strip_prefix(seccomp_profile_baseline::CONTAINER_ANNOTATION_PREFIX))
}

/// Takes the per-container annotations of the containers taken out of the view out with
/// them. The names are sorted once, and each annotation looks its container up among them:
/// thousands of containers and annotations cost n log n, where scanning the names for each
/// annotation was quadratic.
fn forget_annotations(metadata: &mut ObjectMeta, mut removed: Vec<Str>) {
    if removed.is_empty() {
        return;
    }
    removed.sort_unstable();
    metadata.annotations.retain(|key, _| {
        container_of_annotation(key)
            .is_none_or(|name| removed.binary_search_by(|r| (**r).cmp(name)).is_err())
    });
}
