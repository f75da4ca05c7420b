//! Which kind of object carries the pod (a Pod, or a workload's pod template), where the
//! pod is inside it, and reading it from there.

use super::{AdmissionRequest, GroupVersionResource};
use crate::bounds::{clip_text, MAX_VALUE_BYTES};
use crate::json::{self, Reader, Str};
use crate::pod::{read_error, PodView};
use crate::refusal::BadRequest;

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
pub(crate) const CARRIERS: [(PodCarrier, &str, &str, &str); 9] = [
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

impl AdmissionRequest<'_> {
    /// The kind of object the request is about, from `request.kind` and `request.resource`.
    /// They must agree: a request that names a pod-carrying kind in one and something else
    /// in the other is refused rather than guessed at.
    pub(crate) fn carrier(&self) -> Result<Option<PodCarrier>, BadRequest> {
        let kind = self.kind.as_ref();
        let Some(kind_name) = kind
            .and_then(|k| k.kind.as_deref())
            .filter(|k| !k.is_empty())
        else {
            return Err(BadRequest::at(
                "request.kind",
                "request.kind is missing: cannot tell what object this is".to_owned(),
            ));
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
            return Err(BadRequest::at("request.kind", format!(
                "request.kind {kind_name:?} (group {kind_group:?}) and request.resource {resource_name:?} (group {resource_group:?}) disagree"
            )));
        }
        Ok(by_kind)
    }
}

/// Kubewarden's audit-scanner (`newAdmissionRequest` in its `internal/audit-scanner/scanner/`)
/// names the resource by the object's Kind (`"Pod"`, not `"pods"`), in the same group:
/// its background audit must judge the object as admission would.
pub(crate) fn audit_scanner_form(
    kind_group: &str,
    kind_name: &str,
    resource: &GroupVersionResource,
) -> bool {
    resource.group.as_deref().unwrap_or("") == kind_group
        && resource.resource.as_deref() == Some(kind_name)
}

/// Reads the pod (metadata and spec) of an object of the given kind.
pub fn read_pod<'a>(
    json: &'a str,
    carrier: PodCarrier,
    field: &str,
) -> Result<Box<PodView<'a>>, BadRequest> {
    let found =
        Reader::read_all(json, |r| read_carried(r, carrier, PodView::read)).map_err(|e| {
            BadRequest::at(
                format!("request.{field}"),
                format!(
                    "cannot read the {} in request.{field}: {}",
                    carrier.kind(),
                    read_error(json, &e)
                ),
            )
        })?;
    pod_of(found, carrier, field)
}

/// The pod read from an object, once the object's own `kind` is found to agree.
pub(crate) fn pod_of<'a>(
    found: Found<'a, Box<PodView<'a>>>,
    carrier: PodCarrier,
    field: &str,
) -> Result<Box<PodView<'a>>, BadRequest> {
    let object_kind = found
        .kind
        .as_deref()
        .or(found.pod.as_ref().and_then(|p| p.kind.as_deref()));
    if let Some(kind) = object_kind {
        if kind != carrier.kind() {
            return Err(BadRequest::at(
                format!("request.{field}.kind"),
                format!(
                    "request.{field}.kind {:?} does not match the request's kind {:?}",
                    clip_text(kind, MAX_VALUE_BYTES),
                    carrier.kind()
                ),
            ));
        }
    }
    found.pod.ok_or_else(|| {
        BadRequest::at(
            format!("request.{field}"),
            format!(
                "request.{field} has no {}: a {} must carry a pod template",
                carrier.template_path().join("."),
                carrier.kind()
            ),
        )
    })
}

/// The object's own `kind` and the value at the carrier's template path.
pub struct Found<'a, T> {
    pub kind: Option<Str<'a>>,
    pub pod: Option<T>,
}

/// Reads the value at a carrier's template path with `read`, skipping every other key.
pub(crate) fn read_carried<'a, T>(
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
pub(crate) fn descend<'a, T>(
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
