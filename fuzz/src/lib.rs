//! Shared by the fuzz targets and the seed tool: requests around a pod for every kind that
//! carries one, and the `arbitrary`-derived description of a pod, a workload request and
//! settings that `validate_structured` renders to JSON.

use arbitrary::Arbitrary;
use serde_json::{json, Map, Value};

pub use pss_test_support::{request, wrap, KINDS};

/// What every rejection must be: a reason, and (for a judged pod) a bounded message.
pub fn check_rejection_message(message: Option<&str>) {
    let message = message.unwrap_or_default();
    assert!(!message.is_empty(), "a rejection without a reason");
    if message.starts_with("violates ") {
        assert!(
            message.len() <= 4096,
            "unbounded message: {} bytes",
            message.len()
        );
    }
}

/// Values the controls care about, so that the fuzzer reaches them without guessing.
const TOKENS: &[&str] = &[
    "",
    "ALL",
    "all",
    " ALL",
    "ALL ",
    "NET_BIND_SERVICE",
    "SYS_ADMIN",
    "CHOWN",
    "NET_RAW",
    "RuntimeDefault",
    "Localhost",
    "Unconfined",
    "runtime/default",
    "docker/default",
    "localhost/profile",
    "unconfined",
    "Default",
    "Unmasked",
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
    "spc_t",
    "system_u",
    "system_r",
    "windows",
    "linux",
    "Windows",
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_rmem",
    "net.ipv4.tcp_notsent_lowat",
    "kernel.msgmax",
    "10.0.0.1",
    "localhost",
    "kata",
    "runc",
    "team-a",
    "kube-system",
    "alice",
    "system:admin",
    "c",
    "i",
    "e",
    "v",
    "nginx",
    "busybox",
    "status",
    "exec",
    "ephemeralcontainers",
    "resize",
];

/// A string: one of [`TOKENS`] most of the time, anything at all otherwise.
#[derive(Arbitrary, Debug, Clone)]
pub enum Text {
    Token(u8),
    Any(String),
}

impl Text {
    pub fn text(&self) -> String {
        match self {
            Text::Token(i) => TOKENS[*i as usize % TOKENS.len()].to_owned(),
            Text::Any(s) => s.clone(),
        }
    }
}

/// A JSON field that may be absent, `null`, or set.
#[derive(Arbitrary, Debug, Clone)]
pub enum Field<T> {
    Absent,
    Null,
    Set(T),
}

impl<T> Field<T> {
    fn put(&self, obj: &mut Map<String, Value>, key: &str, render: impl Fn(&T) -> Value) {
        match self {
            Field::Absent => {}
            Field::Null => {
                obj.insert(key.to_owned(), Value::Null);
            }
            Field::Set(v) => {
                obj.insert(key.to_owned(), render(v));
            }
        }
    }

    fn get(&self) -> Option<&T> {
        match self {
            Field::Set(v) => Some(v),
            _ => None,
        }
    }
}

/// A boolean field, sometimes of the wrong type.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flag {
    Absent,
    Null,
    True,
    False,
    WrongType,
}

impl Flag {
    fn put(self, obj: &mut Map<String, Value>, key: &str) {
        let v = match self {
            Flag::Absent => return,
            Flag::Null => Value::Null,
            Flag::True => Value::Bool(true),
            Flag::False => Value::Bool(false),
            Flag::WrongType => json!("true"),
        };
        obj.insert(key.to_owned(), v);
    }
}

fn text_list(items: &[Text]) -> Value {
    Value::Array(items.iter().map(|t| Value::String(t.text())).collect())
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Profile {
    pub kind: Field<Text>,
    pub localhost_profile: Option<Text>,
}

impl Profile {
    fn render(&self) -> Value {
        let mut o = Map::new();
        self.kind.put(&mut o, "type", |t| Value::String(t.text()));
        if let Some(p) = &self.localhost_profile {
            o.insert("localhostProfile".into(), Value::String(p.text()));
        }
        Value::Object(o)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct SeLinux {
    pub kind: Field<Text>,
    pub user: Field<Text>,
    pub role: Field<Text>,
    pub level: Option<Text>,
}

impl SeLinux {
    fn render(&self) -> Value {
        let mut o = Map::new();
        self.kind.put(&mut o, "type", |t| Value::String(t.text()));
        self.user.put(&mut o, "user", |t| Value::String(t.text()));
        self.role.put(&mut o, "role", |t| Value::String(t.text()));
        if let Some(l) = &self.level {
            o.insert("level".into(), Value::String(l.text()));
        }
        Value::Object(o)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct Caps {
    pub add: Field<Vec<Text>>,
    pub drop: Field<Vec<Text>>,
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ContainerSc {
    pub privileged: Flag,
    pub allow_privilege_escalation: Flag,
    pub run_as_non_root: Flag,
    pub run_as_user: Field<i64>,
    pub read_only_root_filesystem: Flag,
    pub capabilities: Field<Caps>,
    pub proc_mount: Field<Text>,
    pub seccomp: Field<Profile>,
    pub apparmor: Field<Profile>,
    pub selinux: Field<SeLinux>,
    pub host_process: Flag,
}

impl ContainerSc {
    fn render(&self) -> Value {
        let mut o = Map::new();
        self.privileged.put(&mut o, "privileged");
        self.allow_privilege_escalation
            .put(&mut o, "allowPrivilegeEscalation");
        self.run_as_non_root.put(&mut o, "runAsNonRoot");
        self.run_as_user.put(&mut o, "runAsUser", |n| json!(n));
        self.read_only_root_filesystem
            .put(&mut o, "readOnlyRootFilesystem");
        self.capabilities.put(&mut o, "capabilities", |c| {
            let mut m = Map::new();
            c.add.put(&mut m, "add", |l| text_list(l));
            c.drop.put(&mut m, "drop", |l| text_list(l));
            Value::Object(m)
        });
        self.proc_mount
            .put(&mut o, "procMount", |t| Value::String(t.text()));
        self.seccomp.put(&mut o, "seccompProfile", Profile::render);
        self.apparmor
            .put(&mut o, "appArmorProfile", Profile::render);
        self.selinux.put(&mut o, "seLinuxOptions", SeLinux::render);
        if self.host_process != Flag::Absent {
            let mut w = Map::new();
            self.host_process.put(&mut w, "hostProcess");
            o.insert("windowsOptions".into(), Value::Object(w));
        }
        Value::Object(o)
    }
}

/// A probe or lifecycle handler: `httpGet` and/or `tcpSocket`, each maybe with a host.
#[derive(Arbitrary, Debug, Clone)]
pub struct HandlerIn {
    pub http_get: Option<Field<Text>>,
    pub tcp_socket: Option<Field<Text>>,
}

impl HandlerIn {
    fn render(&self) -> Value {
        let mut o = Map::new();
        for (key, action) in [("httpGet", &self.http_get), ("tcpSocket", &self.tcp_socket)] {
            if let Some(host) = action {
                let mut a = Map::new();
                a.insert("port".into(), json!(8080));
                host.put(&mut a, "host", |t| Value::String(t.text()));
                o.insert(key.into(), Value::Object(a));
            }
        }
        Value::Object(o)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct ContainerIn {
    pub name: Text,
    pub image: Field<Text>,
    pub security_context: Field<ContainerSc>,
    pub host_ports: Vec<Option<i64>>,
    pub liveness: Option<HandlerIn>,
    pub readiness: Option<HandlerIn>,
    pub startup: Option<HandlerIn>,
    pub post_start: Option<HandlerIn>,
    pub pre_stop: Option<HandlerIn>,
}

impl ContainerIn {
    fn render(&self) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), Value::String(self.name.text()));
        self.image.put(&mut o, "image", |t| Value::String(t.text()));
        self.security_context
            .put(&mut o, "securityContext", ContainerSc::render);
        if !self.host_ports.is_empty() {
            let ports = self
                .host_ports
                .iter()
                .map(|p| match p {
                    Some(h) => json!({"containerPort": 80, "hostPort": h}),
                    None => json!({"containerPort": 80}),
                })
                .collect();
            o.insert("ports".into(), Value::Array(ports));
        }
        for (key, h) in [
            ("livenessProbe", &self.liveness),
            ("readinessProbe", &self.readiness),
            ("startupProbe", &self.startup),
        ] {
            if let Some(h) = h {
                o.insert(key.into(), h.render());
            }
        }
        if self.post_start.is_some() || self.pre_stop.is_some() {
            let mut l = Map::new();
            if let Some(h) = &self.post_start {
                l.insert("postStart".into(), h.render());
            }
            if let Some(h) = &self.pre_stop {
                l.insert("preStop".into(), h.render());
            }
            o.insert("lifecycle".into(), Value::Object(l));
        }
        Value::Object(o)
    }

    fn privileged(&self) -> bool {
        self.security_context
            .get()
            .is_some_and(|sc| sc.privileged == Flag::True)
    }

    fn host_port(&self) -> bool {
        self.host_ports
            .iter()
            .any(|p| matches!(p, Some(n) if *n != 0))
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum VolumeSource {
    ConfigMap,
    Secret,
    EmptyDir,
    Projected,
    PersistentVolumeClaim,
    Csi,
    DownwardApi,
    Ephemeral,
    Image,
    HostPath,
    Nfs,
    GcePersistentDisk,
    NullHostPath,
    Unknown(Text),
}

impl VolumeSource {
    fn entry(&self) -> (String, Value) {
        let (key, value) = match self {
            VolumeSource::ConfigMap => ("configMap", json!({"name": "cm"})),
            VolumeSource::Secret => ("secret", json!({"secretName": "s"})),
            VolumeSource::EmptyDir => ("emptyDir", json!({})),
            VolumeSource::Projected => ("projected", json!({"sources": []})),
            VolumeSource::PersistentVolumeClaim => {
                ("persistentVolumeClaim", json!({"claimName": "c"}))
            }
            VolumeSource::Csi => ("csi", json!({"driver": "d"})),
            VolumeSource::DownwardApi => ("downwardAPI", json!({"items": []})),
            VolumeSource::Ephemeral => ("ephemeral", json!({"volumeClaimTemplate": {}})),
            VolumeSource::Image => ("image", json!({"reference": "r"})),
            VolumeSource::HostPath => ("hostPath", json!({"path": "/"})),
            VolumeSource::Nfs => ("nfs", json!({"server": "s", "path": "/"})),
            VolumeSource::GcePersistentDisk => ("gcePersistentDisk", json!({"pdName": "p"})),
            VolumeSource::NullHostPath => ("hostPath", Value::Null),
            VolumeSource::Unknown(t) => return (t.text(), json!({})),
        };
        (key.to_owned(), value)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct VolumeIn {
    pub name: Text,
    pub sources: Vec<VolumeSource>,
}

impl VolumeIn {
    fn render(&self) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), Value::String(self.name.text()));
        for s in &self.sources {
            let (k, v) = s.entry();
            if k != "name" {
                o.insert(k, v);
            }
        }
        Value::Object(o)
    }

    /// Whether the rendered volume has a (non-null) hostPath source. Later sources with the
    /// same key overwrite earlier ones when rendered, so the last one decides.
    fn host_path(&self) -> bool {
        let mut last = None;
        for s in &self.sources {
            if s.entry().0 == "hostPath" {
                last = Some(matches!(s, VolumeSource::HostPath));
            }
        }
        last == Some(true)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum AnnotationKey {
    AppArmor(Text),
    SeccompPod,
    SeccompContainer(Text),
    Other(Text),
}

impl AnnotationKey {
    fn text(&self) -> String {
        match self {
            AnnotationKey::AppArmor(c) => {
                format!(
                    "container.apparmor.security.beta.kubernetes.io/{}",
                    c.text()
                )
            }
            AnnotationKey::SeccompPod => "seccomp.security.alpha.kubernetes.io/pod".to_owned(),
            AnnotationKey::SeccompContainer(c) => format!(
                "container.seccomp.security.alpha.kubernetes.io/{}",
                c.text()
            ),
            AnnotationKey::Other(t) => t.text(),
        }
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct PodSc {
    pub run_as_non_root: Flag,
    pub run_as_user: Field<i64>,
    pub seccomp: Field<Profile>,
    pub apparmor: Field<Profile>,
    pub selinux: Field<SeLinux>,
    pub host_process: Flag,
    pub sysctls: Field<Vec<Text>>,
}

impl PodSc {
    fn render(&self) -> Value {
        let mut o = Map::new();
        self.run_as_non_root.put(&mut o, "runAsNonRoot");
        self.run_as_user.put(&mut o, "runAsUser", |n| json!(n));
        self.seccomp.put(&mut o, "seccompProfile", Profile::render);
        self.apparmor
            .put(&mut o, "appArmorProfile", Profile::render);
        self.selinux.put(&mut o, "seLinuxOptions", SeLinux::render);
        if self.host_process != Flag::Absent {
            let mut w = Map::new();
            self.host_process.put(&mut w, "hostProcess");
            o.insert("windowsOptions".into(), Value::Object(w));
        }
        self.sysctls.put(&mut o, "sysctls", |l| {
            Value::Array(
                l.iter()
                    .map(|t| json!({"name": t.text(), "value": "1"}))
                    .collect(),
            )
        });
        Value::Object(o)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub struct PodIn {
    pub annotations: Vec<(AnnotationKey, Text)>,
    pub host_network: Flag,
    pub host_pid: Flag,
    pub host_ipc: Flag,
    pub host_users: Flag,
    pub runtime_class_name: Field<Text>,
    pub os: Field<Text>,
    pub security_context: Field<PodSc>,
    pub init_containers: Field<Vec<ContainerIn>>,
    pub containers: Field<Vec<ContainerIn>>,
    pub ephemeral_containers: Field<Vec<ContainerIn>>,
    pub volumes: Field<Vec<VolumeIn>>,
}

impl PodIn {
    /// The pod as a v1 Pod object.
    pub fn render(&self) -> Value {
        let mut annotations = Map::new();
        for (k, v) in &self.annotations {
            annotations.insert(k.text(), Value::String(v.text()));
        }
        let mut spec = Map::new();
        self.host_network.put(&mut spec, "hostNetwork");
        self.host_pid.put(&mut spec, "hostPID");
        self.host_ipc.put(&mut spec, "hostIPC");
        self.host_users.put(&mut spec, "hostUsers");
        self.runtime_class_name
            .put(&mut spec, "runtimeClassName", |t| Value::String(t.text()));
        self.os.put(&mut spec, "os", |t| json!({"name": t.text()}));
        self.security_context
            .put(&mut spec, "securityContext", PodSc::render);
        let containers =
            |l: &Vec<ContainerIn>| Value::Array(l.iter().map(ContainerIn::render).collect());
        self.init_containers
            .put(&mut spec, "initContainers", containers);
        self.containers.put(&mut spec, "containers", containers);
        self.ephemeral_containers
            .put(&mut spec, "ephemeralContainers", containers);
        self.volumes.put(&mut spec, "volumes", |l| {
            Value::Array(l.iter().map(VolumeIn::render).collect())
        });
        json!({
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "p", "annotations": annotations},
            "spec": spec,
        })
    }

    fn all_containers(&self) -> impl Iterator<Item = &ContainerIn> {
        [
            &self.init_containers,
            &self.containers,
            &self.ephemeral_containers,
        ]
        .into_iter()
        .filter_map(|f| f.get())
        .flatten()
    }

    /// Whether the pod certainly breaks the baseline level at every version: a privileged
    /// container, a host namespace, a hostPath volume or a host port.
    pub fn breaks_baseline(&self) -> bool {
        self.all_containers()
            .any(|c| c.privileged() || c.host_port())
            || [self.host_network, self.host_pid, self.host_ipc].contains(&Flag::True)
            || self
                .volumes
                .get()
                .is_some_and(|vs| vs.iter().any(VolumeIn::host_path))
    }

    pub fn runtime_class(&self) -> Option<String> {
        self.runtime_class_name.get().map(Text::text)
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum LevelIn {
    Baseline,
    Restricted,
    Other(Text),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum VersionIn {
    Latest,
    Minor(u8),
    Raw(Text),
}

#[derive(Arbitrary, Debug, Clone)]
pub struct SettingsIn {
    pub level: Field<LevelIn>,
    pub version: Field<VersionIn>,
    pub require_read_only_root_filesystem: Flag,
    pub exempt_namespaces: Vec<Text>,
    pub exempt_usernames: Vec<Text>,
    pub exempt_runtime_classes: Vec<Text>,
    /// `mutate`: secure defaults filled in before judging.
    pub mutate: Flag,
    pub unknown_key: bool,
}

impl SettingsIn {
    pub fn render(&self) -> Value {
        let mut o = Map::new();
        self.level.put(&mut o, "level", |l| match l {
            LevelIn::Baseline => json!("baseline"),
            LevelIn::Restricted => json!("restricted"),
            LevelIn::Other(t) => Value::String(t.text()),
        });
        self.version.put(&mut o, "version", |v| match v {
            VersionIn::Latest => json!("latest"),
            VersionIn::Minor(n) => Value::String(format!("v1.{}", n % 42)),
            VersionIn::Raw(t) => Value::String(t.text()),
        });
        self.require_read_only_root_filesystem
            .put(&mut o, "requireReadOnlyRootFilesystem");
        let mut ex = Map::new();
        for (key, list) in [
            ("namespaces", &self.exempt_namespaces),
            ("usernames", &self.exempt_usernames),
            ("runtimeClasses", &self.exempt_runtime_classes),
        ] {
            if !list.is_empty() {
                ex.insert(key.into(), text_list(list));
            }
        }
        if !ex.is_empty() {
            o.insert("exemptions".into(), Value::Object(ex));
        }
        self.mutate.put(&mut o, "mutate");
        if self.unknown_key {
            o.insert("mode".into(), json!("audit"));
        }
        Value::Object(o)
    }

    /// The same settings at another level.
    pub fn at_level(&self, level: LevelIn) -> SettingsIn {
        SettingsIn {
            level: Field::Set(level),
            ..self.clone()
        }
    }

    pub fn exempts(&self, namespace: &str, user: &str, runtime_class: Option<&str>) -> bool {
        let listed = |list: &[Text], v: &str| !v.is_empty() && list.iter().any(|t| t.text() == v);
        listed(&self.exempt_namespaces, namespace)
            || listed(&self.exempt_usernames, user)
            || runtime_class.is_some_and(|rc| listed(&self.exempt_runtime_classes, rc))
    }
}

#[derive(Arbitrary, Debug, Clone)]
pub enum OperationIn {
    Create,
    /// An update; with the old pod, or without `oldObject`.
    Update(Option<Box<PodIn>>),
    /// An update whose old object is the new one.
    UpdateSame,
    Delete,
    Connect,
    Other(Text),
}

#[derive(Arbitrary, Debug, Clone)]
pub enum ShapeIn {
    /// `request.kind`, `request.resource` and the object's `kind` agree.
    Consistent,
    NoResource,
    /// `request.resource` names another kind's resource.
    ResourceOf(u8),
    /// The object's own `kind` is something else.
    ObjectKind(Text),
    /// The object has no `kind`.
    NoObjectKind,
}

/// One structured fuzz input: settings and a request about a pod or a workload.
#[derive(Arbitrary, Debug, Clone)]
pub struct Input {
    pub settings: SettingsIn,
    pub kind: u8,
    pub operation: OperationIn,
    pub subresource: Option<Text>,
    pub shape: ShapeIn,
    pub namespace: Text,
    pub username: Text,
    pub pod: PodIn,
}

impl Input {
    pub fn kind(&self) -> &'static str {
        KINDS[self.kind as usize % KINDS.len()].0
    }

    /// Whether the request is a plain CREATE (or an UPDATE without `oldObject`) of a
    /// consistently described object, which the policy must evaluate.
    pub fn plain(&self) -> bool {
        matches!(
            self.operation,
            OperationIn::Create | OperationIn::Update(None)
        ) && self.subresource.is_none()
            && matches!(self.shape, ShapeIn::Consistent | ShapeIn::NoObjectKind)
    }

    /// The ValidationRequest, with the pod as an object of `kind` and the given settings.
    pub fn render_as(&self, kind: &str, settings: &SettingsIn) -> Value {
        let (_, group, resource) = KINDS
            .iter()
            .find(|(k, ..)| *k == kind)
            .copied()
            .unwrap_or(KINDS[0]);
        let mut object = wrap(kind, &self.pod.render());
        let mut request = Map::new();
        request.insert("uid".into(), json!("0"));
        request.insert(
            "kind".into(),
            json!({"group": group, "version": "v1", "kind": kind}),
        );
        match &self.shape {
            ShapeIn::NoResource => {}
            ShapeIn::ResourceOf(i) => {
                let (_, g, r) = KINDS[*i as usize % KINDS.len()];
                request.insert(
                    "resource".into(),
                    json!({"group": g, "version": "v1", "resource": r}),
                );
            }
            _ => {
                request.insert(
                    "resource".into(),
                    json!({"group": group, "version": "v1", "resource": resource}),
                );
            }
        }
        match &self.shape {
            ShapeIn::ObjectKind(t) => {
                object["kind"] = Value::String(t.text());
            }
            ShapeIn::NoObjectKind => {
                if let Some(o) = object.as_object_mut() {
                    o.remove("kind");
                }
            }
            _ => {}
        }
        if let Some(sub) = &self.subresource {
            request.insert("subResource".into(), Value::String(sub.text()));
        }
        let operation = match &self.operation {
            OperationIn::Create => "CREATE".to_owned(),
            OperationIn::Update(_) | OperationIn::UpdateSame => "UPDATE".to_owned(),
            OperationIn::Delete => "DELETE".to_owned(),
            OperationIn::Connect => "CONNECT".to_owned(),
            OperationIn::Other(t) => t.text(),
        };
        request.insert("operation".into(), Value::String(operation));
        request.insert("namespace".into(), Value::String(self.namespace.text()));
        request.insert(
            "userInfo".into(),
            json!({"username": self.username.text(), "groups": ["system:authenticated"]}),
        );
        match &self.operation {
            OperationIn::Update(Some(old)) => {
                request.insert("oldObject".into(), wrap(kind, &old.render()));
            }
            OperationIn::UpdateSame => {
                request.insert("oldObject".into(), object.clone());
            }
            _ => {}
        }
        request.insert("object".into(), object);
        json!({"settings": settings.render(), "request": request})
    }
}
