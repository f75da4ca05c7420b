//! A container as the controls see it: its security context, host ports, probes and
//! lifecycle handlers.

use super::{ProfileType, SeLinuxOptions, WindowsOptions};
use crate::json::{self, read_fields, Reader, Str};
use crate::list::List;

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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Box<Self>> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
        let mut lifecycle = Lifecycle::default();
        read_fields!(r, "a lifecycle", {
            "postStart" => lifecycle.post_start = r.option(Handler::read)?,
            "preStop" => lifecycle.pre_stop = r.option(Handler::read)?,
        })?;
        Ok(lifecycle)
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
