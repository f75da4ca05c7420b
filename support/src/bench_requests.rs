//! The requests `make bench` measures, shared by `benches/native.rs` and `benches/wasm.rs`:
//! Kubewarden ValidationRequests (`{"request": <AdmissionRequest>, "settings": {}}`, so the
//! default settings: restricted, latest, requireReadOnlyRootFilesystem) shaped like what the
//! API server sends after defaulting, each with the verdict the policy must give.

use serde_json::{json, Value};

/// One request to measure.
pub struct BenchRequest {
    pub name: &'static str,
    /// The ValidationRequest as the host sends it to `validate`.
    pub payload: Vec<u8>,
    /// The same request with the three modes at three different levels and versions
    /// ([`MODES_SETTINGS`]): the verdict is the same, the enforce mode being the same.
    pub modes_payload: Vec<u8>,
    pub expect_accepted: bool,
    /// Reasons the rejection message must name (only for a rejected request).
    pub expect_reasons: &'static [&'static str],
}

/// Every reason the restricted level (latest) and requireReadOnlyRootFilesystem can give.
/// As in PSA, restricted reports a hostPath volume as "restricted volume types" and an added
/// capability as "unrestricted capabilities" (those controls supersede baseline's
/// "hostPath volumes" and "non-default capabilities").
pub const ALL_REASONS: &[&str] = &[
    "privileged",
    "host namespaces",
    "hostPort",
    "unrestricted capabilities",
    "allowPrivilegeEscalation != false",
    "runAsNonRoot != true",
    "runAsUser=0",
    "seccompProfile",
    "forbidden AppArmor profile",
    "seLinuxOptions",
    "procMount",
    "forbidden sysctls",
    "hostProcess",
    "probe or lifecycle host",
    "restricted volume types",
    "readOnlyRootFilesystem != true",
];

/// The namespace of every request.
pub const NAMESPACE: &str = "default";

/// The settings of `modes_payload`: enforce at the default restricted:latest, warn at
/// baseline:latest, audit at restricted:v1.25, and the default requireReadOnlyRootFilesystem.
pub const MODES_SETTINGS: &str = r#"{"warn":{"level":"baseline","version":"latest"},"audit":{"level":"restricted","version":"v1.25"}}"#;

/// `payload` with the modes' settings.
fn with_modes(payload: &Value) -> Vec<u8> {
    let mut payload = payload.clone();
    payload["settings"] = serde_json::from_str(MODES_SETTINGS).expect("JSON");
    serde_json::to_vec(&payload).expect("serializable")
}

/// The requests, smallest first.
pub fn requests() -> Vec<BenchRequest> {
    let compliant = |name, payload: Value| BenchRequest {
        name,
        payload: serde_json::to_vec(&payload).expect("serializable"),
        modes_payload: with_modes(&payload),
        expect_accepted: true,
        expect_reasons: &[],
    };
    vec![
        compliant("pod-minimal", minimal_pod()),
        compliant("deployment-4c", deployment()),
        compliant("pod-100c", pod_100_containers()),
        BenchRequest {
            name: "pod-violating",
            payload: serde_json::to_vec(&violating_pod()).expect("serializable"),
            modes_payload: with_modes(&violating_pod()),
            expect_accepted: false,
            expect_reasons: ALL_REASONS,
        },
        compliant("cronjob", cronjob()),
    ]
}

/// The exclusion path on pods as large as the API server stores (etcd refuses a value over
/// 1.5 MiB; annotations may take 256 KiB in all), each a ValidationRequest of about the size
/// named, so that the figures show how the cost grows with the request: linearly.
pub fn exclusion_requests() -> Vec<BenchRequest> {
    [
        ("excl-0.25MiB", 256),
        ("excl-0.5MiB", 512),
        ("excl-1MiB", 1024),
        ("excl-1.5MiB", 1536),
    ]
    .into_iter()
    .map(|(name, kib)| {
        let payload = excluded_agents(kib << 10, false);
        BenchRequest {
            name,
            // The exclusion path alone: no modes variant (empty).
            modes_payload: Vec::new(),
            payload,
            expect_accepted: true,
            expect_reasons: &[],
        }
    })
    .collect()
}

/// The image every container of [`excluded_agents`] runs, and the pattern that selects it.
pub const AGENT_IMAGE: &str = "registry.example.com/agents/node-agent:1.4.0";
pub const AGENT_PATTERN: &str = "registry.example.com/agents/node-agent:*";

/// A Pod CREATE of about `size` bytes, API-valid: containers that set nothing (each fails
/// five restricted controls), all of one image that five exclusions forgive by image, and a
/// sixth of the request in AppArmor annotations for them (the 256 KiB the API server allows,
/// at 1.5 MiB). Accepted, every container forgiven: each exclusion takes every container
/// out of the pod's view, and with them their annotations. With `distinct_images`, each
/// container runs its own tag of the image, so that no two references are alike.
pub fn excluded_agents(size: usize, distinct_images: bool) -> Vec<u8> {
    let container = |i: usize| {
        let image = if distinct_images {
            format!("{AGENT_IMAGE}-{i}")
        } else {
            AGENT_IMAGE.to_owned()
        };
        json!({"name": format!("agent-{i}"), "image": image})
    };
    let per_container = container(0).to_string().len() + 2;
    let annotation = |i: usize| {
        (
            format!("container.apparmor.security.beta.kubernetes.io/agent-{i}"),
            json!("runtime/default"),
        )
    };
    let per_annotation = annotation(0).0.len() + "runtime/default".len() + 6;
    let annotations = (size / 6 / per_annotation).max(1);
    let containers = (size - annotations * per_annotation) / per_container;
    let spec = json!({"containers": (0..containers).map(container).collect::<Vec<_>>()});
    let mut object = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "agents", "namespace": NAMESPACE,
            "annotations": (0..annotations).map(annotation).collect::<serde_json::Map<_, _>>()},
        "spec": spec});
    object["metadata"]["labels"] = json!({"app.kubernetes.io/name": "node-agent"});
    let mut request = validation_request("", "Pod", "pods", object);
    let excluded = [
        "allowPrivilegeEscalation",
        "capabilities_restricted",
        "runAsNonRoot",
        "seccompProfile_restricted",
        "readOnlyRootFilesystem",
    ];
    request["settings"] = json!({"exclusions": excluded
        .iter()
        .map(|control| json!({"control": control, "images": [AGENT_PATTERN]}))
        .collect::<Vec<_>>()});
    serde_json::to_vec(&request).expect("serializable")
}

/// Checks a ValidationResponse (as JSON) against what `request` expects.
pub fn check_verdict(request: &BenchRequest, response: &Value) -> Result<(), String> {
    let accepted = response["accepted"].as_bool();
    if accepted != Some(request.expect_accepted) {
        return Err(format!(
            "{}: expected accepted={}, got {response}",
            request.name, request.expect_accepted
        ));
    }
    let message = response["message"].as_str().unwrap_or("");
    let missing: Vec<&str> = request
        .expect_reasons
        .iter()
        .copied()
        .filter(|reason| !message.contains(reason))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "{}: the rejection names none of {missing:?}: {message}",
            request.name
        ));
    }
    Ok(())
}

/// Checks the answer to `modes_payload`: the verdict of `payload`, and PSA's audit
/// annotations (the enforce mode's level and version; the audit mode's violation, for the
/// violating pod).
pub fn check_modes_verdict(request: &BenchRequest, response: &Value) -> Result<(), String> {
    check_verdict(request, response)?;
    let annotations = &response["audit_annotations"];
    if annotations["enforce-policy"] != "restricted:latest" {
        return Err(format!("{}: modes answered {response}", request.name));
    }
    let audited = annotations["audit-violations"]
        .as_str()
        .is_some_and(|a| a.starts_with("would violate PodSecurity \"restricted:v1.25\": "));
    if audited == request.expect_accepted || !response["warnings"].is_null() {
        return Err(format!("{}: modes answered {response}", request.name));
    }
    Ok(())
}

fn validation_request(group: &str, kind: &str, resource: &str, object: Value) -> Value {
    let version = "v1";
    json!({
        "request": {
            "uid": "0f6c2b5e-93a1-4c8e-b6a4-5d2f7e9c1a30",
            "kind": {"group": group, "version": version, "kind": kind},
            "resource": {"group": group, "version": version, "resource": resource},
            "name": object["metadata"]["name"],
            "namespace": NAMESPACE,
            "operation": "CREATE",
            "userInfo": {
                "username": "alice",
                "uid": "4a1f0c2e-7b55-4e1d-9d0c-3c6b8f2a7e11",
                "groups": ["developers", "system:authenticated"]
            },
            "object": object,
            "oldObject": null,
            "dryRun": false
        },
        "settings": {}
    })
}

/// A realistic metadata block: labels, a few annotations, managedFields noise.
fn metadata(name: &str, app: &str) -> Value {
    json!({
        "name": name,
        "namespace": NAMESPACE,
        "uid": "b2d6f1a4-8c3e-4f7a-9e21-6a5c0d8b4f97",
        "creationTimestamp": "2026-11-23T09:14:07Z",
        "labels": {
            "app.kubernetes.io/name": app,
            "app.kubernetes.io/instance": format!("{app}-prod"),
            "app.kubernetes.io/version": "2.14.1",
            "app.kubernetes.io/part-of": "storefront",
            "app.kubernetes.io/managed-by": "Helm",
            "pod-template-hash": "7d9f8c6b5d"
        },
        "annotations": {
            "kubectl.kubernetes.io/restartedAt": "2026-11-22T18:02:44Z",
            "prometheus.io/scrape": "true",
            "prometheus.io/port": "9102",
            "checksum/config": "5f2b0c8e9a7d4c1b3e6f8a0d2c4b6e8f"
        },
        "managedFields": [{
            "manager": "kube-controller-manager",
            "operation": "Update",
            "apiVersion": "v1",
            "time": "2026-11-23T09:14:07Z",
            "fieldsType": "FieldsV1",
            "fieldsV1": {
                "f:metadata": {
                    "f:labels": {".": {}, "f:app.kubernetes.io/name": {}, "f:pod-template-hash": {}},
                    "f:ownerReferences": {".": {}, "k:{\"uid\":\"c1e4a7d2-5b8f-4e3a-a6d9-2f7c0b5e8a13\"}": {}}
                },
                "f:spec": {"f:containers": {"k:{\"name\":\"app\"}": {".": {}, "f:image": {}, "f:name": {}}}}
            }
        }],
        "ownerReferences": [{
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": format!("{app}-7d9f8c6b5d"),
            "uid": "c1e4a7d2-5b8f-4e3a-a6d9-2f7c0b5e8a13",
            "controller": true,
            "blockOwnerDeletion": true
        }]
    })
}

fn compliant_security_context() -> Value {
    json!({
        "allowPrivilegeEscalation": false,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": true,
        "runAsNonRoot": true,
        "seccompProfile": {"type": "RuntimeDefault"}
    })
}

/// A compliant container with the fields defaulting adds.
fn container(name: &str, image: &str) -> Value {
    json!({
        "name": name,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "ports": [{"name": "http", "containerPort": 8080, "protocol": "TCP"}],
        "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "securityContext": compliant_security_context()
    })
}

/// The pod spec fields defaulting adds, around the given containers.
fn pod_spec(init_containers: Vec<Value>, containers: Vec<Value>) -> Value {
    json!({
        "initContainers": init_containers,
        "containers": containers,
        "volumes": [
            {"name": "tmp", "emptyDir": {}},
            {"name": "config", "configMap": {"name": "storefront-config", "defaultMode": 420}},
            {"name": "kube-api-access-x7k2p", "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}
            ]}}
        ],
        "securityContext": {"runAsUser": 10001, "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}},
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "dnsPolicy": "ClusterFirst",
        "serviceAccountName": "storefront",
        "schedulerName": "default-scheduler",
        "enableServiceLinks": true,
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300}
        ]
    })
}

fn pod(name: &str, app: &str, spec: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": metadata(name, app), "spec": spec})
}

/// (a) One compliant container, realistic metadata (~2.5 KB).
fn minimal_pod() -> Value {
    let spec = pod_spec(
        vec![],
        vec![container(
            "app",
            "registry.example.com/storefront/web:2.14.1",
        )],
    );
    validation_request("", "Pod", "pods", pod("web-7d9f8c6b5d-x2lq9", "web", spec))
}

fn template(app: &str, spec: Value) -> Value {
    let mut meta = metadata("", app);
    let meta = meta.as_object_mut().expect("object");
    for generated in [
        "name",
        "namespace",
        "uid",
        "managedFields",
        "ownerReferences",
    ] {
        meta.remove(generated);
    }
    json!({"metadata": meta, "spec": spec})
}

/// (b) A compliant Deployment: one init container, three containers.
fn deployment() -> Value {
    let spec = pod_spec(
        vec![container(
            "migrate",
            "registry.example.com/storefront/migrate:2.14.1",
        )],
        vec![
            container("app", "registry.example.com/storefront/web:2.14.1"),
            container(
                "metrics",
                "registry.example.com/observability/exporter:0.9.3",
            ),
            container("proxy", "registry.example.com/mesh/proxy:1.22.0"),
        ],
    );
    let mut meta = metadata("web", "web");
    meta.as_object_mut()
        .expect("object")
        .remove("ownerReferences");
    let object = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": meta,
        "spec": {
            "replicas": 3,
            "revisionHistoryLimit": 10,
            "progressDeadlineSeconds": 600,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}},
            "template": template("web", spec)
        }
    });
    validation_request("apps", "Deployment", "deployments", object)
}

/// (c) A compliant Pod with 100 containers (~35 KB).
fn pod_100_containers() -> Value {
    let containers = (0..100)
        .map(|i| {
            json!({
                "name": format!("worker-{i:03}"),
                "image": format!("registry.example.com/batch/worker:1.{i}.0"),
                "imagePullPolicy": "IfNotPresent",
                "terminationMessagePath": "/dev/termination-log",
                "securityContext": compliant_security_context()
            })
        })
        .collect();
    let spec = pod_spec(vec![], containers);
    validation_request("", "Pod", "pods", pod("workers", "workers", spec))
}

/// (d) A Pod violating every control of restricted (latest) and requireReadOnlyRootFilesystem.
fn violating_pod() -> Value {
    let spec = json!({
        "hostPID": true,
        "hostNetwork": true,
        "hostIPC": true,
        "securityContext": {
            "runAsNonRoot": false,
            "runAsUser": 0,
            "seccompProfile": {"type": "Unconfined"},
            "appArmorProfile": {"type": "Unconfined"},
            "seLinuxOptions": {"user": "system_u", "type": "spc_t"},
            "sysctls": [{"name": "kernel.msgmax", "value": "65536"}],
            "windowsOptions": {"hostProcess": true}
        },
        "containers": [{
            "name": "attacker",
            "image": "registry.example.com/tools/debug:latest",
            "ports": [{"containerPort": 80, "hostPort": 80, "protocol": "TCP"}],
            "livenessProbe": {"httpGet": {"host": "10.0.0.1", "path": "/healthz", "port": 80}},
            "readinessProbe": {"tcpSocket": {"host": "10.0.0.2", "port": 80}},
            "securityContext": {
                "privileged": true,
                "allowPrivilegeEscalation": true,
                "capabilities": {"add": ["SYS_ADMIN"]},
                "runAsNonRoot": false,
                "runAsUser": 0,
                "readOnlyRootFilesystem": false,
                "procMount": "Unmasked",
                "seccompProfile": {"type": "Unconfined"},
                "appArmorProfile": {"type": "Unconfined"},
                "seLinuxOptions": {"user": "system_u"},
                "windowsOptions": {"hostProcess": true}
            },
            "volumeMounts": [{"name": "host-root", "mountPath": "/host"}]
        }],
        "volumes": [{"name": "host-root", "hostPath": {"path": "/", "type": "Directory"}}]
    });
    validation_request("", "Pod", "pods", pod("attacker", "attacker", spec))
}

/// (e) A compliant CronJob (template under spec.jobTemplate.spec.template).
fn cronjob() -> Value {
    let mut spec = pod_spec(
        vec![],
        vec![container(
            "report",
            "registry.example.com/storefront/report:2.14.1",
        )],
    );
    spec["restartPolicy"] = json!("OnFailure");
    let mut meta = metadata("nightly-report", "report");
    meta.as_object_mut()
        .expect("object")
        .remove("ownerReferences");
    let object = json!({
        "apiVersion": "batch/v1",
        "kind": "CronJob",
        "metadata": meta,
        "spec": {
            "schedule": "17 2 * * *",
            "concurrencyPolicy": "Forbid",
            "successfulJobsHistoryLimit": 3,
            "failedJobsHistoryLimit": 1,
            "suspend": false,
            "jobTemplate": {
                "metadata": {"labels": {"app.kubernetes.io/name": "report"}},
                "spec": {
                    "backoffLimit": 2,
                    "activeDeadlineSeconds": 3600,
                    "template": template("report", spec)
                }
            }
        }
    });
    validation_request("batch", "CronJob", "cronjobs", object)
}
