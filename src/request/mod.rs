//! Reading an admission request: Kubewarden's envelope, the AdmissionRequest inside it and
//! the parts of it a decision needs.
//!
//! In parts: this file (the envelope and the request's fields), [`carrier`] (which kind of
//! object carries the pod, and where its pod is) and [`admission`] (whether the pod must be
//! judged: operations, subresources, exemptions, significant updates).

use crate::json::{self, read_fields, Reader, Str};
use crate::pod::PodView;

mod admission;
mod carrier;

pub use admission::{Evaluation, Exemption, Pass, Subject};
use carrier::read_carried;
pub use carrier::{read_pod, Found, PodCarrier};

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
                "settings" => settings = r.option(|r| {
                    crate::settings_cache::with_last_text(|known| r.raw_or_known(known))
                })?,
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

impl AdmissionRequest<'_> {
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
}

#[cfg(test)]
mod tests;
