//! SELinux options (baseline, v1.0+).
//!
//! Reads `seLinuxOptions.type`, `.user` and `.role` of `spec.securityContext` and of every
//! container. Allowed: `type` unset, `""`, `container_t`, `container_init_t`,
//! `container_kvm_t`, and from v1.31 also `container_engine_t`; `user` and `role` unset or
//! `""`.

use super::{containers_where, sorted_set, Violation};
use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView, SeLinuxOptions};

const TYPES_V1_0: &[&str] = &["", "container_t", "container_init_t", "container_kvm_t"];
const TYPES_V1_31: &[&str] = &[
    "",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

pub fn check_v1_0(pod: &PodView) -> Option<Violation> {
    check_with(pod, TYPES_V1_0)
}

pub fn check_v1_31(pod: &PodView) -> Option<Violation> {
    check_with(pod, TYPES_V1_31)
}

#[derive(Default)]
struct Findings<'p> {
    types: List<&'p str>,
    user: bool,
    role: bool,
}

impl<'p> Findings<'p> {
    /// Records what is wrong with `opts`; true when nothing is.
    fn valid(&mut self, opts: &'p SeLinuxOptions, allowed: &[&str]) -> bool {
        let kind = opts.kind.as_deref().unwrap_or("");
        let mut valid = true;
        if !allowed.contains(&kind) {
            valid = false;
            self.types.push(kind);
        }
        if opts.user.as_deref().is_some_and(|u| !u.is_empty()) {
            valid = false;
            self.user = true;
        }
        if opts.role.as_deref().is_some_and(|r| !r.is_empty()) {
            valid = false;
            self.role = true;
        }
        valid
    }
}

fn check_with(pod: &PodView, allowed: &[&str]) -> Option<Violation> {
    let mut found = Findings::default();
    let pod_bad = pod
        .spec
        .security_context
        .as_ref()
        .and_then(|sc| sc.se_linux_options.as_ref())
        .is_some_and(|opts| !found.valid(opts, allowed));
    let containers = containers_where(pod, |c| {
        c.security_context
            .as_ref()
            .and_then(|sc| sc.se_linux_options.as_ref())
            .is_some_and(|opts| !found.valid(opts, allowed))
    });
    if !pod_bad && containers.is_empty() {
        return None;
    }
    let mut v = Violation::of("seLinuxOptions")
        .setters(pod_bad, &containers)
        .text(" set forbidden securityContext.seLinuxOptions: ");
    // The findings, joined with "; ".
    let mut separator = "";
    if !found.types.is_empty() {
        let types = sorted_set(found.types);
        v = v.plural("type ", "types ", types.len()).quoted(&types);
        separator = "; ";
    }
    if found.user {
        v = v.text(separator).text("user may not be set");
        separator = "; ";
    }
    if found.role {
        v = v.text(separator).text("role may not be set");
    }
    Some(v)
}

/// Exclusion values: SELinux types, users or roles a container sets.
pub fn forgive(_: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    let Some(opts) = c
        .security_context
        .as_mut()
        .and_then(|sc| sc.se_linux_options.as_mut())
    else {
        return Vec::new();
    };
    let mut taken = Vec::new();
    for field in [&mut opts.kind, &mut opts.user, &mut opts.role] {
        if let Some(value) = field.as_deref().filter(|f| values.iter().any(|v| v == f)) {
            taken.push(value.to_owned());
            *field = None;
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_container_types_and_level() {
        let p = pod(
            r#"{"spec":{"securityContext":{"seLinuxOptions":{"level":"s0:c1","type":"container_t"}},
            "containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_init_t","user":""}}}]}}"#,
        );
        assert_eq!(check_v1_0(&p), None);
    }

    #[test]
    fn container_engine_t_is_allowed_from_v1_31() {
        let p = pod(
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"seLinuxOptions":{"type":"container_engine_t"}}}]}}"#,
        );
        let v = check_v1_0(&p).unwrap();
        assert_eq!(
            v.detail,
            r#"container "a" set forbidden securityContext.seLinuxOptions: type "container_engine_t""#
        );
        assert_eq!(check_v1_31(&p), None);
    }

    #[test]
    fn reports_types_user_and_role() {
        let v = check_v1_31(&pod(
            r#"{"spec":{"securityContext":{"seLinuxOptions":{"user":"root"}},
            "initContainers":[{"name":"i","securityContext":{"seLinuxOptions":{"type":"spc_t","role":"r"}}}],
            "containers":[{"name":"c","securityContext":{"seLinuxOptions":{"type":"unconfined_t"}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "seLinuxOptions");
        assert_eq!(
            v.detail,
            r#"pod and containers "i", "c" set forbidden securityContext.seLinuxOptions: types "spc_t", "unconfined_t"; user may not be set; role may not be set"#
        );
    }
}
