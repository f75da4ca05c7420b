//! The pod spec: host namespaces, the pod's security context, its containers and volumes.

use super::{Container, ContainerKind, Volume};
use crate::json::{self, read_fields, Reader, Str};
use crate::list::List;

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
    pub(crate) fn read_into(&mut self, r: &mut Reader<'a>) -> json::Result<()> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut sysctl = Sysctl::default();
        read_fields!(r, "a sysctl", {
            "name" => sysctl.name = r.opt_str()?,
        })?;
        Ok(sysctl)
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
