//! Shapes several checks share: who sets a forbidden profile type, forgiving a profile,
//! the containers for which a condition holds.

use super::sorted_set;
use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView, ProfileType, SecurityContext};

/// Who sets a profile `type` outside the allowed ones, and the types refused.
pub(crate) struct ForbiddenProfiles<'p> {
    pub pod: bool,
    pub containers: List<&'p str>,
    /// Sorted, unique.
    pub types: List<&'p str>,
}

/// The shared shape of the AppArmor and seccomp field checks: who sets a profile `type`
/// outside `allowed` (pod, then containers), and the refused types.
pub(crate) fn forbidden_profile_types<'p, 'a: 'p>(
    pod: &'p PodView<'a>,
    pod_profile: Option<&'p ProfileType<'a>>,
    container_profile: impl Fn(&'p SecurityContext<'a>) -> Option<&'p ProfileType<'a>>,
    allowed: &[&str],
) -> ForbiddenProfiles<'p> {
    let mut types = List::Empty;
    let mut refused = |profile: &'p ProfileType<'a>| {
        let refuse = !allowed.contains(&profile.kind());
        if refuse {
            types.push(profile.kind());
        }
        refuse
    };
    let pod_refused = pod_profile.is_some_and(&mut refused);
    let containers: List<&str> = pod
        .spec
        .all_containers()
        .filter(|c| {
            c.security_context
                .as_deref()
                .and_then(&container_profile)
                .is_some_and(&mut refused)
        })
        .map(|c| c.name())
        .collect();
    ForbiddenProfiles {
        pod: pod_refused,
        containers,
        types: sorted_set(types),
    }
}

/// The shared shape of the AppArmor and seccomp exclusions: a forgiven profile type counts
/// as `RuntimeDefault` for that container, and a forgiven value of the container's own
/// annotation (`<annotation_prefix><name>`) is taken out.
pub(crate) fn forgive_profile<'a>(
    meta: &mut ObjectMeta,
    c: &mut Container<'a>,
    values: &[String],
    annotation_prefix: &str,
    profile: impl for<'c> FnOnce(&'c mut SecurityContext<'a>) -> Option<&'c mut ProfileType<'a>>,
) -> Vec<String> {
    let listed = |s: &str| values.iter().any(|v| v == s);
    let mut taken = Vec::new();
    if let Some(profile) = c.security_context.as_deref_mut().and_then(profile) {
        if let Some(kind) = profile.kind.as_deref().filter(|k| listed(k)) {
            taken.push(kind.to_owned());
            profile.kind = Some("RuntimeDefault".into());
        }
    }
    let key = format!("{annotation_prefix}{}", c.name());
    if let Some(value) = meta.annotation(&key).filter(|a| listed(a)) {
        taken.push(value.to_owned());
        meta.annotations.remove(key.as_str());
    }
    taken
}

/// Names of the containers (in visiting order) for which `bad` holds.
pub(crate) fn containers_where<'p, 'a>(
    pod: &'p PodView<'a>,
    mut bad: impl FnMut(&'p Container<'a>) -> bool,
) -> List<&'p str> {
    pod.spec
        .all_containers()
        .filter(|c| bad(c))
        .map(|c| c.name())
        .collect()
}
