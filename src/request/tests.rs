//! Reading requests of every kind, and the decisions made on them.

use super::admission::IGNORED_POD_SUBRESOURCES;
use super::*;
use crate::refusal::BadRequest;
use crate::settings::Settings;
use serde_json::{json, Value};

fn settings() -> Settings {
    Settings::from_json(
        r#"{"exemptions":{"namespaces":["kube-system"],"usernames":["system:admin"],"runtimeClasses":["kata"]}}"#,
    )
    .unwrap()
}

fn parse(text: &str, reading: Reading) -> json::Result<AdmissionRequest<'_>> {
    Reader::read_all(text, |r| AdmissionRequest::read(r, reading))
}

/// Runs `subject` on a request and hands the result to `f` (the pod borrows the text).
fn with_subject<R>(request: Value, f: impl FnOnce(Result<Subject, BadRequest>) -> R) -> R {
    let text = request.to_string();
    let req = parse(&text, Reading::Raw).unwrap();
    f(req.subject(&settings()))
}

fn describe(s: Result<Subject, BadRequest>) -> String {
    match s {
        Ok(Subject::Pass(p)) => format!("pass {p:?}"),
        Ok(Subject::Exempt(e)) => format!("exempt {e:?}"),
        Ok(Subject::Evaluate(e)) => format!("evaluate {}", e.pod.spec.all_containers().count()),
        Err(e) => format!("error {e}"),
    }
}

/// The outcome with the object kept raw; reading in one pass, wherever it reads the
/// request at all, must come to the same.
fn outcome(request: Value) -> String {
    let raw = with_subject(request.clone(), describe);
    let text = request.to_string();
    if let Ok(req) = parse(&text, Reading::OnePass) {
        if req.read_consistently() {
            assert_eq!(
                describe(req.subject(&settings())),
                raw,
                "one pass vs raw: {text}"
            );
        }
    }
    raw
}

#[test]
fn one_pass_reads_creates_and_defers_everything_else() {
    let text = pod_request("CREATE", pod("nginx")).to_string();
    let req = parse(&text, Reading::OnePass).unwrap();
    assert!(matches!(
        req.object,
        Some(ObjectField::Read(PodCarrier::Pod, _))
    ));
    // Object keys in any order: `kind` sorts before `object`, `resource` after it.
    let text = pod_request("UPDATE", pod("nginx")).to_string();
    let req = parse(&text, Reading::OnePass).unwrap();
    assert!(req.read_consistently(), "a pod update needs no raw JSON");
    let dep = workload_request(
        "Deployment",
        "apps",
        "deployments",
        json!({"spec": {"template": {}}}),
    );
    let mut upd = dep.clone();
    upd["operation"] = json!("UPDATE");
    let text = upd.to_string();
    assert!(
        !parse(&text, Reading::OnePass).unwrap().read_consistently(),
        "templates compare raw"
    );
    let text = dep.to_string();
    assert!(parse(&text, Reading::OnePass).unwrap().read_consistently());
    // A kind named after the object: read raw, not guessed.
    let late = r#"{"operation":"CREATE","object":{"spec":{}},"kind":{"group":"","kind":"Pod"}}"#;
    let req = parse(late, Reading::OnePass).unwrap();
    assert!(matches!(req.object, Some(ObjectField::Raw(_))));
    // A resource that disagrees, named after the object: read again raw, and refused.
    let sub = r#"{"kind":{"group":"","kind":"Pod"},"operation":"CREATE","object":{"spec":{}},
        "resource":{"group":"apps","resource":"deployments"}}"#;
    let req = parse(sub, Reading::OnePass).unwrap();
    assert!(!req.read_consistently());
    // A malformed object fails the one pass; the raw reading then explains it.
    let bad = pod_request("CREATE", json!({"spec": {"containers": 5}})).to_string();
    assert!(parse(&bad, Reading::OnePass).is_err());
    assert!(outcome(serde_json::from_str(&bad).unwrap()).starts_with("error cannot read the Pod"));
}

fn pod(image: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
           "spec": {"containers": [{"name": "app", "image": image}]}})
}

fn pod_request(op: &str, object: Value) -> Value {
    json!({"kind": {"group": "", "version": "v1", "kind": "Pod"},
           "resource": {"group": "", "version": "v1", "resource": "pods"},
           "operation": op, "namespace": "default",
           "userInfo": {"username": "alice"}, "object": object})
}

fn workload_request(kind: &str, group: &str, resource: &str, object: Value) -> Value {
    json!({"kind": {"group": group, "version": "v1", "kind": kind},
           "resource": {"group": group, "version": "v1", "resource": resource},
           "operation": "CREATE", "namespace": "default", "object": object})
}

#[test]
fn pods_are_evaluated_other_kinds_and_operations_pass() {
    assert_eq!(outcome(pod_request("CREATE", pod("nginx"))), "evaluate 1");
    assert!(outcome(pod_request("DELETE", Value::Null)).starts_with("pass NotApplicable"));
    let svc = json!({"kind": {"group": "", "version": "v1", "kind": "Service"},
                     "resource": {"group": "", "version": "v1", "resource": "services"},
                     "operation": "CREATE", "object": {"kind": "Service"}});
    assert!(outcome(svc).starts_with("pass NotApplicable"));
    // A CRD that happens to be called Deployment is not ours.
    let crd = workload_request("Deployment", "example.com", "deployments", json!({}));
    assert!(outcome(crd).starts_with("pass NotApplicable"));
}

#[test]
fn every_workload_kind_is_read_from_its_template() {
    let template = json!({"metadata": {"annotations": {"seccomp.security.alpha.kubernetes.io/pod": "b"}},
                          "spec": {"containers": [{"name": "x"}, {"name": "y"}]}});
    let cases = [
        (
            "PodTemplate",
            "",
            "podtemplates",
            json!({"kind": "PodTemplate", "template": template}),
        ),
        (
            "ReplicationController",
            "",
            "replicationcontrollers",
            json!({"spec": {"template": template}}),
        ),
        (
            "ReplicaSet",
            "apps",
            "replicasets",
            json!({"spec": {"template": template}}),
        ),
        (
            "Deployment",
            "apps",
            "deployments",
            json!({"spec": {"template": template}}),
        ),
        (
            "StatefulSet",
            "apps",
            "statefulsets",
            json!({"spec": {"template": template}}),
        ),
        (
            "DaemonSet",
            "apps",
            "daemonsets",
            json!({"spec": {"template": template}}),
        ),
        (
            "Job",
            "batch",
            "jobs",
            json!({"spec": {"template": template}}),
        ),
        (
            "CronJob",
            "batch",
            "cronjobs",
            json!({"spec": {"jobTemplate": {"spec": {"template": template}}}}),
        ),
    ];
    for (kind, group, resource, object) in cases {
        with_subject(
            workload_request(kind, group, resource, object),
            |s| match s {
                Ok(Subject::Evaluate(e)) => {
                    assert_eq!(e.pod.spec.containers.len(), 2, "{kind}");
                    assert_eq!(
                        e.pod
                            .metadata
                            .annotation("seccomp.security.alpha.kubernetes.io/pod"),
                        Some("b"),
                        "{kind}"
                    );
                    assert!(e.mutable, "{kind}");
                }
                _ => panic!("{kind} not evaluated"),
            },
        );
    }
}

#[test]
fn missing_or_unreadable_objects_are_errors() {
    let no_template = workload_request(
        "Deployment",
        "apps",
        "deployments",
        json!({"spec": {"replicas": 1}}),
    );
    assert_eq!(
        outcome(no_template),
        "error request.object has no spec.template: a Deployment must carry a pod template"
    );
    let null_template = workload_request(
        "CronJob",
        "batch",
        "cronjobs",
        json!({"spec": {"jobTemplate": null}}),
    );
    assert!(outcome(null_template).contains("no spec.jobTemplate.spec.template"));
    assert!(outcome(pod_request("CREATE", Value::Null))
        .starts_with("error the request carries no object"));
    let wrong = json!({"spec": {"template": {"spec": {"containers": [{"name": 5}]}}}});
    let msg = outcome(workload_request("Job", "batch", "jobs", wrong));
    assert!(
        msg.starts_with("error cannot read the Job in request.object: spec.template.spec.containers[0].name: invalid type"),
        "{msg}"
    );
    assert!(outcome(pod_request("CREATE", json!([1, 2]))).starts_with("error cannot read the Pod"));
}

#[test]
fn the_audit_scanners_resource_named_by_kind_is_read_as_admission() {
    // internal/audit-scanner/scanner/admission_request.go: resource.resource is the Kind.
    let mut r = pod_request("CREATE", pod("nginx"));
    r["resource"]["resource"] = json!("Pod");
    assert_eq!(
        outcome(r.clone()),
        outcome(pod_request("CREATE", pod("nginx")))
    );
    let mut d = workload_request("Deployment", "apps", "Deployment", json!({}));
    d["object"] =
        json!({"spec": {"template": {"spec": {"containers": [{"name": "a", "image": "a"}]}}}});
    assert!(outcome(d).starts_with("evaluate"), "a Deployment audited");
    // Only the Kind's own name in the Kind's own group.
    r["resource"]["group"] = json!("apps");
    assert!(outcome(r).contains("disagree"));
    let mut r = pod_request("CREATE", pod("nginx"));
    r["resource"]["resource"] = json!("Deployment");
    assert!(outcome(r).contains("disagree"));
}

#[test]
fn kind_and_resource_must_agree() {
    let mut r = pod_request("CREATE", pod("nginx"));
    r["resource"]["resource"] = json!("deployments");
    r["resource"]["group"] = json!("apps");
    assert!(outcome(r).contains("disagree"));
    let mut r = pod_request("CREATE", pod("nginx"));
    r["kind"]["kind"] = json!("ConfigMap");
    assert!(outcome(r).contains("disagree"));
    let mut r = pod_request("CREATE", pod("nginx"));
    r["kind"] = Value::Null;
    assert!(outcome(r).starts_with("error request.kind is missing"));
    let mut r = pod_request("CREATE", pod("nginx"));
    r["object"]["kind"] = json!("Deployment");
    assert_eq!(
        outcome(r),
        r#"error request.object.kind "Deployment" does not match the request's kind "Pod""#
    );
}

#[test]
fn subresources_follow_psa() {
    for sub in IGNORED_POD_SUBRESOURCES {
        let mut r = pod_request("CREATE", json!({"kind": "Whatever"}));
        r["subResource"] = json!(sub);
        r["kind"] = json!({"group": "", "version": "v1", "kind": "Binding"});
        assert!(outcome(r).starts_with("pass Subresource"), "{sub}");
    }
    // A subresource this policy does not know is judged on the object sent.
    let mut r = pod_request("UPDATE", pod("nginx"));
    r["subResource"] = json!("somethingnew");
    assert_eq!(outcome(r), "evaluate 1");
    // The two that change a running pod are judged as the API server stores them, so
    // they need the stored pod (see `subresource_updates_are_judged_as_stored`).
    for sub in ["ephemeralcontainers", "resize"] {
        let mut r = pod_request("UPDATE", pod("nginx"));
        r["subResource"] = json!(sub);
        assert!(
            outcome(r.clone()).starts_with("error request.oldObject is missing"),
            "{sub}"
        );
        r["oldObject"] = pod("nginx");
        assert_eq!(outcome(r), "pass InsignificantUpdate", "{sub}");
    }
    let mut scale = workload_request("Scale", "autoscaling", "deployments", json!({}));
    scale["resource"]["group"] = json!("apps");
    scale["subResource"] = json!("scale");
    assert!(outcome(scale).starts_with("pass Subresource"));
}

/// The pod judged for a subresource UPDATE, as the pod's security context and its
/// containers' names and images: `(pod fields, containers)`.
fn judged(request: Value) -> String {
    with_subject(request, |s| match s {
        Ok(Subject::Evaluate(e)) => {
            let sc = e.pod.spec.security_context.as_ref();
            let names: Vec<String> = (e.pod.spec.containers_with_kind())
                .map(|(kind, c)| {
                    format!(
                        "{} {}={}",
                        kind.label(),
                        c.name(),
                        c.image.as_deref().unwrap_or("")
                    )
                })
                .collect();
            format!(
                "runAsNonRoot={:?} runtimeClass={:?} os={:?} hostUsers={:?} annotations={:?} mutable={} [{}]",
                sc.and_then(|sc| sc.run_as_non_root),
                e.pod.spec.runtime_class_name.as_deref(),
                e.pod.spec.os.as_ref().and_then(|os| os.name.as_deref()),
                e.pod.spec.host_users,
                e.pod.metadata.annotations.len(),
                e.mutable,
                names.join(", ")
            )
        }
        other => describe(other),
    })
}

fn subresource_update(sub: &str, sent: Value, stored: Value) -> Value {
    let mut r = pod_request("UPDATE", sent);
    r["subResource"] = json!(sub);
    r["oldObject"] = stored;
    r
}

#[test]
fn subresource_updates_are_judged_as_stored() {
    let stored = pod("nginx");
    let mut sent = pod("evil:1");
    sent["metadata"]["annotations"] =
        json!({"container.apparmor.security.beta.kubernetes.io/app": "runtime/default"});
    sent["spec"]["securityContext"] = json!({"runAsNonRoot": true});
    sent["spec"]["runtimeClassName"] = json!("kata-not-exempt");
    sent["spec"]["os"] = json!({"name": "windows"});
    sent["spec"]["hostUsers"] = json!(false);
    sent["spec"]["initContainers"] = json!([{"name": "i", "image": "busybox"}]);
    sent["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
    // Only the ephemeral containers come from what was sent.
    assert_eq!(
        judged(subresource_update("ephemeralcontainers", sent.clone(), stored.clone())),
        "runAsNonRoot=None runtimeClass=None os=None hostUsers=None annotations=0 mutable=false [container app=nginx, ephemeral container debug=busybox]"
    );
    // The stored pod's exempt runtime class exempts; one sent along does not.
    let mut exempt = stored.clone();
    exempt["spec"]["runtimeClassName"] = json!("kata");
    assert_eq!(
        judged(subresource_update(
            "ephemeralcontainers",
            sent.clone(),
            exempt
        )),
        r#"exempt RuntimeClass("kata")"#
    );
    sent["spec"]["runtimeClassName"] = json!("kata");
    assert!(judged(subresource_update(
        "ephemeralcontainers",
        sent.clone(),
        stored.clone()
    ))
    .starts_with("runAsNonRoot=None runtimeClass=None"));
    // PSA's rule on the stored pod: an ephemeral container added or re-imaged counts,
    // nothing else (the sent image of "app" and the new init container are dropped).
    let mut same = sent.clone();
    same["spec"]["ephemeralContainers"] = json!([]);
    assert_eq!(
        judged(subresource_update(
            "ephemeralcontainers",
            same,
            stored.clone()
        )),
        "pass InsignificantUpdate"
    );
    let mut debugged = stored.clone();
    debugged["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
    assert_eq!(
        judged(subresource_update(
            "ephemeralcontainers",
            sent.clone(),
            debugged.clone()
        )),
        "pass InsignificantUpdate"
    );
    let mut reimaged = sent.clone();
    reimaged["spec"]["ephemeralContainers"][0]["image"] = json!("busybox:2");
    assert!(judged(subresource_update(
        "ephemeralcontainers",
        reimaged,
        debugged
    ))
    .ends_with("[container app=nginx, ephemeral container debug=busybox:2]"));
    // A resize stores the old pod with new resources: nothing a control reads.
    assert_eq!(
        judged(subresource_update("resize", sent.clone(), stored.clone())),
        "pass InsignificantUpdate"
    );
    // A plain UPDATE stores what was sent (the API server refuses what may not change).
    let mut plain = subresource_update("ephemeralcontainers", sent, stored);
    plain.as_object_mut().unwrap().remove("subResource");
    assert_eq!(judged(plain), r#"exempt RuntimeClass("kata")"#);
}

#[test]
fn subresource_updates_without_a_readable_stored_pod_are_refused() {
    for sub in ["ephemeralcontainers", "resize"] {
        let mut r = pod_request("UPDATE", pod("nginx"));
        r["subResource"] = json!(sub);
        assert_eq!(
            outcome(r.clone()),
            format!("error request.oldObject is missing: a pods/{sub} UPDATE stores the pod of request.oldObject with only {} of request.object, so it cannot be judged without it",
                if sub == "resize" { "the container resources" } else { "the ephemeral containers" })
        );
        r["oldObject"] = Value::Null;
        assert!(outcome(r.clone()).starts_with("error request.oldObject is missing"));
        r["oldObject"] = json!({"spec": {"containers": [{"name": 1}]}});
        assert!(
            outcome(r.clone()).starts_with(
                "error cannot read the Pod in request.oldObject: spec.containers[0].name"
            ),
            "{sub}"
        );
        r["oldObject"] = json!({"kind": "Deployment", "spec": {}});
        assert_eq!(
            outcome(r.clone()),
            r#"error request.oldObject.kind "Deployment" does not match the request's kind "Pod""#
        );
        // A CREATE of a subresource (which the API server does not serve) is judged
        // on what was sent.
        r["operation"] = json!("CREATE");
        assert_eq!(outcome(r), "evaluate 1");
    }
}

#[test]
fn exemptions() {
    let mut r = pod_request("CREATE", pod("nginx"));
    r["namespace"] = json!("kube-system");
    assert_eq!(outcome(r), r#"exempt Namespace("kube-system")"#);
    let mut r = pod_request("CREATE", pod("nginx"));
    r["userInfo"]["username"] = json!("system:admin");
    assert_eq!(outcome(r), r#"exempt Username("system:admin")"#);
    let mut r = pod_request("CREATE", pod("nginx"));
    r["object"]["spec"]["runtimeClassName"] = json!("kata");
    assert_eq!(outcome(r), r#"exempt RuntimeClass("kata")"#);
    let mut r = pod_request("CREATE", pod("nginx"));
    r["object"]["spec"]["runtimeClassName"] = json!("kata-not");
    assert_eq!(outcome(r), "evaluate 1");
}

fn update(new: Value, old: Value) -> String {
    let mut r = pod_request("UPDATE", new);
    r["oldObject"] = old;
    outcome(r)
}

#[test]
fn pod_updates_follow_psa_significance() {
    let mut relabelled = pod("nginx");
    relabelled["metadata"]["labels"] = json!({"a": "b"});
    relabelled["spec"]["containers"][0]["securityContext"] = json!({"privileged": true});
    // Only images and container counts matter, as in PSA.
    assert_eq!(update(relabelled, pod("nginx")), "pass InsignificantUpdate");
    assert_eq!(update(pod("nginx:2"), pod("nginx")), "evaluate 1");
    let mut two = pod("nginx");
    two["spec"]["containers"] =
        json!([{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}]);
    assert_eq!(update(two, pod("nginx")), "evaluate 2");
    let mut init = pod("nginx");
    init["spec"]["initContainers"] = json!([{"name": "i", "image": "busybox"}]);
    assert_eq!(update(init, pod("nginx")), "evaluate 2");
    let mut eph = pod("nginx");
    eph["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
    assert_eq!(update(eph.clone(), pod("nginx")), "evaluate 2");
    assert_eq!(update(eph.clone(), eph.clone()), "pass InsignificantUpdate");
    let mut eph2 = eph.clone();
    eph2["spec"]["ephemeralContainers"][0]["image"] = json!("busybox:2");
    assert_eq!(update(eph2, eph.clone()), "evaluate 2");
    // Without a readable old object the update is judged.
    assert_eq!(
        update(pod("nginx"), json!({"spec": {"containers": 5}})),
        "evaluate 1"
    );
    assert_eq!(outcome(pod_request("UPDATE", pod("nginx"))), "evaluate 1");
}

#[test]
fn workload_updates_pass_only_when_the_template_is_unchanged() {
    let dep = |replicas: u32, template: Value| json!({"kind": "Deployment", "spec": {"replicas": replicas, "template": template}});
    let t1 = json!({"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}], "hostPID": true}});
    let t1_reordered = json!({"spec": {"hostPID": true, "containers": [{"image": "nginx", "name": "c"}]}, "metadata": {"labels": {"a": "b"}}});
    let mut t2 = t1.clone();
    t2["metadata"]["annotations"] =
        json!({"container.apparmor.security.beta.kubernetes.io/c": "unconfined"});
    let upd = |new: Value, old: Value| {
        let mut r = workload_request("Deployment", "apps", "deployments", new);
        r["operation"] = json!("UPDATE");
        r["oldObject"] = old;
        outcome(r)
    };
    assert_eq!(
        upd(dep(3, t1_reordered), dep(1, t1.clone())),
        "pass TemplateUnchanged"
    );
    assert_eq!(upd(dep(1, t2), dep(1, t1.clone())), "evaluate 1");
    assert_eq!(upd(dep(1, t1.clone()), Value::Null), "evaluate 1");
}
#[test]
fn a_duplicate_key_on_the_way_to_the_template_is_refused() {
    // Kubernetes' decoder would merge the two `spec`s: hostPID from the first stays.
    let text = r#"{"kind":{"group":"apps","version":"v1","kind":"Deployment"},
        "resource":{"group":"apps","version":"v1","resource":"deployments"},"operation":"CREATE",
        "object":{"kind":"Deployment",
          "spec":{"template":{"spec":{"hostPID":true,"containers":[{"name":"c"}]}}},
          "spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}}}"#;
    assert!(
        parse(text, Reading::OnePass).is_err(),
        "one pass refuses, raw explains"
    );
    let req = parse(text, Reading::Raw).unwrap();
    match req.subject(&settings()) {
        Err(e) => assert!(e.to_string().contains("duplicate field `spec`"), "{e}"),
        Ok(_) => panic!("a duplicate spec was read"),
    }
    // The same one level down: two `jobTemplate`s in a CronJob's spec.
    let cron = r#"{"kind":{"group":"batch","version":"v1","kind":"CronJob"},
        "resource":{"group":"batch","version":"v1","resource":"cronjobs"},"operation":"CREATE",
        "object":{"spec":{
          "jobTemplate":{"spec":{"template":{"spec":{"hostPID":true,"containers":[{"name":"c"}]}}}},
          "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}}}}}"#;
    let req = parse(cron, Reading::Raw).unwrap();
    assert!(req.subject(&settings()).is_err());
}

#[test]
fn ephemeral_containers_match_the_first_old_one_of_their_name() {
    let with = |eph: Value| {
        let mut p = pod("nginx");
        p["spec"]["ephemeralContainers"] = eph;
        p
    };
    let old = with(json!([{"name": "d", "image": "a"}, {"name": "d", "image": "b"}]));
    let same = with(json!([{"name": "d", "image": "a"}]));
    assert_eq!(update(same, old.clone()), "pass InsignificantUpdate");
    let second = with(json!([{"name": "d", "image": "b"}]));
    assert_eq!(update(second, old), "evaluate 2");
    // Unnamed containers match unnamed ones.
    let unnamed = with(json!([{"image": "a"}]));
    assert_eq!(update(unnamed.clone(), unnamed), "pass InsignificantUpdate");
    // Many ephemeral containers: linear, not quadratic.
    let many: Vec<Value> = (0..20_000)
        .map(|i| json!({"name": format!("e{i}"), "image": "busybox"}))
        .collect();
    let big = with(Value::Array(many));
    assert_eq!(update(big.clone(), big), "pass InsignificantUpdate");
}

#[test]
fn names_quoted_in_errors_are_cut() {
    let long = "k".repeat(100_000);
    let mut r = pod_request("CREATE", pod("nginx"));
    r["kind"]["kind"] = json!(long);
    let msg = outcome(r);
    assert!(
        msg.contains("disagree") && msg.len() < 1000,
        "{}",
        msg.len()
    );
    let mut r = pod_request("CREATE", pod("nginx"));
    r["object"]["kind"] = json!(long);
    let msg = outcome(r);
    assert!(
        msg.contains("does not match") && msg.len() < 1000,
        "{}",
        msg.len()
    );
    let mut r = pod_request("CREATE", pod("nginx"));
    r["object"]["spec"]["hostPID"] = json!(long);
    let msg = outcome(r);
    assert!(
        msg.contains("spec.hostPID: invalid type: string") && msg.len() < 1000,
        "{msg}"
    );
}
