//! Sysctls (baseline, v1.0+).
//!
//! Reads `spec.securityContext.sysctls[*].name`. Allowed: unset, or names from the safe set
//! of the policy version:
//! v1.0: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`, `net.ipv4.tcp_syncookies`,
//! `net.ipv4.ping_group_range`, `net.ipv4.ip_unprivileged_port_start`;
//! v1.27 adds `net.ipv4.ip_local_reserved_ports`;
//! v1.29 adds `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
//! `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`;
//! v1.32 adds `net.ipv4.tcp_rmem`, `net.ipv4.tcp_wmem`;
//! v1.37 adds `net.ipv4.tcp_slow_start_after_idle`, `net.ipv4.tcp_notsent_lowat`.

use super::Violation;
use crate::list::List;
use crate::pod::PodView;

/// The safe set, in the order the versions added them.
const SAFE: [&str; 14] = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_unprivileged_port_start",
    // v1.27
    "net.ipv4.ip_local_reserved_ports",
    // v1.29
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
    // v1.32
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_wmem",
    // v1.37
    "net.ipv4.tcp_slow_start_after_idle",
    "net.ipv4.tcp_notsent_lowat",
];

pub fn check_v1_0(pod: &PodView) -> Option<Violation> {
    check_with(pod, &SAFE[..5])
}

pub fn check_v1_27(pod: &PodView) -> Option<Violation> {
    check_with(pod, &SAFE[..6])
}

pub fn check_v1_29(pod: &PodView) -> Option<Violation> {
    check_with(pod, &SAFE[..10])
}

pub fn check_v1_32(pod: &PodView) -> Option<Violation> {
    check_with(pod, &SAFE[..12])
}

pub fn check_v1_37(pod: &PodView) -> Option<Violation> {
    check_with(pod, &SAFE)
}

fn check_with(pod: &PodView, safe: &[&str]) -> Option<Violation> {
    let sysctls = pod.spec.security_context.as_ref().map(|sc| &*sc.sysctls)?;
    // Listed in pod order, repeats included, as PSA lists them.
    let forbidden: List<&str> = sysctls
        .iter()
        .map(|s| s.name.as_deref().unwrap_or(""))
        .filter(|name| !safe.contains(name))
        .collect();
    if forbidden.is_empty() {
        return None;
    }
    Some(Violation::of("forbidden sysctls").plain(&forbidden))
}

/// Exclusion values: sysctl names.
pub fn forgive(pod: &mut PodView, values: &[String]) -> Vec<String> {
    let Some(sc) = pod.spec.security_context.as_mut() else {
        return Vec::new();
    };
    let mut taken = Vec::new();
    sc.sysctls.retain(|s| {
        let name = s.name.as_deref().unwrap_or("");
        let forgiven = values.iter().any(|v| v == name);
        if forgiven {
            taken.push(name.to_owned());
        }
        !forgiven
    });
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    fn with(names: &[&str]) -> crate::pod::PodView<'static> {
        let list: Vec<String> = names
            .iter()
            .map(|n| format!(r#"{{"name":"{n}","value":"1"}}"#))
            .collect();
        pod(&format!(
            r#"{{"spec":{{"securityContext":{{"sysctls":[{}]}}}}}}"#,
            list.join(",")
        ))
    }

    #[test]
    fn each_version_allows_its_safe_set() {
        assert_eq!(check_v1_0(&with(&SAFE[..5])), None);
        assert_eq!(check_v1_27(&with(&SAFE[..6])), None);
        assert_eq!(check_v1_29(&with(&SAFE[..10])), None);
        assert_eq!(check_v1_32(&with(&SAFE[..12])), None);
        assert_eq!(check_v1_37(&with(&SAFE)), None);
    }

    #[test]
    fn names_added_later_are_forbidden_earlier() {
        let v = check_v1_0(&with(&["net.ipv4.ip_local_reserved_ports"])).unwrap();
        assert_eq!(v.detail, "net.ipv4.ip_local_reserved_ports");
        assert!(check_v1_27(&with(&["net.ipv4.tcp_fin_timeout"])).is_some());
        assert!(check_v1_29(&with(&["net.ipv4.tcp_rmem"])).is_some());
        assert!(check_v1_32(&with(&["net.ipv4.tcp_notsent_lowat"])).is_some());
    }

    #[test]
    fn lists_forbidden_in_order() {
        let v = check_v1_37(&with(&[
            "kernel.msgmax",
            "kernel.shm_rmid_forced",
            "a",
            "kernel.msgmax",
        ]))
        .unwrap();
        assert_eq!(v.reason, "forbidden sysctls");
        assert_eq!(v.detail, "kernel.msgmax, a, kernel.msgmax");
    }
}
