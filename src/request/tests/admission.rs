//! The decisions on a request: which pods are judged, which subresources and updates let
//! through, exemptions, and a subresource update judged as the API server will store it.

use super::super::admission::IGNORED_POD_SUBRESOURCES;
use super::*;

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
    let mut two = pod("nginx");
    two["spec"]["containers"] =
        json!([{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}]);
    let mut init = pod("nginx");
    init["spec"]["initContainers"] = json!([{"name": "i", "image": "busybox"}]);
    let mut eph = pod("nginx");
    eph["spec"]["ephemeralContainers"] = json!([{"name": "debug", "image": "busybox"}]);
    let mut eph2 = eph.clone();
    eph2["spec"]["ephemeralContainers"][0]["image"] = json!("busybox:2");
    // (case, new, old, outcome): only images and container counts matter, as in PSA.
    let cases = [
        (
            "labels and the security context changed",
            relabelled,
            pod("nginx"),
            "pass InsignificantUpdate",
        ),
        ("another image", pod("nginx:2"), pod("nginx"), "evaluate 1"),
        ("a container more", two, pod("nginx"), "evaluate 2"),
        ("an init container more", init, pod("nginx"), "evaluate 2"),
        (
            "an ephemeral container added",
            eph.clone(),
            pod("nginx"),
            "evaluate 2",
        ),
        (
            "ephemeral containers unchanged",
            eph.clone(),
            eph.clone(),
            "pass InsignificantUpdate",
        ),
        (
            "an ephemeral container's image changed",
            eph2,
            eph,
            "evaluate 2",
        ),
        // Without a readable old object the update is judged.
        (
            "an unreadable old object",
            pod("nginx"),
            json!({"spec": {"containers": 5}}),
            "evaluate 1",
        ),
    ];
    for (case, new, old, expected) in cases {
        assert_eq!(update(new, old), expected, "{case}");
    }
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
