//! A borrowed, read-only view of the parts of a pod that the Pod Security Standards read.
//!
//! Only the fields a control looks at are read; everything else in the object is checked
//! for well-formedness and skipped. Strings borrow from the request where JSON allows it (no escapes).
//! Explicit `null`s read as "unset", exactly as Kubernetes' own decoder treats them.
//! A field of the wrong type is an error, never a silent default: the caller rejects.//!
//! In parts: this file (the pod, its metadata, the annotations the controls read), [`spec`]
//! (the pod spec and its security context), [`container`] and [`volume`].

use std::collections::BTreeMap;

use crate::json::{self, read_fields, Reader, Str};

mod container;
mod spec;
mod volume;

pub use container::{
    Capabilities, Container, ContainerKind, ContainerPort, Handler, HostField, Lifecycle,
    SecurityContext,
};
pub use spec::{
    PodOs, PodSecurityContext, PodSpec, ProfileType, SeLinuxOptions, Sysctl, WindowsOptions,
};
pub use volume::Volume;

/// A pod's metadata and spec: a Pod object, or the pod template of a workload.
#[derive(Debug, Clone, Default)]
pub struct PodView<'a> {
    /// A Pod object's own `kind`; absent in a pod template.
    pub kind: Option<Str<'a>>,
    pub metadata: ObjectMeta<'a>,
    pub spec: PodSpec<'a>,
}

// The view is read in place, into its box: a pod view is 400 bytes, and each level that
// returned it by value kept a copy in its stack frame. Read that way, a request went 7 to
// 11 KiB deep into the stack, and every 4 KiB page of it is a page fault (about 2 us) on
// the fresh instance policy-server may make for each request.
impl<'a> PodView<'a> {
    /// Reads a Pod object or a pod template (`metadata` and `spec`) into a new box.
    pub fn read(r: &mut Reader<'a>) -> json::Result<Box<Self>> {
        let mut pod = Self::new_box();
        pod.read_into(r)?;
        Ok(pod)
    }

    /// A default view in a box. Its own frame, so that the default's transit through the
    /// stack is over before reading begins.
    #[inline(never)]
    fn new_box() -> Box<Self> {
        Box::default()
    }

    /// Reads a Pod object or a pod template into `self`, a default view.
    #[inline(never)]
    fn read_into(&mut self, r: &mut Reader<'a>) -> json::Result<()> {
        read_fields!(r, "a pod object", hot, {
            "kind" => self.kind = r.opt_str()?,
            "metadata" => self.metadata = r.or_default(ObjectMeta::read)?,
            // `null` leaves the default spec, as Kubernetes' decoder does.
            "spec" => if !r.null()? {
                self.spec.read_into(r)?
            },
        })
    }

    /// Reads a whole JSON text as a pod (tests, and callers holding only the pod).
    pub fn from_json(json: &'a str) -> json::Result<Self> {
        Reader::read_all(json, |r| {
            let mut pod = PodView::default();
            pod.read_into(r)?;
            Ok(pod)
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct ObjectMeta<'a> {
    /// Only the annotations a control reads (see [`read_by_controls`]); every value must
    /// still be a string, as the API server requires.
    pub annotations: BTreeMap<Str<'a>, Str<'a>>,
}

impl<'a> ObjectMeta<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut meta = ObjectMeta::default();
        read_fields!(r, "an object's metadata", hot, {
            "annotations" => meta.annotations = r.or_default(security_annotations)?,
        })?;
        Ok(meta)
    }
}

/// AppArmor's per-container annotation, before Kubernetes 1.30's `appArmorProfile` field.
pub const APP_ARMOR_ANNOTATION_PREFIX: &str = "container.apparmor.security.beta.kubernetes.io/";
/// Seccomp's annotations, before Kubernetes 1.19's `seccompProfile` field.
pub const SECCOMP_POD_ANNOTATION: &str = "seccomp.security.alpha.kubernetes.io/pod";
pub const SECCOMP_CONTAINER_ANNOTATION_PREFIX: &str =
    "container.seccomp.security.alpha.kubernetes.io/";

/// The annotations the controls read: AppArmor's per container, seccomp's for the pod and
/// per container. Others (often most of an object's metadata) are checked but not kept.
pub fn read_by_controls(key: &str) -> bool {
    key.starts_with(APP_ARMOR_ANNOTATION_PREFIX)
        || key == SECCOMP_POD_ANNOTATION
        || key.starts_with(SECCOMP_CONTAINER_ANNOTATION_PREFIX)
}

fn security_annotations<'a>(r: &mut Reader<'a>) -> json::Result<BTreeMap<Str<'a>, Str<'a>>> {
    let mut kept = BTreeMap::new();
    r.object("a map of strings to strings", |r, key| {
        // As Go's decoder: the last of duplicate keys wins.
        if read_by_controls(&key) {
            kept.insert(key, r.str()?);
            Ok(())
        } else {
            r.skip_string()
        }
    })?;
    Ok(kept)
}

impl ObjectMeta<'_> {
    pub fn annotation(&self, key: &str) -> Option<&str> {
        self.annotations.get(key).map(|v| v.as_ref())
    }
}

/// Error text for JSON that the view could not be read from, naming the path to the
/// offending field. Both the path (map keys) and the reader's text (a string of the wrong
/// type) repeat the request: each is cut, so that the message stays bounded.
pub fn read_error(json: &str, error: &json::Error) -> String {
    crate::json::path::explain_read(json, error, |s| {
        crate::bounds::clip_text(s, 2 * crate::bounds::MAX_VALUE_BYTES).into_owned()
    })
}

#[cfg(test)]
mod tests;
