//! A borrowed, read-only view of the parts of a pod that the Pod Security Standards read.
//!
//! Only the fields a control looks at are read; everything else in the object is checked
//! for well-formedness and skipped. Strings borrow from the request where JSON allows it (no escapes).
//! Explicit `null`s read as "unset", exactly as Kubernetes' own decoder treats them.
//! A field of the wrong type is an error, never a silent default: the caller rejects.

use std::borrow::{Borrow, Cow};
use std::collections::BTreeMap;
use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::json::{self, read_fields, Reader};

/// Text from the request: borrowed when the JSON string has no escapes, owned otherwise.
///
/// A newtype rather than `Cow<str>`, so that the view's types say where their text comes
/// from and compare with `&str` directly.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Str<'a>(Cow<'a, str>);

impl Deref for Str<'_> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Str<'_> {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Str<'_> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for Str<'_> {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Str<'_> {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl<'a> From<&'a str> for Str<'a> {
    fn from(s: &'a str) -> Self {
        Str(Cow::Borrowed(s))
    }
}

impl From<String> for Str<'_> {
    fn from(s: String) -> Self {
        Str(Cow::Owned(s))
    }
}

/// A JSON array kept without a heap allocation when it has at most one element, the usual
/// case: one container, one capability to drop, one source per volume. Reads as a slice.
#[derive(Clone, Default)]
pub enum List<T> {
    #[default]
    Empty,
    One(T),
    Many(Vec<T>),
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            List::Empty => &[],
            List::One(item) => std::slice::from_ref(item),
            List::Many(items) => items,
        }
    }
}

impl<T> DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            List::Empty => &mut [],
            List::One(item) => std::slice::from_mut(item),
            List::Many(items) => items,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> List<T> {
    pub fn push(&mut self, item: T) {
        match self {
            List::Many(items) => items.push(item),
            List::Empty => *self = List::One(item),
            List::One(_) => {
                if let List::One(first) = std::mem::take(self) {
                    *self = List::Many(vec![first, item]);
                }
            }
        }
    }

    /// Keeps the elements for which `keep` holds, in order (for exclusions, off the hot path).
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        let mut kept = List::Empty;
        for mut item in self.take_all() {
            if keep(&mut item) {
                kept.push(item);
            }
        }
        *self = kept;
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.retain_mut(|item| keep(item));
    }

    /// Removes consecutive repeats, as `Vec::dedup`.
    pub fn dedup(&mut self)
    where
        T: PartialEq,
    {
        if let List::Many(items) = self {
            items.dedup();
        }
    }

    fn take_all(&mut self) -> Vec<T> {
        match std::mem::take(self) {
            List::Empty => Vec::new(),
            List::One(item) => vec![item],
            List::Many(items) => items,
        }
    }
}

/// Collects without a heap allocation when there is at most one item: the usual case for
/// the containers a control names.
impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = List::Empty;
        for item in items {
            list.push(item);
        }
        list
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'l, T> IntoIterator for &'l mut List<T> {
    type Item = &'l mut T;
    type IntoIter = std::slice::IterMut<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T> List<T> {
    /// Reads a JSON array, each element with `element`.
    fn read<'a>(
        r: &mut Reader<'a>,
        mut element: impl FnMut(&mut Reader<'a>) -> json::Result<T>,
    ) -> json::Result<Self> {
        let mut list = List::Empty;
        r.array("an array", |r| {
            list.push(element(r)?);
            Ok(())
        })?;
        Ok(list)
    }

    /// `null` or an array: `null` and absent both mean empty, as in Kubernetes' Go types.
    fn read_nullable<'a>(
        r: &mut Reader<'a>,
        element: impl FnMut(&mut Reader<'a>) -> json::Result<T>,
    ) -> json::Result<Self> {
        r.or_default(|r| List::read(r, element))
    }
}

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

/// The annotations the controls read: AppArmor's per container, seccomp's for the pod and
/// per container. Others (often most of an object's metadata) are checked but not kept.
pub fn read_by_controls(key: &str) -> bool {
    use crate::controls::{app_armor_profile, seccomp_profile};
    key.starts_with(app_armor_profile::ANNOTATION_PREFIX)
        || key == seccomp_profile::POD_ANNOTATION
        || key.starts_with(seccomp_profile::CONTAINER_ANNOTATION_PREFIX)
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

#[derive(Debug, Clone, Default)]
pub struct PodSpec<'a> {
    pub host_network: Option<bool>,
    pub host_pid: Option<bool>,
    pub host_ipc: Option<bool>,
    pub host_users: Option<bool>,
    pub runtime_class_name: Option<Str<'a>>,
    pub os: Option<PodOs<'a>>,
    pub security_context: Option<PodSecurityContext<'a>>,
    pub init_containers: List<Container<'a>>,
    pub containers: List<Container<'a>>,
    pub ephemeral_containers: List<Container<'a>>,
    pub volumes: List<Volume<'a>>,
}

impl<'a> PodSpec<'a> {
    /// Reads a pod spec into `self`, a default spec.
    #[inline(never)]
    fn read_into(&mut self, r: &mut Reader<'a>) -> json::Result<()> {
        let spec = self;
        read_fields!(r, "a pod spec", hot, {
            "containers" => spec.containers = List::read_nullable(r, Container::read)?,
            "initContainers" => spec.init_containers = List::read_nullable(r, Container::read)?,
            "ephemeralContainers" => {
                spec.ephemeral_containers = List::read_nullable(r, Container::read)?
            },
            "volumes" => spec.volumes = List::read_nullable(r, Volume::read)?,
            "securityContext" => spec.security_context = r.option(PodSecurityContext::read)?,
            "hostNetwork" => spec.host_network = r.opt_bool()?,
            "hostPID" => spec.host_pid = r.opt_bool()?,
            "hostIPC" => spec.host_ipc = r.opt_bool()?,
            "hostUsers" => spec.host_users = r.opt_bool()?,
            "runtimeClassName" => spec.runtime_class_name = r.opt_str()?,
            "os" => spec.os = r.option(PodOs::read)?,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct PodOs<'a> {
    pub name: Option<Str<'a>>,
}

impl<'a> PodOs<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut os = PodOs::default();
        read_fields!(r, "a pod OS", {
            "name" => os.name = r.opt_str()?,
        })?;
        Ok(os)
    }
}

#[derive(Debug, Clone, Default)]
pub struct PodSecurityContext<'a> {
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub seccomp_profile: Option<ProfileType<'a>>,
    pub app_armor_profile: Option<ProfileType<'a>>,
    pub se_linux_options: Option<SeLinuxOptions<'a>>,
    pub windows_options: Option<WindowsOptions>,
    pub sysctls: List<Sysctl<'a>>,
}

impl<'a> PodSecurityContext<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut sc = PodSecurityContext::default();
        read_fields!(r, "a pod security context", hot, {
            "runAsNonRoot" => sc.run_as_non_root = r.opt_bool()?,
            "runAsUser" => sc.run_as_user = r.opt_i64()?,
            "seccompProfile" => sc.seccomp_profile = r.option(ProfileType::read)?,
            "appArmorProfile" => sc.app_armor_profile = r.option(ProfileType::read)?,
            "seLinuxOptions" => sc.se_linux_options = r.option(SeLinuxOptions::read)?,
            "windowsOptions" => sc.windows_options = r.option(WindowsOptions::read)?,
            "sysctls" => sc.sysctls = List::read_nullable(r, Sysctl::read)?,
        })?;
        Ok(sc)
    }
}

/// The `{type: ...}` shape shared by `seccompProfile` and `appArmorProfile`.
#[derive(Debug, Clone, Default)]
pub struct ProfileType<'a> {
    pub kind: Option<Str<'a>>,
}

impl<'a> ProfileType<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut profile = ProfileType::default();
        read_fields!(r, "a profile", hot, {
            "type" => profile.kind = r.opt_str()?,
        })?;
        Ok(profile)
    }

    /// The profile type as Go reads it: unset is the empty string.
    pub fn kind(&self) -> &str {
        self.kind.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Clone, Default)]
pub struct SeLinuxOptions<'a> {
    pub kind: Option<Str<'a>>,
    pub user: Option<Str<'a>>,
    pub role: Option<Str<'a>>,
}

impl<'a> SeLinuxOptions<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut options = SeLinuxOptions::default();
        read_fields!(r, "SELinux options", {
            "type" => options.kind = r.opt_str()?,
            "user" => options.user = r.opt_str()?,
            "role" => options.role = r.opt_str()?,
        })?;
        Ok(options)
    }
}

#[derive(Debug, Clone, Default)]
pub struct WindowsOptions {
    pub host_process: Option<bool>,
}

impl WindowsOptions {
    #[inline(never)]
    fn read(r: &mut Reader) -> json::Result<Self> {
        let mut options = WindowsOptions::default();
        read_fields!(r, "Windows options", {
            "hostProcess" => options.host_process = r.opt_bool()?,
        })?;
        Ok(options)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Sysctl<'a> {
    pub name: Option<Str<'a>>,
}

impl<'a> Sysctl<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut sysctl = Sysctl::default();
        read_fields!(r, "a sysctl", {
            "name" => sysctl.name = r.opt_str()?,
        })?;
        Ok(sysctl)
    }
}

/// A container, init container or ephemeral container.
///
/// What a container may leave out is boxed: a container costs about a hundred bytes
/// however many fields the view knows, so that a request of millions of `{}` containers
/// stays within memory (a wasm32 guest's in particular: unboxed, 20 MiB of `[{},{},...]`
/// asked for more than 2 GiB and the module trapped).
#[derive(Debug, Clone, Default)]
pub struct Container<'a> {
    pub name: Option<Str<'a>>,
    pub image: Option<Str<'a>>,
    pub security_context: Option<Box<SecurityContext<'a>>>,
    pub ports: List<ContainerPort>,
    pub liveness_probe: Option<Box<Handler<'a>>>,
    pub readiness_probe: Option<Box<Handler<'a>>>,
    pub startup_probe: Option<Box<Handler<'a>>>,
    pub lifecycle: Option<Box<Lifecycle<'a>>>,
}

impl<'a> Container<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut c = Container::default();
        let boxed = |r: &mut Reader<'a>| Handler::read(r).map(Box::new);
        read_fields!(r, "a container", hot, {
            "name" => c.name = r.opt_str()?,
            "image" => c.image = r.opt_str()?,
            "securityContext" => {
                c.security_context = r.option(SecurityContext::read)?
            },
            "ports" => c.ports = List::read_nullable(r, ContainerPort::read)?,
            "livenessProbe" => c.liveness_probe = r.option(boxed)?,
            "readinessProbe" => c.readiness_probe = r.option(boxed)?,
            "startupProbe" => c.startup_probe = r.option(boxed)?,
            "lifecycle" => c.lifecycle = r.option(|r| Lifecycle::read(r).map(Box::new))?,
        })?;
        Ok(c)
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Clone, Default)]
pub struct SecurityContext<'a> {
    pub privileged: Option<bool>,
    pub allow_privilege_escalation: Option<bool>,
    pub run_as_non_root: Option<bool>,
    pub run_as_user: Option<i64>,
    pub read_only_root_filesystem: Option<bool>,
    pub capabilities: Option<Capabilities<'a>>,
    pub proc_mount: Option<Str<'a>>,
    pub seccomp_profile: Option<ProfileType<'a>>,
    pub app_armor_profile: Option<ProfileType<'a>>,
    pub se_linux_options: Option<SeLinuxOptions<'a>>,
    pub windows_options: Option<WindowsOptions>,
}

impl<'a> SecurityContext<'a> {
    /// Read into its box in place: moving a context this size into a box afterwards was a
    /// copy through the host (memory.copy) for every container.
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Box<Self>> {
        let mut sc = Box::<SecurityContext>::default();
        read_fields!(r, "a security context", hot, {
            "privileged" => sc.privileged = r.opt_bool()?,
            "allowPrivilegeEscalation" => sc.allow_privilege_escalation = r.opt_bool()?,
            "runAsNonRoot" => sc.run_as_non_root = r.opt_bool()?,
            "runAsUser" => sc.run_as_user = r.opt_i64()?,
            "readOnlyRootFilesystem" => sc.read_only_root_filesystem = r.opt_bool()?,
            "capabilities" => sc.capabilities = r.option(Capabilities::read)?,
            "procMount" => sc.proc_mount = r.opt_str()?,
            "seccompProfile" => sc.seccomp_profile = r.option(ProfileType::read)?,
            "appArmorProfile" => sc.app_armor_profile = r.option(ProfileType::read)?,
            "seLinuxOptions" => sc.se_linux_options = r.option(SeLinuxOptions::read)?,
            "windowsOptions" => sc.windows_options = r.option(WindowsOptions::read)?,
        })?;
        Ok(sc)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Capabilities<'a> {
    pub add: List<Str<'a>>,
    pub drop: List<Str<'a>>,
}

impl<'a> Capabilities<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut caps = Capabilities::default();
        read_fields!(r, "capabilities", hot, {
            "add" => caps.add = List::read_nullable(r, Reader::str)?,
            "drop" => caps.drop = List::read_nullable(r, Reader::str)?,
        })?;
        Ok(caps)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ContainerPort {
    pub host_port: Option<i64>,
}

impl ContainerPort {
    #[inline(never)]
    fn read(r: &mut Reader) -> json::Result<Self> {
        let mut port = ContainerPort::default();
        read_fields!(r, "a container port", hot, {
            "hostPort" => port.host_port = r.opt_i64()?,
        })?;
        Ok(port)
    }
}

/// A probe or a lifecycle handler: only the two actions that can name a host.
#[derive(Debug, Clone, Default)]
pub struct Handler<'a> {
    pub http_get: Option<HostField<'a>>,
    pub tcp_socket: Option<HostField<'a>>,
}

impl<'a> Handler<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut handler = Handler::default();
        read_fields!(r, "a probe or handler", {
            "httpGet" => handler.http_get = r.option(HostField::read)?,
            "tcpSocket" => handler.tcp_socket = r.option(HostField::read)?,
        })?;
        Ok(handler)
    }
}

#[derive(Debug, Clone, Default)]
pub struct HostField<'a> {
    pub host: Option<Str<'a>>,
}

impl<'a> HostField<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut action = HostField::default();
        read_fields!(r, "an HTTP GET or TCP socket action", {
            "host" => action.host = r.opt_str()?,
        })?;
        Ok(action)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Lifecycle<'a> {
    pub post_start: Option<Handler<'a>>,
    pub pre_stop: Option<Handler<'a>>,
}

impl<'a> Lifecycle<'a> {
    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut lifecycle = Lifecycle::default();
        read_fields!(r, "a lifecycle", {
            "postStart" => lifecycle.post_start = r.option(Handler::read)?,
            "preStop" => lifecycle.pre_stop = r.option(Handler::read)?,
        })?;
        Ok(lifecycle)
    }
}

/// A pod volume: its name and the keys of every source it sets (non-null).
///
/// A volume is a name plus exactly one inline source in Kubernetes, so every other key is
/// a source. Keeping the keys rather than typed sources means a source type this policy
/// has never heard of is still seen (and refused by `restrictedVolumes`), not dropped.
#[derive(Debug, Clone, Default)]
pub struct Volume<'a> {
    pub name: Str<'a>,
    pub sources: List<Str<'a>>,
    /// `hostPath.path`, the value a `hostPathVolumes` exclusion names.
    pub host_path: Option<Str<'a>>,
}

impl<'a> Volume<'a> {
    pub fn has_source(&self, key: &str) -> bool {
        self.sources.iter().any(|s| s == key)
    }

    #[inline(never)]
    fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut volume = Volume::default();
        r.object("a volume", |r, key| {
            if key == "name" {
                // Not refused when repeated: the last name wins, as in Go.
                volume.name = r.opt_str()?.unwrap_or_default();
            } else if key == "hostPath" {
                let mut path = None;
                let source = r.option(|r| {
                    read_fields!(r, "a hostPath volume source", {
                        "path" => path = r.opt_str()?,
                    })
                })?;
                if source.is_some() {
                    volume.host_path = path;
                    volume.sources.push(key);
                }
            } else if r
                .option(|r| r.object("a volume source", |r, _| r.skip()))?
                .is_some()
            {
                volume.sources.push(key);
            }
            Ok(())
        })?;
        Ok(volume)
    }
}

/// Which list of the pod spec a container comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContainerKind {
    Init,
    Regular,
    Ephemeral,
}

impl ContainerKind {
    /// How messages name a container of this kind.
    pub fn label(self) -> &'static str {
        match self {
            ContainerKind::Init => "init container",
            ContainerKind::Regular => "container",
            ContainerKind::Ephemeral => "ephemeral container",
        }
    }
}

impl<'a> PodSpec<'a> {
    /// Every container in the order Pod Security Admission visits them: init containers,
    /// containers, then ephemeral containers. Messages list names in this order.
    pub fn all_containers(&self) -> impl Iterator<Item = &Container<'a>> {
        self.init_containers
            .iter()
            .chain(&self.containers)
            .chain(&self.ephemeral_containers)
    }

    /// Like [`Self::all_containers`], with the list each container comes from.
    pub fn containers_with_kind(&self) -> impl Iterator<Item = (ContainerKind, &Container<'a>)> {
        let tag = |kind| move |c| (kind, c);
        self.init_containers
            .iter()
            .map(tag(ContainerKind::Init))
            .chain(self.containers.iter().map(tag(ContainerKind::Regular)))
            .chain(
                self.ephemeral_containers
                    .iter()
                    .map(tag(ContainerKind::Ephemeral)),
            )
    }

    /// `spec.os.name == "windows"`: PSA (from v1.25) exempts such pods from the
    /// Linux-only restricted controls, which the API server forbids them to set.
    pub fn is_windows(&self) -> bool {
        self.os
            .as_ref()
            .and_then(|os| os.name.as_deref())
            .is_some_and(|name| name == "windows")
    }

    /// `spec.hostUsers == false`: the pod runs in its own user namespace.
    pub fn in_user_namespace(&self) -> bool {
        self.host_users == Some(false)
    }
}

/// Error text for JSON that the view could not be read from, naming the path to the
/// offending field. Both the path (map keys) and the reader's text (a string of the wrong
/// type) repeat the request: each is cut, so that the message stays bounded.
pub fn read_error(json: &str, error: &json::Error) -> String {
    crate::json_path::explain_read(json, error, |s| {
        crate::controls::clip_text(s, 2 * crate::controls::MAX_VALUE_BYTES).into_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(json: &str) -> PodView<'_> {
        PodView::from_json(json).expect("view")
    }

    #[test]
    fn nulls_read_as_unset() {
        let pod = view(
            r#"{"metadata":{"annotations":null},"spec":{"containers":null,"securityContext":null,
            "volumes":[{"name":"v","hostPath":null,"emptyDir":{}}],"hostNetwork":null}}"#,
        );
        assert!(pod.spec.containers.is_empty());
        assert!(pod.spec.security_context.is_none());
        assert_eq!(pod.spec.host_network, None);
        assert_eq!(*pod.spec.volumes[0].sources, ["emptyDir"]);
    }

    #[test]
    fn unknown_volume_source_is_kept() {
        let pod = view(r#"{"spec":{"volumes":[{"name":"v","fancyNewDisk":{"x":1}}]}}"#);
        assert_eq!(pod.spec.volumes[0].name, "v");
        assert_eq!(*pod.spec.volumes[0].sources, ["fancyNewDisk"]);
    }

    #[test]
    fn wrong_types_are_errors_with_a_path() {
        let json =
            r#"{"spec":{"containers":[{"name":"a","securityContext":{"privileged":"yes"}}]}}"#;
        assert!(PodView::from_json(json).is_err());
        let msg = read_error(json, &PodView::from_json(json).unwrap_err());
        assert!(
            msg.starts_with("spec.containers[0].securityContext.privileged: invalid type"),
            "{msg}"
        );
        // A volume source must be an object.
        assert!(
            PodView::from_json(r#"{"spec":{"volumes":[{"name":"v","hostPath":"/"}]}}"#).is_err()
        );
    }

    #[test]
    fn arrays_are_not_read_as_objects() {
        // serde's derive read a struct from an array, field by field in declaration order:
        // `"securityContext": [true]` set `privileged`. The API server refuses such a pod, and
        // so does this reader.
        for json in [
            r#"{"spec":{"containers":[{"name":"a","securityContext":[true]}]}}"#,
            r#"{"spec":{"containers":[{"name":"a","securityContext":[]}]}}"#,
            r#"{"spec":{"securityContext":[null,0]}}"#,
            r#"{"spec":[]}"#,
            r#"{"spec":{"volumes":[{"name":"v","hostPath":["/"]}]}}"#,
        ] {
            let error = PodView::from_json(json).unwrap_err();
            assert!(
                error
                    .message
                    .starts_with("invalid type: sequence, expected "),
                "{json}: {error}"
            );
        }
    }

    #[test]
    fn containers_are_visited_init_regular_ephemeral() {
        let pod = view(
            r#"{"spec":{"containers":[{"name":"c"}],"initContainers":[{"name":"i"}],
            "ephemeralContainers":[{"name":"e"}]}}"#,
        );
        let names: Vec<_> = pod.spec.all_containers().map(|c| c.name()).collect();
        assert_eq!(names, ["i", "c", "e"]);
        let kinds: Vec<_> = pod.spec.containers_with_kind().map(|(k, _)| k).collect();
        assert_eq!(
            kinds,
            [
                ContainerKind::Init,
                ContainerKind::Regular,
                ContainerKind::Ephemeral
            ]
        );
    }

    #[test]
    fn escaped_strings_are_read() {
        let pod = view(
            r#"{"metadata":{"annotations":{"container.apparmor.security.beta.kubernetes.io/a\u0062":"c\"d"}}}"#,
        );
        assert_eq!(
            pod.metadata
                .annotation("container.apparmor.security.beta.kubernetes.io/ab"),
            Some("c\"d")
        );
    }

    #[test]
    fn only_annotations_a_control_reads_are_kept() {
        let pod = view(
            r#"{"metadata":{"annotations":{"team":"a","seccomp.security.alpha.kubernetes.io/pod":"x",
            "container.seccomp.security.alpha.kubernetes.io/c":"y","seccomp.security.alpha.kubernetes.io/pod":"z"}}}"#,
        );
        let kept: Vec<_> = pod.metadata.annotations.keys().map(|k| &**k).collect();
        assert_eq!(
            kept,
            [
                "container.seccomp.security.alpha.kubernetes.io/c",
                "seccomp.security.alpha.kubernetes.io/pod"
            ]
        );
        // The last of duplicate keys wins, as in Go.
        assert_eq!(
            pod.metadata
                .annotation("seccomp.security.alpha.kubernetes.io/pod"),
            Some("z")
        );
        // An annotation no control reads must still be a string.
        assert!(PodView::from_json(r#"{"metadata":{"annotations":{"team":5}}}"#).is_err());
    }

    #[test]
    fn lists_keep_every_element_in_order() {
        let pod = view(
            r#"{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}],"initContainers":[{"name":"i"}]}}"#,
        );
        let names: Vec<_> = pod.spec.all_containers().map(|c| c.name()).collect();
        assert_eq!(names, ["i", "a", "b", "c"]);
        let mut list = pod.spec.containers.clone();
        list.retain(|c| c.name() != "b");
        assert_eq!(
            list.iter().map(|c| c.name()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        list.retain(|c| c.name() == "c");
        assert!(matches!(list, List::One(_)));
        list.retain(|_| false);
        assert!(list.is_empty() && matches!(list, List::Empty));
        assert!(PodView::from_json(r#"{"spec":{"containers":{}}}"#).is_err());
    }

    #[test]
    fn collected_lists_hold_one_item_inline() {
        // What a control collects (the containers it names) is usually one item: no Vec.
        assert!(matches!(List::from_iter(["a"]), List::One("a")));
        assert!(matches!(List::<&str>::from_iter([]), List::Empty));
        let mut many = List::from_iter(["b", "b", "a", "b"]);
        assert!(matches!(many, List::Many(_)));
        many.dedup();
        assert_eq!(*many, ["b", "a", "b"]);
        let mut one = List::from_iter(["a"]);
        one.dedup();
        assert_eq!(*one, ["a"]);
    }

    #[test]
    fn unescaped_strings_are_borrowed() {
        let pod = view(r#"{"spec":{"containers":[{"name":"plain","image":"n\u0067inx"}]}}"#);
        let c = &pod.spec.containers[0];
        assert!(matches!(c.name, Some(Str(Cow::Borrowed("plain")))));
        assert!(matches!(&c.image, Some(Str(Cow::Owned(s))) if s == "nginx"));
    }

    #[test]
    fn read_errors_cut_what_they_repeat() {
        let long = "v".repeat(100_000);
        let json = format!(r#"{{"metadata":{{"annotations":{{"{long}":5}}}}}}"#);
        let msg = read_error(&json, &PodView::from_json(&json).unwrap_err());
        assert!(msg.starts_with("metadata.annotations.vvv"), "{msg}");
        assert!(
            msg.contains("more bytes)") && msg.len() < 1200,
            "{}",
            msg.len()
        );
        let json = format!(r#"{{"spec":{{"hostPID":"{long}"}}}}"#);
        let msg = read_error(&json, &PodView::from_json(&json).unwrap_err());
        assert!(
            msg.starts_with("spec.hostPID: invalid type: string \"vvv"),
            "{msg}"
        );
        assert!(msg.len() < 1200, "{}", msg.len());
    }
}
