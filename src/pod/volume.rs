//! A pod volume: its name and the sources it sets.

use crate::json::{self, read_fields, Reader, Str};
use crate::list::List;

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
    pub(crate) fn read(r: &mut Reader<'a>) -> json::Result<Self> {
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
