//! The pod view this policy's own JSON reader builds agrees, field by field, with what a
//! typed Kubernetes client reads (`k8s-openapi`'s `Pod`), for every field a control reads:
//! on a pod that sets every one of them, on pods generated from it, and on every PSA fixture.
//! A misspelt key in a reader reads as "unset" and fails here: the full pod sets it.

use pss_test_support as common;

use k8s_openapi::api::core::v1 as k8s;
use pod_security_standards::pod::{self, Container, PodView, SecurityContext};
use serde_json::{json, Value};

/// The fields the controls read, from the policy's view.
fn from_view(view: &PodView) -> Value {
    let spec = &view.spec;
    let containers =
        |list: &[Container]| -> Vec<Value> { list.iter().map(view_container).collect() };
    let psc = spec.security_context.as_ref();
    json!({
        "annotations": view.metadata.annotations.iter()
            .map(|(k, v)| (k.to_string(), json!(v.to_string()))).collect::<serde_json::Map<_, _>>(),
        "hostNetwork": spec.host_network, "hostPID": spec.host_pid, "hostIPC": spec.host_ipc,
        "hostUsers": spec.host_users,
        "runtimeClassName": spec.runtime_class_name.as_deref(),
        // Required strings: unset reads as "" in Go and in k8s-openapi alike.
        "os": spec.os.as_ref().map(|os| req(os.name.as_deref())),
        "pod": psc.map(|sc| json!({
            "runAsNonRoot": sc.run_as_non_root, "runAsUser": sc.run_as_user,
            "seccomp": sc.seccomp_profile.as_ref().map(|p| p.kind()),
            "appArmor": sc.app_armor_profile.as_ref().map(|p| p.kind()),
            "seLinux": sc.se_linux_options.as_ref().map(|o| json!([o.kind.as_deref(), o.user.as_deref(), o.role.as_deref()])),
            "hostProcess": sc.windows_options.as_ref().and_then(|w| w.host_process),
            "sysctls": sc.sysctls.iter().map(|s| req(s.name.as_deref())).collect::<Vec<_>>(),
        })),
        "initContainers": containers(&spec.init_containers),
        "containers": containers(&spec.containers),
        "ephemeralContainers": containers(&spec.ephemeral_containers),
        "volumes": spec.volumes.iter().map(|v| {
            let mut sources: Vec<&str> = v.sources.iter().map(|s| &**s).collect();
            sources.sort_unstable();
            let host_path = v.has_source("hostPath").then(|| req(v.host_path.as_deref()));
            json!({"name": &*v.name, "sources": sources, "hostPath": host_path})
        }).collect::<Vec<_>>(),
    })
}

fn view_container(c: &Container) -> Value {
    let handler = |h: Option<&pod::Handler>| {
        h.map(|h| {
            json!([
                h.http_get.as_ref().map(|g| g.host.as_deref()),
                h.tcp_socket.as_ref().map(|t| t.host.as_deref())
            ])
        })
    };
    let lifecycle = c.lifecycle.as_deref();
    json!({
        "name": c.name(), "image": c.image.as_deref(),
        "sc": c.security_context.as_deref().map(view_security_context),
        "hostPorts": c.ports.iter().map(|p| p.host_port).collect::<Vec<_>>(),
        "probes": [handler(c.liveness_probe.as_deref()), handler(c.readiness_probe.as_deref()),
            handler(c.startup_probe.as_deref())],
        "lifecycle": lifecycle.map(|l| json!([handler(l.post_start.as_ref()), handler(l.pre_stop.as_ref())])),
    })
}

fn view_security_context(sc: &SecurityContext) -> Value {
    json!({
        "privileged": sc.privileged, "allowPrivilegeEscalation": sc.allow_privilege_escalation,
        "runAsNonRoot": sc.run_as_non_root, "runAsUser": sc.run_as_user,
        "readOnlyRootFilesystem": sc.read_only_root_filesystem,
        "capabilities": sc.capabilities.as_ref().map(|c| json!({
            "add": c.add.iter().map(|s| &**s).collect::<Vec<_>>(),
            "drop": c.drop.iter().map(|s| &**s).collect::<Vec<_>>(),
        })),
        "procMount": sc.proc_mount.as_deref(),
        "seccomp": sc.seccomp_profile.as_ref().map(|p| p.kind()),
        "appArmor": sc.app_armor_profile.as_ref().map(|p| p.kind()),
        "seLinux": sc.se_linux_options.as_ref().map(|o| json!([o.kind.as_deref(), o.user.as_deref(), o.role.as_deref()])),
        "hostProcess": sc.windows_options.as_ref().and_then(|w| w.host_process),
    })
}

fn req(text: Option<&str>) -> &str {
    text.unwrap_or("")
}

/// The same fields, from k8s-openapi's typed Pod.
fn from_typed(p: &k8s::Pod) -> Value {
    let spec = p.spec.clone().unwrap_or_default();
    let annotations = p.metadata.annotations.clone().unwrap_or_default();
    let psc = spec.security_context.as_ref();
    json!({
        "annotations": annotations.into_iter().filter(|(k, _)| pod::read_by_controls(k))
            .map(|(k, v)| (k, json!(v))).collect::<serde_json::Map<_, _>>(),
        "hostNetwork": spec.host_network, "hostPID": spec.host_pid, "hostIPC": spec.host_ipc,
        "hostUsers": spec.host_users,
        "runtimeClassName": spec.runtime_class_name,
        "os": spec.os.as_ref().map(|os| os.name.clone()),
        "pod": psc.map(|sc| json!({
            "runAsNonRoot": sc.run_as_non_root, "runAsUser": sc.run_as_user,
            "seccomp": sc.seccomp_profile.as_ref().map(|p| p.type_.clone()),
            "appArmor": sc.app_armor_profile.as_ref().map(|p| p.type_.clone()),
            "seLinux": sc.se_linux_options.as_ref().map(|o| json!([o.type_, o.user, o.role])),
            "hostProcess": sc.windows_options.as_ref().and_then(|w| w.host_process),
            "sysctls": sc.sysctls.iter().flatten().map(|s| s.name.clone()).collect::<Vec<_>>(),
        })),
        "initContainers": spec.init_containers.iter().flatten().map(typed_container).collect::<Vec<_>>(),
        "containers": spec.containers.iter().map(typed_container).collect::<Vec<_>>(),
        "ephemeralContainers": spec.ephemeral_containers.iter().flatten().map(|e| {
            // An ephemeral container has the same fields the controls read.
            let as_container: k8s::Container = serde_json::from_value(serde_json::to_value(e).unwrap()).unwrap();
            typed_container(&as_container)
        }).collect::<Vec<_>>(),
        "volumes": spec.volumes.iter().flatten().map(|v| {
            let as_json = serde_json::to_value(v).unwrap();
            let mut sources: Vec<&str> = as_json.as_object().unwrap().keys()
                .map(String::as_str).filter(|k| *k != "name").collect();
            sources.sort_unstable();
            json!({"name": v.name, "sources": sources,
                "hostPath": v.host_path.as_ref().map(|h| h.path.clone())})
        }).collect::<Vec<_>>(),
    })
}

fn typed_container(c: &k8s::Container) -> Value {
    let handler = |http: Option<&k8s::HTTPGetAction>, tcp: Option<&k8s::TCPSocketAction>| {
        json!([http.map(|g| g.host.clone()), tcp.map(|t| t.host.clone())])
    };
    let probe = |p: &Option<k8s::Probe>| {
        p.as_ref()
            .map(|p| handler(p.http_get.as_ref(), p.tcp_socket.as_ref()))
    };
    let lifecycle_handler = |h: &Option<k8s::LifecycleHandler>| {
        h.as_ref()
            .map(|h| handler(h.http_get.as_ref(), h.tcp_socket.as_ref()))
    };
    json!({
        "name": c.name, "image": c.image,
        "sc": c.security_context.as_ref().map(|sc| json!({
            "privileged": sc.privileged, "allowPrivilegeEscalation": sc.allow_privilege_escalation,
            "runAsNonRoot": sc.run_as_non_root, "runAsUser": sc.run_as_user,
            "readOnlyRootFilesystem": sc.read_only_root_filesystem,
            "capabilities": sc.capabilities.as_ref().map(|c| json!({
                "add": c.add.clone().unwrap_or_default(), "drop": c.drop.clone().unwrap_or_default(),
            })),
            "procMount": sc.proc_mount,
            "seccomp": sc.seccomp_profile.as_ref().map(|p| p.type_.clone()),
            "appArmor": sc.app_armor_profile.as_ref().map(|p| p.type_.clone()),
            "seLinux": sc.se_linux_options.as_ref().map(|o| json!([o.type_, o.user, o.role])),
            "hostProcess": sc.windows_options.as_ref().and_then(|w| w.host_process),
        })),
        "hostPorts": c.ports.iter().flatten().map(|p| p.host_port.map(i64::from)).collect::<Vec<_>>(),
        "probes": [probe(&c.liveness_probe), probe(&c.readiness_probe), probe(&c.startup_probe)],
        "lifecycle": c.lifecycle.as_ref().map(|l| json!([lifecycle_handler(&l.post_start), lifecycle_handler(&l.pre_stop)])),
    })
}

/// Both readings of one pod's JSON must agree.
fn agree(name: &str, pod: &Value) -> Result<(), String> {
    let text = pod.to_string();
    let view = PodView::from_json(&text).map_err(|e| format!("{name}: view: {e}"))?;
    let typed: k8s::Pod =
        serde_json::from_str(&text).map_err(|e| format!("{name}: k8s-openapi: {e}"))?;
    let (ours, theirs) = (from_view(&view), from_typed(&typed));
    if ours != theirs {
        return Err(format!(
            "{name}: the view reads\n{ours:#}\nk8s-openapi reads\n{theirs:#}"
        ));
    }
    Ok(())
}

fn security_context(n: i64) -> Value {
    json!({"privileged": true, "allowPrivilegeEscalation": true, "runAsNonRoot": false,
        "runAsUser": n, "readOnlyRootFilesystem": false,
        "capabilities": {"add": ["NET_ADMIN", "SYS_TIME"], "drop": ["KILL"]},
        "procMount": "Unmasked", "seccompProfile": {"type": "Unconfined"},
        "appArmorProfile": {"type": "Unconfined"},
        "seLinuxOptions": {"type": "spc_t", "user": "u", "role": "r", "level": "s0"},
        "windowsOptions": {"hostProcess": true}})
}

fn handler(host: &str) -> Value {
    json!({"httpGet": {"host": host, "port": 80}})
}

fn container(name: &str, n: i64) -> Value {
    json!({"name": name, "image": format!("registry.example/{name}:{n}"),
        "securityContext": security_context(n),
        "ports": [{"containerPort": 80, "hostPort": 8000 + n}, {"containerPort": 81}],
        "livenessProbe": handler("live.example"),
        "readinessProbe": {"tcpSocket": {"host": "ready.example", "port": 81}},
        "startupProbe": handler("start.example"),
        "lifecycle": {"postStart": handler("post.example"),
            "preStop": {"tcpSocket": {"host": "stop.example", "port": 82}}}})
}

/// A pod that sets every field a control reads, each to a value no default has.
fn full_pod() -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "full", "annotations": {
            "container.apparmor.security.beta.kubernetes.io/app": "unconfined",
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/app": "unconfined",
            "unrelated": "x"}},
        "spec": {
            "hostNetwork": true, "hostPID": true, "hostIPC": true, "hostUsers": false,
            "runtimeClassName": "kata", "os": {"name": "linux"},
            "securityContext": {"runAsNonRoot": false, "runAsUser": 0,
                "seccompProfile": {"type": "Localhost", "localhostProfile": "p.json"},
                "appArmorProfile": {"type": "Localhost", "localhostProfile": "p"},
                "seLinuxOptions": {"type": "container_t", "user": "pu", "role": "pr"},
                "windowsOptions": {"hostProcess": false},
                "sysctls": [{"name": "kernel.shm_rmid_forced", "value": "1"}, {"name": "net.core.somaxconn", "value": "1"}]},
            "initContainers": [container("init", 1)],
            "containers": [container("app", 2), container("side", 3)],
            "ephemeralContainers": [container("debug", 4)],
            "volumes": [
                {"name": "host", "hostPath": {"path": "/var/log", "type": "Directory"}},
                {"name": "nfs", "nfs": {"server": "s", "path": "/"}},
                {"name": "scratch", "emptyDir": {}},
                {"name": "cm", "configMap": {"name": "c"}}]}})
}

/// Every path to a leaf or an array element of `value`, as JSON pointers.
fn pointers(value: &Value, at: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            let child = format!("{at}/{k}");
            out.push(child.clone());
            pointers(v, child, out);
        }),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| {
            let child = format!("{at}/{i}");
            out.push(child.clone());
            pointers(v, child, out);
        }),
        _ => {}
    }
}

/// Removes what `pointer` names (an object key or an array element).
fn without(pod: &Value, pointer: &str) -> Value {
    let mut pod = pod.clone();
    let (parent, last) = pointer.rsplit_once('/').unwrap();
    match pod.pointer_mut(parent) {
        Some(Value::Object(map)) => {
            map.remove(last);
        }
        Some(Value::Array(items)) => {
            items.remove(last.parse::<usize>().unwrap());
        }
        _ => {}
    }
    pod
}

#[test]
fn the_full_pod_reads_the_same_as_a_typed_client_reads_it() {
    agree("full pod", &full_pod()).unwrap_or_else(|e| panic!("{e}"));
}

#[test]
fn every_pod_with_one_field_taken_out_or_nulled_reads_the_same() {
    let full = full_pod();
    let mut paths = Vec::new();
    pointers(&full, String::new(), &mut paths);
    assert!(
        paths.len() > 150,
        "the full pod lost its fields: {}",
        paths.len()
    );
    let mut failures = Vec::new();
    for path in &paths {
        // Required fields (a container's name, a port's number) must stay for the typed
        // client; the view does not require them.
        let removed = without(&full, path);
        let nulled = {
            let mut pod = full.clone();
            if let Some(slot) = pod.pointer_mut(path) {
                *slot = Value::Null;
            }
            pod
        };
        for (how, pod) in [("without", removed), ("null at", nulled)] {
            let name = format!("{how} {path}");
            let text = pod.to_string();
            if serde_json::from_str::<k8s::Pod>(&text).is_err() {
                continue; // not a pod a typed client accepts: nothing to compare with
            }
            if let Err(e) = agree(&name, &pod) {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn a_misspelt_key_is_caught() {
    // What a typo in one of the view's readers would do: the view sees the field unset
    // while the typed client sees it set. The projection must tell them apart.
    let full = full_pod();
    let mut misspelt = full.clone();
    let sc = misspelt
        .pointer_mut("/spec/containers/0/securityContext")
        .unwrap();
    let value = sc["allowPrivilegeEscalation"].take();
    sc["allowPrivilegeEscalaton"] = value;
    let text = misspelt.to_string();
    // k8s-openapi drops unknown keys too, so read the typed side from the correct spelling.
    let view = PodView::from_json(&text);
    let typed: k8s::Pod = serde_json::from_value(full).unwrap();
    let view = view.expect("an unknown key is skipped by the view");
    assert_ne!(from_view(&view), from_typed(&typed));
}

#[test]
fn every_psa_fixture_reads_the_same_as_a_typed_client_reads_it() {
    let Some(fixtures) = common::load_fixtures() else {
        return;
    };
    let mut failures = Vec::new();
    for f in &fixtures {
        if let Err(e) = agree(&f.path.display().to_string(), &f.pod) {
            failures.push(e);
        }
    }
    println!(
        "schema: {} fixtures compared with k8s-openapi",
        fixtures.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
