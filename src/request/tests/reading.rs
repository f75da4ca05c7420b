//! Reading requests: one pass or raw, every kind that carries a pod, and the errors of a
//! request that cannot be read.

use super::*;

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
    let wrong = json!({"spec": {"template": {"spec": {"containers": [{"name": 5}]}}}});
    let cases = [
        (
            "a Deployment without a template",
            workload_request("Deployment", "apps", "deployments", json!({"spec": {"replicas": 1}})),
            Expect::Is("error request.object has no spec.template: a Deployment must carry a pod template"),
        ),
        (
            "a CronJob whose job template is null",
            workload_request("CronJob", "batch", "cronjobs", json!({"spec": {"jobTemplate": null}})),
            Expect::Contains("no spec.jobTemplate.spec.template"),
        ),
        (
            "no object",
            pod_request("CREATE", Value::Null),
            Expect::StartsWith("error the request carries no object"),
        ),
        (
            "a container name of the wrong type",
            workload_request("Job", "batch", "jobs", wrong),
            Expect::StartsWith("error cannot read the Job in request.object: spec.template.spec.containers[0].name: invalid type"),
        ),
        (
            "an array for a pod",
            pod_request("CREATE", json!([1, 2])),
            Expect::StartsWith("error cannot read the Pod"),
        ),
    ];
    for (case, request, expected) in cases {
        expected.check(case, &outcome(request));
    }
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
