//! Host ports (baseline, v1.0+).
//!
//! Reads `ports[*].hostPort` of every container. Allowed: unset or `0`.

use super::{sorted_set, Violation};
use crate::list::List;
use crate::pod::{Container, ObjectMeta, PodView};

pub fn check(pod: &PodView) -> Option<Violation> {
    let mut bad_containers = List::Empty;
    // PSA collects the ports as strings in a sorted set: "10000" sorts before "80".
    let mut ports = List::Empty;
    for c in pod.spec.all_containers() {
        let mut valid = true;
        for port in c
            .ports
            .iter()
            .filter_map(|p| p.host_port)
            .filter(|p| *p != 0)
        {
            valid = false;
            ports.push(port.to_string());
        }
        if !valid {
            bad_containers.push(c.name());
        }
    }
    if bad_containers.is_empty() {
        return None;
    }
    let ports = sorted_set(ports.iter().map(String::as_str).collect());
    Some(
        Violation::of("hostPort")
            .containers(&bad_containers)
            .plural(" uses ", " use ", bad_containers.len())
            .plural("hostPort ", "hostPorts ", ports.len())
            .plain(&ports),
    )
}

/// Exclusion values: host port numbers, as written in decimal.
pub fn forgive(_: &mut ObjectMeta, c: &mut Container, values: &[String]) -> Vec<String> {
    let mut taken = Vec::new();
    for port in &mut c.ports {
        if let Some(number) = port.host_port.filter(|p| *p != 0) {
            let text = number.to_string();
            if values.contains(&text) {
                port.host_port = None;
                taken.push(text);
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
    fn allows_unset_and_zero() {
        assert_eq!(
            check(&pod(
                r#"{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80},{"hostPort":0}]}]}}"#
            )),
            None
        );
    }

    #[test]
    fn lists_ports_as_sorted_strings() {
        let v = check(&pod(
            r#"{"spec":{"initContainers":[{"name":"i","ports":[{"hostPort":80}]}],
            "containers":[{"name":"c","ports":[{"hostPort":10000},{"hostPort":80}]}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.reason, "hostPort");
        assert_eq!(v.detail, r#"containers "i", "c" use hostPorts 10000, 80"#);
        let v = check(&pod(
            r#"{"spec":{"ephemeralContainers":[{"name":"e","ports":[{"hostPort":1}]}]}}"#,
        ))
        .unwrap();
        assert_eq!(v.detail, r#"container "e" uses hostPort 1"#);
    }
}
