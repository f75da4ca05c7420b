//! Whether a request's pod must be judged, as Pod Security Admission decides it: operations
//! and subresources that cannot change a pod, exemptions, updates that change nothing that
//! matters, and a subresource update judged as the API server will store it.

use super::carrier::{pod_of, read_carried, read_pod, PodCarrier};
use super::{AdmissionRequest, ObjectField};
use crate::json::Reader;
use crate::pod::{Container, PodView};
use crate::refusal::BadRequest;
use crate::settings::Settings;

/// Pod subresources that cannot change the pod spec: Pod Security Admission lets them
/// through unchecked. Every other pod subresource is evaluated, so a new way to change a
/// pod spec fails safe.
pub(crate) const IGNORED_POD_SUBRESOURCES: [&str; 8] = [
    "exec",
    "attach",
    "binding",
    "eviction",
    "log",
    "portforward",
    "proxy",
    "status",
];

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
    /// The request's object as sent, when it was kept raw (see [`Reading`](crate::request::Reading)).
    pub object: Option<&'a str>,
    /// Whether the object may be corrected by mutation: not for a Pod UPDATE, where the
    /// API server forbids changing the spec of an existing pod.
    pub mutable: bool,
}

impl<'a> AdmissionRequest<'a> {
    /// Decides whether the request's pod must be evaluated, and reads it if so.
    /// An error is a refusal: the request cannot be judged as given.
    pub fn subject(self, settings: &Settings) -> Result<Subject<'a>, BadRequest> {
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
            BadRequest::at(
                "request.object",
                format!(
                    "the request carries no object to check ({} {operation})",
                    carrier.kind()
                ),
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
}

/// The part of a pod that an UPDATE of a pod subresource keeps from the object the client
/// sent; the API server restores everything else, labels and annotations included, from
/// the stored pod (`pkg/registry/core/pod/strategy.go`: dropNonEphemeralContainerUpdates,
/// dropNonResizeUpdates). Admission webhooks that mutate see the object before that.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeptBySubresource {
    /// `pods/ephemeralcontainers`: `spec.ephemeralContainers`.
    EphemeralContainers,
    /// `pods/resize`: the resources (and resize policy) of containers and of the pod,
    /// which no control reads.
    Resources,
}

impl KeptBySubresource {
    pub(crate) fn of(subresource: &str) -> Option<KeptBySubresource> {
        match subresource {
            "ephemeralcontainers" => Some(KeptBySubresource::EphemeralContainers),
            "resize" => Some(KeptBySubresource::Resources),
            _ => None,
        }
    }

    /// The rejection for an update that does not say what the API server has stored.
    pub(crate) fn missing_old_object(self, subresource: &str) -> BadRequest {
        let kept = match self {
            KeptBySubresource::EphemeralContainers => "the ephemeral containers",
            KeptBySubresource::Resources => "the container resources",
        };
        BadRequest::at("request.oldObject", format!(
            "request.oldObject is missing: a pods/{subresource} UPDATE stores the pod of request.oldObject with only {kept} of request.object, so it cannot be judged without it"
        ))
    }
}

/// Pod Security Admission's rule: an update matters when the number of containers or init
/// containers changes, an image changes, or an ephemeral container is added or changes image.
pub(crate) fn significant_pod_update(new: &PodView, old: &PodView) -> bool {
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
pub(crate) fn ephemeral_containers_changed(new: &[Container], old: &[Container]) -> bool {
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
pub(crate) fn template_unchanged(new: &str, old: &str, carrier: PodCarrier) -> bool {
    let template = |json| -> Option<serde_json::Value> {
        let found = Reader::read_all(json, |r| read_carried(r, carrier, Reader::raw)).ok()?;
        serde_json::from_str(found.pod?).ok()
    };
    match (template(new), template(old)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}
