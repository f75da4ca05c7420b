//! Reading an admission request: what kind of object it carries, which operation and
//! subresource, where the pod template is, and whether it needs evaluating at all.

use crate::controls::{clip_text, MAX_VALUE_BYTES};
use crate::json::{self, read_fields, Reader, Str};
use crate::pod::{read_error, Container, PodView};
use crate::settings::Settings;

/// Kubewarden's envelope: the admission request and the policy's settings.
pub struct ValidationRequest<'a> {
    pub request: AdmissionRequest<'a>,
    /// The settings' JSON text; `None` when absent or `null`.
    pub settings: Option<&'a str>,
}

/// How the request's object is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// One pass: the object is read into the pod view while the request is parsed, as the
    /// kind seen before it says (AdmissionRequests carry `kind` before `object`).
    OnePass,
    /// The object is kept as raw JSON and read afterwards: for workload updates (whose
    /// templates are compared as JSON), for mutation (which edits the JSON), to explain read
    /// errors, and when the kind comes after the object.
    Raw,
}

impl<'a> ValidationRequest<'a> {
    pub fn parse(text: &'a str, reading: Reading) -> json::Result<ValidationRequest<'a>> {
        Reader::read_all(text, |r| {
            let (mut request, mut settings) = (None, None);
            read_fields!(r, "a ValidationRequest: {\"request\": ..., \"settings\": ...}", {
                "request" => request = Some(AdmissionRequest::read(r, reading)?),
                "settings" => settings = r.option(Reader::raw)?,
            })?;
            let request = request.ok_or_else(|| r.missing_field("request"))?;
            Ok(ValidationRequest { request, settings })
        })
    }
}

#[derive(Default)]
pub struct AdmissionRequest<'a> {
    pub kind: Option<GroupVersionKind<'a>>,
    pub resource: Option<GroupVersionResource<'a>>,
    pub sub_resource: Option<Str<'a>>,
    pub operation: Option<Str<'a>>,
    pub namespace: Option<Str<'a>>,
    pub user_info: Option<UserInfo<'a>>,
    pub object: Option<ObjectField<'a>>,
    /// `oldObject`'s JSON text.
    pub old_object: Option<&'a str>,
}

/// `request.object`, as read.
pub enum ObjectField<'a> {
    /// Read in the same pass as the request, as an object of this kind.
    Read(PodCarrier, Found<'a, Box<PodView<'a>>>),
    /// The object's JSON text, checked for well-formedness only.
    Raw(&'a str),
}

impl<'a> AdmissionRequest<'a> {
    /// Reads the AdmissionRequest fields this policy uses. A field named twice is refused:
    /// which copy would the caller have meant?
    fn read(r: &mut Reader<'a>, reading: Reading) -> json::Result<Self> {
        let mut q = AdmissionRequest::default();
        read_fields!(r, "an AdmissionRequest object", hot, {
            "kind" => q.kind = r.option(GroupVersionKind::read)?,
            "resource" => q.resource = r.option(GroupVersionResource::read)?,
            "subResource" => q.sub_resource = r.opt_str()?,
            "operation" => q.operation = r.opt_str()?,
            "namespace" => q.namespace = r.opt_str()?,
            "userInfo" => q.user_info = r.option(UserInfo::read)?,
            "object" => {
                q.object = match q.one_pass_carrier(reading) {
                    Some(carrier) => r
                        .option(|r| read_carried(r, carrier, PodView::read))?
                        .map(|found| ObjectField::Read(carrier, found)),
                    None => r.option(Reader::raw)?.map(ObjectField::Raw),
                }
            },
            "oldObject" => q.old_object = r.option(Reader::raw)?,
        })?;
        Ok(q)
    }
}

pub struct GroupVersionKind<'a> {
    pub group: Option<Str<'a>>,
    pub kind: Option<Str<'a>>,
}

impl<'a> GroupVersionKind<'a> {
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let (mut group, mut kind) = (None, None);
        read_fields!(r, "a group, version and kind", {
            "group" => group = r.opt_str()?,
            "kind" => kind = r.opt_str()?,
        })?;
        Ok(GroupVersionKind { group, kind })
    }
}

pub struct GroupVersionResource<'a> {
    pub group: Option<Str<'a>>,
    pub resource: Option<Str<'a>>,
}

impl<'a> GroupVersionResource<'a> {
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let (mut group, mut resource) = (None, None);
        read_fields!(r, "a group, version and resource", {
            "group" => group = r.opt_str()?,
            "resource" => resource = r.opt_str()?,
        })?;
        Ok(GroupVersionResource { group, resource })
    }
}

pub struct UserInfo<'a> {
    pub username: Option<Str<'a>>,
}

impl<'a> UserInfo<'a> {
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut username = None;
        read_fields!(r, "user info", {
            "username" => username = r.opt_str()?,
        })?;
        Ok(UserInfo { username })
    }
}

/// Every kind of object that is, or carries, a pod spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PodCarrier {
    Pod,
    PodTemplate,
    ReplicationController,
    ReplicaSet,
    Deployment,
    StatefulSet,
    DaemonSet,
    Job,
    CronJob,
}

/// (carrier, API group, kind, resource)
const CARRIERS: [(PodCarrier, &str, &str, &str); 9] = [
    (PodCarrier::Pod, "", "Pod", "pods"),
    (PodCarrier::PodTemplate, "", "PodTemplate", "podtemplates"),
    (
        PodCarrier::ReplicationController,
        "",
        "ReplicationController",
        "replicationcontrollers",
    ),
    (PodCarrier::ReplicaSet, "apps", "ReplicaSet", "replicasets"),
    (PodCarrier::Deployment, "apps", "Deployment", "deployments"),
    (
        PodCarrier::StatefulSet,
        "apps",
        "StatefulSet",
        "statefulsets",
    ),
    (PodCarrier::DaemonSet, "apps", "DaemonSet", "daemonsets"),
    (PodCarrier::Job, "batch", "Job", "jobs"),
    (PodCarrier::CronJob, "batch", "CronJob", "cronjobs"),
];

/// Pod subresources that cannot change the pod spec: Pod Security Admission lets them
/// through unchecked. Every other pod subresource is evaluated, so a new way to change a
/// pod spec fails safe.
const IGNORED_POD_SUBRESOURCES: [&str; 8] = [
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

impl PodCarrier {
    fn from_kind(group: &str, kind: &str) -> Option<PodCarrier> {
        CARRIERS
            .iter()
            .find(|(_, g, k, _)| *g == group && *k == kind)
            .map(|(c, ..)| *c)
    }

    fn from_resource(group: &str, resource: &str) -> Option<PodCarrier> {
        CARRIERS
            .iter()
            .find(|(_, g, _, r)| *g == group && *r == resource)
            .map(|(c, ..)| *c)
    }

    pub fn kind(self) -> &'static str {
        CARRIERS
            .iter()
            .find(|(c, ..)| *c == self)
            .map(|(_, _, k, _)| *k)
            .unwrap_or("")
    }

    /// Where the pod (metadata and spec) is inside the object.
    pub fn template_path(self) -> &'static [&'static str] {
        match self {
            PodCarrier::Pod => &[],
            PodCarrier::PodTemplate => &["template"],
            PodCarrier::CronJob => &["spec", "jobTemplate", "spec", "template"],
            _ => &["spec", "template"],
        }
    }
}

/// Why a request is let through without evaluating its pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pass {
    /// Not a kind that carries a pod spec, or an operation that cannot change one.
    NotApplicable(&'static str),
    /// A subresource that cannot change the pod spec.
    Subresource(String),
    /// A pod update that Pod Security Admission does not consider significant.
    InsignificantUpdate,
    /// A workload update that leaves its pod template as it was.
    TemplateUnchanged,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exemption {
    Namespace(String),
    Username(String),
    RuntimeClass(String),
}

/// What to do with a request.
pub enum Subject<'a> {
    Pass(Pass),
    Exempt(Exemption),
    Evaluate(Evaluation<'a>),
}

/// A pod to judge, and what is needed to correct it in place.
pub struct Evaluation<'a> {
    pub pod: Box<PodView<'a>>,
    pub carrier: PodCarrier,
    /// The request's object as sent, when it was kept raw (see [`Reading`]).
    pub object: Option<&'a str>,
    /// Whether the object may be corrected by mutation: not for a Pod UPDATE, where the
    /// API server forbids changing the spec of an existing pod.
    pub mutable: bool,
}

impl<'a> AdmissionRequest<'a> {
    /// The kind to read `object` as in the same pass: the one `kind` (and `resource`, when
    /// seen already) name before the object. [`Self::read_consistently`] checks it once the
    /// whole request is read.
    fn one_pass_carrier(&self, reading: Reading) -> Option<PodCarrier> {
        if reading != Reading::OnePass {
            return None;
        }
        self.carrier().ok().flatten()
    }

    /// Whether an object read in one pass can serve: it was read as the kind the whole
    /// request names, and the decision needs no raw JSON (a workload update compares its
    /// templates as JSON). Otherwise the request is read again, raw.
    pub fn read_consistently(&self) -> bool {
        match &self.object {
            Some(ObjectField::Read(carrier, _)) => {
                self.carrier().ok().flatten() == Some(*carrier)
                    && (*carrier == PodCarrier::Pod || self.operation.as_deref() != Some("UPDATE"))
            }
            _ => true,
        }
    }

    /// Decides whether the request's pod must be evaluated, and reads it if so.
    /// An error is a rejection message: the request cannot be judged as given.
    pub fn subject(self, settings: &Settings) -> Result<Subject<'a>, String> {
        let operation = self.operation.as_deref().unwrap_or("");
        if operation == "DELETE" || operation == "CONNECT" {
            return Ok(Subject::Pass(Pass::NotApplicable(
                "the operation cannot create or change a pod",
            )));
        }
        let Some(carrier) = self.carrier()? else {
            return Ok(Subject::Pass(Pass::NotApplicable(
                "the kind carries no pod template",
            )));
        };
        let subresource = self.sub_resource.as_deref().unwrap_or("");
        if !subresource.is_empty()
            && (carrier != PodCarrier::Pod || IGNORED_POD_SUBRESOURCES.contains(&subresource))
        {
            return Ok(Subject::Pass(Pass::Subresource(subresource.to_owned())));
        }
        let exemptions = &settings.exemptions;
        if let Some(ns) = self.namespace.as_deref().filter(|ns| !ns.is_empty()) {
            if exemptions.namespaces.iter().any(|e| e == ns) {
                return Ok(Subject::Exempt(Exemption::Namespace(ns.to_owned())));
            }
        }
        let username = self.user_info.as_ref().and_then(|u| u.username.as_deref());
        if let Some(user) = username.filter(|u| !u.is_empty()) {
            if exemptions.usernames.iter().any(|e| e == user) {
                return Ok(Subject::Exempt(Exemption::Username(user.to_owned())));
            }
        }

        let object = self.object.ok_or_else(|| {
            format!(
                "the request carries no object to check ({} {operation})",
                carrier.kind()
            )
        })?;
        let (mut pod, mut raw_object) = match object {
            ObjectField::Read(_, found) => (pod_of(found, carrier, "object")?, None),
            ObjectField::Raw(raw) => (read_pod(raw, carrier, "object")?, Some(raw)),
        };

        let kept = KeptBySubresource::of(subresource);
        if let (Some(kept), "UPDATE", PodCarrier::Pod) = (kept, operation, carrier) {
            // The pod as the API server will store it: what the client sent counts only
            // for the part the subresource keeps.
            let old = self
                .old_object
                .ok_or_else(|| kept.missing_old_object(subresource))?;
            let mut stored = read_pod(old, carrier, "oldObject")?;
            match kept {
                // Nothing a control reads: the stored pod is the old one, and an update
                // that changes no image and no container count is insignificant.
                KeptBySubresource::Resources => {
                    return Ok(Subject::Pass(Pass::InsignificantUpdate));
                }
                KeptBySubresource::EphemeralContainers => {
                    // The stored pod differs from the old one in its ephemeral containers
                    // only: PSA's rule then looks at nothing else.
                    if !ephemeral_containers_changed(
                        &pod.spec.ephemeral_containers,
                        &stored.spec.ephemeral_containers,
                    ) {
                        return Ok(Subject::Pass(Pass::InsignificantUpdate));
                    }
                    stored.spec.ephemeral_containers =
                        std::mem::take(&mut pod.spec.ephemeral_containers);
                    pod = stored;
                    raw_object = None;
                }
            }
        } else if operation == "UPDATE" {
            if let Some(old) = self.old_object {
                if carrier == PodCarrier::Pod {
                    // An old object that cannot be read makes the update significant.
                    if let Ok(old_pod) = read_pod(old, carrier, "oldObject") {
                        if !significant_pod_update(&pod, &old_pod) {
                            return Ok(Subject::Pass(Pass::InsignificantUpdate));
                        }
                    }
                } else if raw_object.is_some_and(|new| template_unchanged(new, old, carrier)) {
                    return Ok(Subject::Pass(Pass::TemplateUnchanged));
                }
            }
        }

        if let Some(rc) = pod
            .spec
            .runtime_class_name
            .as_deref()
            .filter(|rc| !rc.is_empty())
        {
            if exemptions.runtime_classes.iter().any(|e| e == rc) {
                return Ok(Subject::Exempt(Exemption::RuntimeClass(rc.to_owned())));
            }
        }
        Ok(Subject::Evaluate(Evaluation {
            pod,
            carrier,
            object: raw_object,
            mutable: !(carrier == PodCarrier::Pod && operation == "UPDATE"),
        }))
    }

    /// The kind of object the request is about, from `request.kind` and `request.resource`.
    /// They must agree: a request that names a pod-carrying kind in one and something else
    /// in the other is refused rather than guessed at.
    fn carrier(&self) -> Result<Option<PodCarrier>, String> {
        let kind = self.kind.as_ref();
        let Some(kind_name) = kind
            .and_then(|k| k.kind.as_deref())
            .filter(|k| !k.is_empty())
        else {
            return Err("request.kind is missing: cannot tell what object this is".to_owned());
        };
        let kind_group = kind.and_then(|k| k.group.as_deref()).unwrap_or("");
        let by_kind = PodCarrier::from_kind(kind_group, kind_name);
        let Some(resource) = self.resource.as_ref() else {
            return Ok(by_kind);
        };
        let resource_name = resource.resource.as_deref().unwrap_or("");
        let resource_group = resource.group.as_deref().unwrap_or("");
        let by_resource = PodCarrier::from_resource(resource_group, resource_name);
        let subresource = self.sub_resource.as_deref().unwrap_or("");
        if !subresource.is_empty() {
            // A subresource has its own kind (Binding, Scale, Eviction...): the resource
            // says whose subresource it is.
            return Ok(by_resource.or(by_kind));
        }
        if by_kind != by_resource && !audit_scanner_form(kind_group, kind_name, resource) {
            // The names are the request's own: cut, so that the message stays bounded.
            let [kind_name, kind_group, resource_name, resource_group] =
                [kind_name, kind_group, resource_name, resource_group]
                    .map(|s| clip_text(s, MAX_VALUE_BYTES));
            return Err(format!(
                "request.kind {kind_name:?} (group {kind_group:?}) and request.resource {resource_name:?} (group {resource_group:?}) disagree"
            ));
        }
        Ok(by_kind)
    }
}

/// Kubewarden's audit-scanner (`newAdmissionRequest` in its `internal/audit-scanner/scanner/`)
/// names the resource by the object's Kind (`"Pod"`, not `"pods"`), in the same group:
/// its background audit must judge the object as admission would.
fn audit_scanner_form(kind_group: &str, kind_name: &str, resource: &GroupVersionResource) -> bool {
    resource.group.as_deref().unwrap_or("") == kind_group
        && resource.resource.as_deref() == Some(kind_name)
}

/// Reads the pod (metadata and spec) of an object of the given kind.
pub fn read_pod<'a>(
    json: &'a str,
    carrier: PodCarrier,
    field: &str,
) -> Result<Box<PodView<'a>>, String> {
    let found =
        Reader::read_all(json, |r| read_carried(r, carrier, PodView::read)).map_err(|e| {
            format!(
                "cannot read the {} in request.{field}: {}",
                carrier.kind(),
                read_error(json, &e)
            )
        })?;
    pod_of(found, carrier, field)
}

/// The pod read from an object, once the object's own `kind` is found to agree.
fn pod_of<'a>(
    found: Found<'a, Box<PodView<'a>>>,
    carrier: PodCarrier,
    field: &str,
) -> Result<Box<PodView<'a>>, String> {
    let object_kind = found
        .kind
        .as_deref()
        .or(found.pod.as_ref().and_then(|p| p.kind.as_deref()));
    if let Some(kind) = object_kind {
        if kind != carrier.kind() {
            return Err(format!(
                "request.{field}.kind {:?} does not match the request's kind {:?}",
                clip_text(kind, MAX_VALUE_BYTES),
                carrier.kind()
            ));
        }
    }
    found.pod.ok_or_else(|| {
        format!(
            "request.{field} has no {}: a {} must carry a pod template",
            carrier.template_path().join("."),
            carrier.kind()
        )
    })
}

/// The part of a pod that an UPDATE of a pod subresource keeps from the object the client
/// sent; the API server restores everything else, labels and annotations included, from
/// the stored pod (`pkg/registry/core/pod/strategy.go`: dropNonEphemeralContainerUpdates,
/// dropNonResizeUpdates). Admission webhooks that mutate see the object before that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum KeptBySubresource {
    /// `pods/ephemeralcontainers`: `spec.ephemeralContainers`.
    EphemeralContainers,
    /// `pods/resize`: the resources (and resize policy) of containers and of the pod,
    /// which no control reads.
    Resources,
}

impl KeptBySubresource {
    fn of(subresource: &str) -> Option<KeptBySubresource> {
        match subresource {
            "ephemeralcontainers" => Some(KeptBySubresource::EphemeralContainers),
            "resize" => Some(KeptBySubresource::Resources),
            _ => None,
        }
    }

    /// The rejection for an update that does not say what the API server has stored.
    fn missing_old_object(self, subresource: &str) -> String {
        let kept = match self {
            KeptBySubresource::EphemeralContainers => "the ephemeral containers",
            KeptBySubresource::Resources => "the container resources",
        };
        format!(
            "request.oldObject is missing: a pods/{subresource} UPDATE stores the pod of request.oldObject with only {kept} of request.object, so it cannot be judged without it"
        )
    }
}

/// Pod Security Admission's rule: an update matters when the number of containers or init
/// containers changes, an image changes, or an ephemeral container is added or changes image.
fn significant_pod_update(new: &PodView, old: &PodView) -> bool {
    let (new, old) = (&new.spec, &old.spec);
    if new.containers.len() != old.containers.len()
        || new.init_containers.len() != old.init_containers.len()
    {
        return true;
    }
    let image_changed = |a: &Container, b: &Container| a.image != b.image;
    if new
        .containers
        .iter()
        .zip(&old.containers)
        .any(|(a, b)| image_changed(a, b))
        || new
            .init_containers
            .iter()
            .zip(&old.init_containers)
            .any(|(a, b)| image_changed(a, b))
    {
        return true;
    }
    ephemeral_containers_changed(&new.ephemeral_containers, &old.ephemeral_containers)
}

/// PSA's rule for ephemeral containers: one is added, or one changes image.
fn ephemeral_containers_changed(new: &[Container], old: &[Container]) -> bool {
    // The first old ephemeral container of each name, as PSA's linear search finds it; a
    // map, so that thousands of ephemeral containers cost linear time, not quadratic.
    let mut old_ephemeral = std::collections::HashMap::new();
    for o in old {
        old_ephemeral.entry(o.name.as_deref()).or_insert(o);
    }
    new.iter()
        .any(|c| match old_ephemeral.get(&c.name.as_deref()) {
            None => true,
            Some(o) => c.image != o.image,
        })
}

/// Whether a workload update leaves the pod template (metadata and spec) exactly as it was.
fn template_unchanged(new: &str, old: &str, carrier: PodCarrier) -> bool {
    let template = |json| -> Option<serde_json::Value> {
        let found = Reader::read_all(json, |r| read_carried(r, carrier, Reader::raw)).ok()?;
        serde_json::from_str(found.pod?).ok()
    };
    match (template(new), template(old)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// The object's own `kind` and the value at the carrier's template path.
pub struct Found<'a, T> {
    pub kind: Option<Str<'a>>,
    pub pod: Option<T>,
}

/// Reads the value at a carrier's template path with `read`, skipping every other key.
fn read_carried<'a, T>(
    r: &mut Reader<'a>,
    carrier: PodCarrier,
    read: impl FnOnce(&mut Reader<'a>) -> json::Result<T>,
) -> json::Result<Found<'a, T>> {
    let mut found = Found {
        kind: None,
        pod: None,
    };
    descend(
        r,
        carrier.template_path(),
        true,
        &mut found,
        &mut Some(read),
    )?;
    Ok(found)
}

/// Walks down `path` through nested objects (any of which may be `null`).
fn descend<'a, T>(
    r: &mut Reader<'a>,
    path: &[&'static str],
    top: bool,
    found: &mut Found<'a, T>,
    read: &mut Option<impl FnOnce(&mut Reader<'a>) -> json::Result<T>>,
) -> json::Result<()> {
    let Some((step, rest)) = path.split_first() else {
        return match read.take() {
            Some(read) => r.option(read).map(|pod| found.pod = pod),
            None => r.skip(),
        };
    };
    if r.null()? {
        return Ok(());
    }
    let mut seen = 0;
    r.object("an object with a pod template", |r, key| {
        if key == *step {
            // Kubernetes' decoder would merge two `spec`s (or `template`s) into one; a
            // template read from only one of them could hide what the other sets.
            r.once(&mut seen, 1, step)?;
            descend(r, rest, false, found, read)
        } else if top && key == "kind" {
            found.kind = r.opt_str()?;
            Ok(())
        } else {
            r.skip()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn with_subject<R>(request: Value, f: impl FnOnce(Result<Subject, String>) -> R) -> R {
        let text = request.to_string();
        let req = parse(&text, Reading::Raw).unwrap();
        f(req.subject(&settings()))
    }

    fn describe(s: Result<Subject, String>) -> String {
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
        let late =
            r#"{"operation":"CREATE","object":{"spec":{}},"kind":{"group":"","kind":"Pod"}}"#;
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
        assert!(
            outcome(serde_json::from_str(&bad).unwrap()).starts_with("error cannot read the Pod")
        );
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
        assert!(
            outcome(pod_request("CREATE", json!([1, 2]))).starts_with("error cannot read the Pod")
        );
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
            Err(e) => assert!(e.contains("duplicate field `spec`"), "{e}"),
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
}
