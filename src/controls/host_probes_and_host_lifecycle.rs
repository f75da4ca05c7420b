//! Probe and lifecycle hosts (baseline, v1.34+).
//!
//! Reads `host` of `httpGet` and `tcpSocket` in `livenessProbe`, `readinessProbe`,
//! `startupProbe`, `lifecycle.postStart` and `lifecycle.preStop` of every container.
//! Allowed: unset or `""` (the kubelet then probes the pod's own IP).

use super::{sorted_set, Violation};
use crate::list::List;
use crate::pod::{Container, Handler, ObjectMeta, PodView};

pub fn check(pod: &PodView) -> Option<Violation> {
    // Both lists are sets, sorted: PSA reports these containers by name, not by position.
    let mut bad_containers = List::Empty;
    let mut hosts = List::Empty;
    for c in pod.spec.all_containers() {
        let lifecycle = c.lifecycle.as_deref();
        let handlers = [
            c.liveness_probe.as_deref(),
            c.readiness_probe.as_deref(),
            c.startup_probe.as_deref(),
            lifecycle.and_then(|l| l.post_start.as_ref()),
            lifecycle.and_then(|l| l.pre_stop.as_ref()),
        ];
        for host in handlers.into_iter().flatten().flat_map(Handler::hosts) {
            bad_containers.push(c.name());
            hosts.push(host);
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let containers = sorted_set(bad_containers);
    let hosts = sorted_set(hosts);
    Some(
        Violation::of("probe or lifecycle host")
            .containers(&containers)
            .plural(" uses ", " use ", containers.len())
            .plural(
                "probe or lifecycle host ",
                "probe or lifecycle hosts ",
                hosts.len(),
            )
            .quoted(&hosts),
    )
}

impl Handler<'_> {
    /// The non-empty hosts this probe or handler would connect to.
    fn hosts(&self) -> impl Iterator<Item = &str> {
        [self.http_get.as_ref(), self.tcp_socket.as_ref()]
            .into_iter()
            .flatten()
            .filter_map(|h| h.host.as_deref())
            .filter(|h| !h.is_empty())
    }
}

/// Exclusion values: host names or addresses.
pub fn forgive(_: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    let mut taken = Vec::new();
    let lifecycle = c.lifecycle.as_deref_mut();
    let (post_start, pre_stop) = match lifecycle {
        Some(l) => (l.post_start.as_mut(), l.pre_stop.as_mut()),
        None => (None, None),
    };
    let handlers = [
        c.liveness_probe.as_deref_mut(),
        c.readiness_probe.as_deref_mut(),
        c.startup_probe.as_deref_mut(),
        post_start,
        pre_stop,
    ];
    for handler in handlers.into_iter().flatten() {
        for field in [handler.http_get.as_mut(), handler.tcp_socket.as_mut()]
            .into_iter()
            .flatten()
        {
            if let Some(host) = field
                .host
                .as_deref()
                .filter(|h| values.iter().any(|v| v == h))
            {
                taken.push(host.to_owned());
                field.host = None;
            }
        }
    }
    taken
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::test_support::pod;

    #[test]
    fn allows_unset_and_empty_hosts() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","livenessProbe":{"httpGet":{"port":80,"host":""}},
                "lifecycle":{"preStop":{"tcpSocket":{"port":1}}}}]}}"#
            )),
            None
        );
    }

    #[test]
    fn names_sorted_containers_and_hosts() {
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"z","readinessProbe":{"tcpSocket":{"host":"10.0.0.1"}}}],
            "initContainers":[{"name":"b","startupProbe":{"httpGet":{"host":"a.example"}},
              "lifecycle":{"postStart":{"httpGet":{"host":"a.example"}}}}],
            "ephemeralContainers":[{"name":"a","lifecycle":{"preStop":{"tcpSocket":{"host":"b.example"}}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "probe or lifecycle host");
        assert_eq!(
            v.detail,
            r#"containers "a", "b", "z" use probe or lifecycle hosts "10.0.0.1", "a.example", "b.example""#
        );
        let v = check(&pod(
            r#"{"spec":{"containers":[{"name":"c","livenessProbe":{"httpGet":{"host":"h"}}}]}}"#,
        ))
        .unwrap();
        assert_eq!(
            v.detail,
            r#"container "c" uses probe or lifecycle host "h""#
        );
    }
}
