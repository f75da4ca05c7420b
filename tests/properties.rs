//! Properties over generated pods (proptest): the policy never panics and always answers a
//! well-formed response; restricted is never looser than baseline; a pod and the same pod as
//! a workload's template get the same verdict; one forbidden value in a compliant pod is
//! always refused, naming its control; order (of containers, volumes, JSON keys) never
//! changes the verdict.
//!
//! Pods are a restricted-compliant base (a few containers of each kind) with a few changes
//! drawn from a table of allowed, odd and forbidden values. `PROPTEST_CASES` overrides the
//! (modest) number of cases.

use pss_test_support as common;

use common::{request, wrap, KINDS};
use pod_security_standards::controls::NEWEST_KNOWN_MINOR;
use pod_security_standards::verdict::validate;
use proptest::prelude::*;
use serde_json::{json, Map, Value};

/// Every policy version: v1.0 ... the newest known, then `latest`.
fn versions() -> Vec<String> {
    (0..=NEWEST_KNOWN_MINOR)
        .map(|m| format!("v1.{m}"))
        .chain(["latest".to_owned()])
        .collect()
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(cases),
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

// --- the pods -------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Init,
    Regular,
    Ephemeral,
}

impl List {
    fn key(self) -> &'static str {
        match self {
            List::Init => "initContainers",
            List::Regular => "containers",
            List::Ephemeral => "ephemeralContainers",
        }
    }
}

const LISTS: [List; 3] = [List::Init, List::Regular, List::Ephemeral];

/// How many containers of each kind (at least one regular container).
#[derive(Debug, Clone, Copy)]
struct Shape {
    init: usize,
    regular: usize,
    ephemeral: usize,
}

fn shape(at_least_one_each: bool) -> impl Strategy<Value = Shape> {
    let min = usize::from(at_least_one_each);
    (min..=2usize, 1..=3usize, min..=2usize).prop_map(|(init, regular, ephemeral)| Shape {
        init,
        regular,
        ephemeral,
    })
}

/// A restricted-compliant container (read-only root filesystem included).
use pss_test_support::pods::compliant_container as container;

/// A restricted-compliant pod of the given shape: containers `i0.., c0.., e0..`.
fn base(shape: Shape) -> Value {
    let list = |prefix: &str, n: usize| -> Value {
        (0..n).map(|i| container(&format!("{prefix}{i}"))).collect()
    };
    let mut spec = Map::new();
    if shape.init > 0 {
        spec.insert("initContainers".into(), list("i", shape.init));
    }
    spec.insert("containers".into(), list("c", shape.regular));
    if shape.ephemeral > 0 {
        spec.insert("ephemeralContainers".into(), list("e", shape.ephemeral));
    }
    json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "spec": spec})
}

/// One change to a pod: a value (allowed, odd or forbidden) set somewhere.
#[derive(Debug, Clone)]
enum Change {
    /// `securityContext.<path>` of one container set to a value (`null` removes it).
    Container {
        list: List,
        index: usize,
        path: &'static [&'static str],
        value: Value,
    },
    /// A field of one container outside its security context.
    ContainerField {
        list: List,
        index: usize,
        key: &'static str,
        value: Value,
    },
    /// `spec.<path>` set to a value.
    Spec {
        path: &'static [&'static str],
        value: Value,
    },
    Volume(Value),
    Annotation(String, String),
}

fn set_path(target: &mut Value, path: &[&str], value: Value) {
    let mut at = target;
    for key in &path[..path.len() - 1] {
        if !at.get(*key).is_some_and(Value::is_object) {
            at[*key] = json!({});
        }
        at = &mut at[*key];
    }
    let last = path[path.len() - 1];
    if value.is_null() {
        if let Some(o) = at.as_object_mut() {
            o.remove(last);
        }
    } else {
        at[last] = value;
    }
}

/// The container `index` (modulo the list's length) of `list`, or of the regular
/// containers when that list is empty.
fn container_mut(pod: &mut Value, list: List, index: usize) -> &mut Value {
    let key = match pod["spec"][list.key()].as_array() {
        Some(a) if !a.is_empty() => list.key(),
        _ => "containers",
    };
    let items = pod["spec"][key].as_array_mut().expect("containers");
    let n = items.len();
    &mut items[index % n]
}

impl Change {
    fn apply(&self, pod: &mut Value) {
        match self {
            Change::Container {
                list,
                index,
                path,
                value,
            } => {
                let c = container_mut(pod, *list, *index);
                let mut full = vec!["securityContext"];
                full.extend_from_slice(path);
                set_path(c, &full, value.clone());
            }
            Change::ContainerField {
                list,
                index,
                key,
                value,
            } => {
                container_mut(pod, *list, *index)[*key] = value.clone();
            }
            Change::Spec { path, value } => {
                let spec = &mut pod["spec"];
                set_path(spec, path, value.clone());
            }
            Change::Volume(v) => {
                let spec = &mut pod["spec"];
                if !spec["volumes"].is_array() {
                    spec["volumes"] = json!([]);
                }
                let volumes = spec["volumes"].as_array_mut().unwrap();
                let mut v = v.clone();
                v["name"] = json!(format!("v{}", volumes.len()));
                volumes.push(v);
            }
            Change::Annotation(k, v) => {
                let meta = &mut pod["metadata"];
                if !meta["annotations"].is_object() {
                    meta["annotations"] = json!({});
                }
                meta["annotations"][k.as_str()] = json!(v);
            }
        }
    }
}

fn list() -> impl Strategy<Value = List> {
    prop_oneof![Just(List::Init), Just(List::Regular), Just(List::Ephemeral)]
}

fn one_of(values: Vec<Value>) -> impl Strategy<Value = Value> {
    proptest::sample::select(values)
}

/// Changes to a container's security context: (path, values to draw from).
fn container_changes() -> Vec<(&'static [&'static str], Vec<Value>)> {
    vec![
        (
            &["privileged"],
            vec![json!(true), json!(false), Value::Null],
        ),
        (
            &["allowPrivilegeEscalation"],
            vec![json!(true), json!(false), Value::Null],
        ),
        (
            &["runAsNonRoot"],
            vec![json!(true), json!(false), Value::Null],
        ),
        (&["runAsUser"], vec![json!(0), json!(1000), Value::Null]),
        (
            &["readOnlyRootFilesystem"],
            vec![json!(true), json!(false), Value::Null],
        ),
        (
            &["capabilities", "drop"],
            vec![
                json!(["ALL"]),
                json!(["all"]),
                json!(["NET_RAW"]),
                json!([]),
            ],
        ),
        (
            &["capabilities", "add"],
            vec![
                json!(["NET_BIND_SERVICE"]),
                json!(["CHOWN"]),
                json!(["SYS_ADMIN"]),
                json!(["ALL"]),
            ],
        ),
        (&["procMount"], vec![json!("Default"), json!("Unmasked")]),
        (
            &["seccompProfile", "type"],
            vec![
                json!("RuntimeDefault"),
                json!("Localhost"),
                json!("Unconfined"),
            ],
        ),
        (
            &["appArmorProfile", "type"],
            vec![
                json!("RuntimeDefault"),
                json!("Localhost"),
                json!("Unconfined"),
            ],
        ),
        (
            &["seLinuxOptions", "type"],
            vec![
                json!("container_t"),
                json!("container_engine_t"),
                json!("spc_t"),
            ],
        ),
        (
            &["seLinuxOptions", "user"],
            vec![json!(""), json!("system_u")],
        ),
        (
            &["windowsOptions", "hostProcess"],
            vec![json!(true), json!(false)],
        ),
    ]
}

fn change() -> impl Strategy<Value = Change> {
    let container_change = (
        list(),
        0..3usize,
        proptest::sample::select(container_changes()),
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(list, index, (path, values), pick)| Change::Container {
            list,
            index,
            path,
            value: values[pick.index(values.len())].clone(),
        });
    let container_field = (
        list(),
        0..3usize,
        prop_oneof![
            Just(("ports", json!([{"containerPort": 80, "hostPort": 80}]))),
            Just(("ports", json!([{"containerPort": 80, "hostPort": 0}]))),
            Just((
                "livenessProbe",
                json!({"httpGet": {"port": 80, "host": "10.0.0.1"}})
            )),
            Just((
                "readinessProbe",
                json!({"tcpSocket": {"port": 80, "host": ""}})
            )),
            Just((
                "lifecycle",
                json!({"preStop": {"httpGet": {"port": 80, "host": "a.example"}}})
            )),
            Just(("securityContext", Value::Null)),
        ],
    )
        .prop_map(|(list, index, (key, value))| Change::ContainerField {
            list,
            index,
            key,
            value,
        });
    let spec = prop_oneof![
        Just((&["hostNetwork"][..], json!(true))),
        Just((&["hostPID"][..], json!(true))),
        Just((&["hostIPC"][..], json!(false))),
        Just((&["hostUsers"][..], json!(false))),
        Just((&["os", "name"][..], json!("windows"))),
        Just((&["os", "name"][..], json!("linux"))),
        Just((&["securityContext", "runAsNonRoot"][..], json!(true))),
        Just((&["securityContext", "runAsNonRoot"][..], json!(false))),
        Just((&["securityContext", "runAsUser"][..], json!(0))),
        Just((
            &["securityContext", "seccompProfile", "type"][..],
            json!("RuntimeDefault")
        )),
        Just((
            &["securityContext", "seccompProfile", "type"][..],
            json!("Unconfined")
        )),
        Just((
            &["securityContext", "appArmorProfile", "type"][..],
            json!("Unconfined")
        )),
        Just((
            &["securityContext", "seLinuxOptions", "role"][..],
            json!("r")
        )),
        Just((
            &["securityContext", "windowsOptions", "hostProcess"][..],
            json!(true)
        )),
        Just((
            &["securityContext", "sysctls"][..],
            json!([{"name": "net.ipv4.tcp_rmem", "value": "1"}])
        )),
        Just((
            &["securityContext", "sysctls"][..],
            json!([{"name": "kernel.msgmax", "value": "1"}])
        )),
    ]
    .prop_map(|(path, value)| Change::Spec { path, value });
    let volume = one_of(vec![
        json!({"configMap": {"name": "cm"}}),
        json!({"emptyDir": {}}),
        json!({"hostPath": {"path": "/"}}),
        json!({"nfs": {"server": "s", "path": "/"}}),
        json!({"futureDisk": {}}),
        json!({"secret": {"secretName": "s"}, "hostPath": {"path": "/"}}),
    ])
    .prop_map(Change::Volume);
    let annotation = prop_oneof![
        (
            prop_oneof![Just("i0"), Just("c0"), Just("e0")],
            prop_oneof![
                Just("runtime/default"),
                Just("unconfined"),
                Just("localhost/p")
            ]
        )
            .prop_map(|(c, v)| Change::Annotation(
                format!("container.apparmor.security.beta.kubernetes.io/{c}"),
                v.to_owned()
            )),
        prop_oneof![Just("runtime/default"), Just("unconfined")].prop_map(|v| Change::Annotation(
            "seccomp.security.alpha.kubernetes.io/pod".to_owned(),
            v.to_owned()
        )),
    ];
    prop_oneof![
        6 => container_change,
        2 => container_field,
        3 => spec,
        1 => volume,
        1 => annotation,
    ]
}

/// A pod: the compliant base of some shape with up to `max_changes` changes.
fn pod(max_changes: usize) -> impl Strategy<Value = Value> {
    (
        shape(false),
        prop::collection::vec(change(), 0..=max_changes),
    )
        .prop_map(|(shape, changes)| {
            let mut p = base(shape);
            for c in &changes {
                c.apply(&mut p);
            }
            p
        })
}

fn settings() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just("baseline"), Just("restricted")],
        proptest::sample::select({
            let mut v = versions();
            v.push("v1.99".to_owned());
            v
        }),
        any::<bool>(),
    )
        .prop_map(|(level, version, rorf)| {
            json!({"level": level, "version": version, "requireReadOnlyRootFilesystem": rorf})
        })
}

fn kind() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(KINDS.iter().map(|(k, ..)| *k).collect::<Vec<_>>())
}

// --- judging --------------------------------------------------------------------------

/// (accepted, message) for the pod as an object of `kind`, with a well-formedness check.
fn verdict(kind: &str, pod: &Value, settings: &Value) -> (bool, String) {
    let payload = serde_json::to_vec(&request(kind, &wrap(kind, pod), settings)).unwrap();
    verdict_bytes(&payload)
}

fn verdict_bytes(payload: &[u8]) -> (bool, String) {
    let r = validate(payload);
    assert!(r.mutated_object.is_none(), "nothing asked for a mutation");
    match (r.accepted, r.message) {
        (true, None) => (true, String::new()),
        (true, Some(m)) => panic!("accepted with a message: {m}"),
        (false, None) => panic!("rejected without a message"),
        (false, Some(m)) => {
            assert!(
                m.starts_with("violates PodSecurity \"")
                    || m.starts_with("violates requireReadOnlyRootFilesystem: "),
                "{m}"
            );
            assert!(m.len() <= 4096, "{} bytes", m.len());
            (false, m)
        }
    }
}

proptest! {
    #![proptest_config(config(64))]

    /// Any generated pod, any settings, any kind: an answer, well formed.
    #[test]
    fn never_panics_and_always_answers_well_formed(
        pod in pod(5), settings in settings(), kind in kind()
    ) {
        verdict(kind, &pod, &settings);
    }

    /// Whatever restricted accepts, baseline accepts, at every version.
    #[test]
    fn restricted_is_never_looser_than_baseline(pod in pod(3), rorf in any::<bool>()) {
        for version in versions() {
            let at = |level: &str| {
                verdict("Pod", &pod, &json!({"level": level, "version": version,
                    "requireReadOnlyRootFilesystem": rorf}))
            };
            let (restricted, _) = at("restricted");
            if restricted {
                let (baseline, message) = at("baseline");
                prop_assert!(baseline, "{version}: restricted accepts, baseline refuses: {message}");
            }
        }
    }

    /// A pod and the same pod as the template of every workload kind: the same verdict, in
    /// the same words.
    #[test]
    fn a_pod_and_its_template_get_the_same_verdict(pod in pod(4), settings in settings()) {
        let as_pod = verdict("Pod", &pod, &settings);
        for (kind, ..) in KINDS {
            prop_assert_eq!(&verdict(kind, &pod, &settings), &as_pod, "{}", kind);
        }
    }

    /// The order of containers in each list, of volumes, and of the keys of every JSON object
    /// never changes the verdict (nor, for keys, the message).
    #[test]
    fn order_never_changes_the_verdict(
        pod in pod(5), settings in settings(), kind in kind(), seed in any::<u64>()
    ) {
        let (accepted, message) = verdict(kind, &pod, &settings);

        let mut shuffled = pod.clone();
        let mut rng = seed;
        for key in ["initContainers", "containers", "ephemeralContainers", "volumes"] {
            if let Some(items) = shuffled["spec"][key].as_array_mut() {
                shuffle(items, &mut rng);
            }
        }
        let (accepted_shuffled, _) = verdict(kind, &shuffled, &settings);
        prop_assert_eq!(accepted, accepted_shuffled);

        let req = request(kind, &wrap(kind, &pod), &settings);
        let mut text = String::new();
        write_permuted(&req, &mut rng, &mut text);
        let permuted = verdict_bytes(text.as_bytes());
        prop_assert_eq!(permuted, (accepted, message));
    }
}

fn next(rng: &mut u64) -> u64 {
    // xorshift64*
    *rng ^= *rng >> 12;
    *rng ^= *rng << 25;
    *rng ^= *rng >> 27;
    *rng = rng.wrapping_add(0x9e37_79b9_7f4a_7c15);
    rng.wrapping_mul(0x2545_f491_4f6c_dd1d)
}

fn shuffle<T>(items: &mut [T], rng: &mut u64) {
    for i in (1..items.len()).rev() {
        let j = (next(rng) % (i as u64 + 1)) as usize;
        items.swap(i, j);
    }
}

/// JSON text of `v` with the keys of every object in a random order.
fn write_permuted(v: &Value, rng: &mut u64, out: &mut String) {
    match v {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            shuffle(&mut entries, rng);
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(k).unwrap());
                out.push(':');
                write_permuted(v, rng, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_permuted(v, rng, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

// --- one forbidden value --------------------------------------------------------------

/// Where a forbidden value goes.
#[derive(Debug, Clone, Copy)]
enum Target {
    /// A container's security context (every container kind is tried).
    SecurityContext(&'static [&'static str]),
    /// A container field outside its security context.
    Field(&'static str),
    /// The pod spec.
    Spec(&'static [&'static str]),
    Volume,
}

/// A forbidden value, the level and first version at which PSA refuses it, the reason PSA
/// gives, and (for a baseline value) the reason restricted gives where it words it otherwise.
struct Injection {
    target: Target,
    value: fn() -> Value,
    level: &'static str,
    since: u32,
    reason: &'static str,
    at_restricted: Option<&'static str>,
}

const INJECTIONS: &[Injection] = &[
    Injection {
        target: Target::SecurityContext(&["privileged"]),
        value: || json!(true),
        level: "baseline",
        since: 0,
        reason: "privileged",
        at_restricted: None,
    },
    Injection {
        target: Target::Spec(&["hostNetwork"]),
        value: || json!(true),
        level: "baseline",
        since: 0,
        reason: "host namespaces",
        at_restricted: None,
    },
    Injection {
        target: Target::Spec(&["hostPID"]),
        value: || json!(true),
        level: "baseline",
        since: 0,
        reason: "host namespaces",
        at_restricted: None,
    },
    Injection {
        target: Target::Spec(&["hostIPC"]),
        value: || json!(true),
        level: "baseline",
        since: 0,
        reason: "host namespaces",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["capabilities", "add"]),
        value: || json!(["SYS_ADMIN"]),
        level: "baseline",
        since: 0,
        reason: "non-default capabilities",
        at_restricted: Some("unrestricted capabilities"),
    },
    Injection {
        target: Target::SecurityContext(&["capabilities", "add"]),
        value: || json!(["NET_RAW"]),
        level: "restricted",
        since: 22,
        reason: "unrestricted capabilities",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["capabilities", "drop"]),
        value: || json!(["NET_RAW"]),
        level: "restricted",
        since: 22,
        reason: "unrestricted capabilities",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["runAsNonRoot"]),
        value: || json!(false),
        level: "restricted",
        since: 0,
        reason: "runAsNonRoot != true",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["seccompProfile", "type"]),
        value: || json!("Unconfined"),
        level: "baseline",
        since: 19,
        reason: "seccompProfile",
        at_restricted: None,
    },
    Injection {
        target: Target::Volume,
        value: || json!({"nfs": {"server": "s", "path": "/"}}),
        level: "restricted",
        since: 0,
        reason: "restricted volume types",
        at_restricted: None,
    },
    Injection {
        target: Target::Volume,
        value: || json!({"hostPath": {"path": "/"}}),
        level: "baseline",
        since: 0,
        reason: "hostPath volumes",
        at_restricted: Some("restricted volume types"),
    },
    Injection {
        target: Target::Field("ports"),
        value: || json!([{"containerPort": 80, "hostPort": 8080}]),
        level: "baseline",
        since: 0,
        reason: "hostPort",
        at_restricted: None,
    },
    Injection {
        target: Target::Field("livenessProbe"),
        value: || json!({"httpGet": {"port": 80, "host": "10.0.0.1"}}),
        level: "baseline",
        since: 34,
        reason: "probe or lifecycle host",
        at_restricted: None,
    },
    Injection {
        target: Target::Field("lifecycle"),
        value: || json!({"postStart": {"tcpSocket": {"port": 80, "host": "example.com"}}}),
        level: "baseline",
        since: 34,
        reason: "probe or lifecycle host",
        at_restricted: None,
    },
    Injection {
        target: Target::Spec(&["securityContext", "sysctls"]),
        value: || json!([{"name": "kernel.msgmax", "value": "1"}]),
        level: "baseline",
        since: 0,
        reason: "forbidden sysctls",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["windowsOptions", "hostProcess"]),
        value: || json!(true),
        level: "baseline",
        since: 0,
        reason: "hostProcess",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["procMount"]),
        value: || json!("Unmasked"),
        level: "baseline",
        since: 0,
        reason: "procMount",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["seLinuxOptions", "type"]),
        value: || json!("spc_t"),
        level: "baseline",
        since: 0,
        reason: "seLinuxOptions",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["appArmorProfile", "type"]),
        value: || json!("Unconfined"),
        level: "baseline",
        since: 0,
        reason: "forbidden AppArmor profile",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["allowPrivilegeEscalation"]),
        value: || json!(true),
        level: "restricted",
        since: 8,
        reason: "allowPrivilegeEscalation != false",
        at_restricted: None,
    },
    Injection {
        target: Target::SecurityContext(&["runAsUser"]),
        value: || json!(0),
        level: "restricted",
        since: 23,
        reason: "runAsUser=0",
        at_restricted: None,
    },
];

proptest! {
    #![proptest_config(config(24))]

    /// Every forbidden value of the table, in every container kind where it is a container's,
    /// injected alone into a compliant pod: refused at its level (and at restricted, unless
    /// restricted words it differently), at a version where PSA refuses it and at `latest`,
    /// with PSA's reason in the message.
    #[test]
    fn one_forbidden_value_is_refused_with_its_reason(
        shape in shape(true), minor in 0..=NEWEST_KNOWN_MINOR, kind in kind(), rorf in any::<bool>()
    ) {
        for inj in INJECTIONS {
            let mut versions = vec!["latest".to_owned()];
            if minor >= inj.since {
                versions.push(format!("v1.{minor}"));
            }
            let mut pods = Vec::new();
            match inj.target {
                Target::SecurityContext(path) => {
                    for list in LISTS {
                        let mut p = base(shape);
                        Change::Container { list, index: 0, path, value: (inj.value)() }.apply(&mut p);
                        pods.push((format!("{list:?}"), p));
                    }
                }
                Target::Field(key) => {
                    for list in LISTS {
                        let mut p = base(shape);
                        Change::ContainerField { list, index: 0, key, value: (inj.value)() }.apply(&mut p);
                        pods.push((format!("{list:?}"), p));
                    }
                }
                Target::Spec(path) => {
                    let mut p = base(shape);
                    Change::Spec { path, value: (inj.value)() }.apply(&mut p);
                    pods.push(("pod".to_owned(), p));
                }
                Target::Volume => {
                    let mut p = base(shape);
                    Change::Volume((inj.value)()).apply(&mut p);
                    pods.push(("pod".to_owned(), p));
                }
            }
            let mut levels = vec![(inj.level, vec![inj.reason])];
            if inj.level == "baseline" {
                levels.push(("restricted", [Some(inj.reason), inj.at_restricted].into_iter().flatten().collect()));
            }
            for (place, p) in &pods {
                for (level, reasons) in &levels {
                    for version in &versions {
                        let settings = json!({"level": level, "version": version,
                            "requireReadOnlyRootFilesystem": rorf});
                        let (accepted, message) = verdict(kind, p, &settings);
                        prop_assert!(!accepted, "{} in {place} accepted at {level}:{version}", inj.reason);
                        let named = reasons.iter().any(|r| {
                            message.contains(&format!(": {r}")) || message.contains(&format!(", {r}"))
                        });
                        prop_assert!(named, "{reasons:?} missing at {level}:{version}: {message}");
                    }
                }
            }
        }
    }
}

/// The table covers every reason PSA gives.
#[test]
fn the_injection_table_names_every_control() {
    let reasons: std::collections::BTreeSet<&str> = INJECTIONS.iter().map(|i| i.reason).collect();
    for reason in [
        "privileged",
        "host namespaces",
        "unrestricted capabilities",
        "runAsNonRoot != true",
        "seccompProfile",
        "restricted volume types",
        "hostPort",
        "probe or lifecycle host",
        "forbidden sysctls",
        "hostProcess",
        "procMount",
        "seLinuxOptions",
        "forbidden AppArmor profile",
        "allowPrivilegeEscalation != false",
        "runAsUser=0",
        "hostPath volumes",
        "non-default capabilities",
    ] {
        assert!(reasons.contains(reason), "{reason}");
    }
    // The base pods themselves are compliant at every level and version.
    for version in versions() {
        for level in ["baseline", "restricted"] {
            let shape = Shape {
                init: 2,
                regular: 3,
                ephemeral: 2,
            };
            let (accepted, message) = verdict(
                "Pod",
                &base(shape),
                &json!({"level": level, "version": version}),
            );
            assert!(accepted, "{level}:{version}: {message}");
        }
    }
}
