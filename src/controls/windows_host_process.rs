//! Windows HostProcess containers (baseline, v1.0+).
//!
//! Reads `windowsOptions.hostProcess` of `spec.securityContext` and of every container.
//! Allowed: unset or `false`.

use super::{containers_where, Violation};
use crate::pod::{PodView, WindowsOptions};

fn host_process(options: Option<&WindowsOptions>) -> bool {
    options.and_then(|o| o.host_process) == Some(true)
}

pub fn check(pod: &PodView) -> Option<Violation> {
    let pod_set = host_process(
        pod.spec
            .security_context
            .as_ref()
            .and_then(|sc| sc.windows_options.as_ref()),
    );
    let containers = containers_where(pod, |c| {
        host_process(
            c.security_context
                .as_ref()
                .and_then(|sc| sc.windows_options.as_ref()),
        )
    });
    if !pod_set && containers.is_empty() {
        return None;
    }
    Some(
        Violation::of("hostProcess")
            .setters(pod_set, &containers)
            .text(" must not set securityContext.windowsOptions.hostProcess=true"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_unset_and_false() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"securityContext":{"windowsOptions":{"hostProcess":false}},"containers":[{"name":"a","securityContext":{"windowsOptions":{}}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn reports_pod_and_containers() {
        let v = check(&pod(
            r#"{"spec":{"securityContext":{"windowsOptions":{"hostProcess":true}},
            "containers":[{"name":"a","securityContext":{"windowsOptions":{"hostProcess":true}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "hostProcess");
        assert_eq!(
            v.detail,
            r#"pod and container "a" must not set securityContext.windowsOptions.hostProcess=true"#
        );
    }
}
