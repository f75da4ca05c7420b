//! An entry of the `exclusions` setting: read, checked (errors name the entry by its
//! index), and what it selects in a pod.

use serde::Deserialize;

use crate::controls::{self, ControlId, Scope};
use crate::image::ImagePattern;
use crate::pod::Container;

/// One entry of the `exclusions` setting, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub control: ControlId,
    pub images: Vec<ImagePattern>,
    pub containers: Vec<String>,
    pub values: Vec<String>,
}

/// An entry as written, before it is checked.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(crate) struct RawExclusion {
    control: Option<String>,
    images: Option<Vec<String>>,
    containers: Option<Vec<String>>,
    values: Option<Vec<String>>,
    acknowledge_control_disabled: Option<bool>,
}

impl Exclusion {
    /// Checks entry `index` of the list; errors name the entry by its index.
    pub(crate) fn from_raw(index: usize, raw: RawExclusion) -> Result<Exclusion, String> {
        let at = format!("exclusions[{index}]");
        let Some(name) = raw.control else {
            return Err(format!(
                "{at}.control: missing; name one of: {}",
                control_names()
            ));
        };
        // The Rancher UI starts a new entry with every field at its default: `""` here.
        if name.is_empty() {
            return Err(format!(
                "{at}.control: empty; choose the control to forgive, one of: {}",
                control_names()
            ));
        }
        let Some(control) = controls::named(&name) else {
            return Err(format!(
                "{at}.control: unknown control {name:?}; known controls: {}",
                control_names()
            ));
        };
        let list = |field: &str, list: Option<Vec<String>>| -> Result<Vec<String>, String> {
            // An empty list selects nothing, as if omitted: the Rancher UI always sends one.
            let list = list.unwrap_or_default();
            if let Some(i) = list.iter().position(|s| s.is_empty()) {
                return Err(format!("{at}.{field}[{i}]: empty string"));
            }
            Ok(list)
        };
        let image_texts = list("images", raw.images)?;
        let containers = list("containers", raw.containers)?;
        let values = list("values", raw.values)?;
        let mut images = Vec::with_capacity(image_texts.len());
        for (i, text) in image_texts.iter().enumerate() {
            images.push(
                ImagePattern::parse(text).map_err(|e| {
                    format!("{at}.images[{i}]: invalid image pattern {text:?}: {e}")
                })?,
            );
        }
        if matches!(control.scope, Scope::Pod { .. })
            && !(images.is_empty() && containers.is_empty())
        {
            return Err(format!(
                "{at}: {} is checked on the whole pod, not per container: it takes `values`, not `images` or `containers`",
                control.id
            ));
        }
        if !control.scope.forgives_values() && !values.is_empty() {
            return Err(format!(
                "{at}.values: {} has no values to forgive; select images or containers instead",
                control.id
            ));
        }
        let whole_control = images.is_empty() && containers.is_empty() && values.is_empty();
        // `false` is the Rancher UI's default for the checkbox: the same as leaving it out.
        match (whole_control, raw.acknowledge_control_disabled) {
            (true, Some(true)) => {}
            (true, _) => {
                return Err(format!(
                    "{at}: an entry with only `control` switches {} off for every pod; name images, containers or values to forgive, or say `acknowledgeControlDisabled: true` (in the Rancher UI: \"Acknowledge that the control is disabled\") if that is what you want",
                    control.id
                ))
            }
            (false, Some(true)) => {
                return Err(format!(
                    "{at}.acknowledgeControlDisabled: only for an entry that switches the control off for every pod (no images, containers or values)"
                ))
            }
            (false, _) => {}
        }
        Ok(Exclusion {
            control: control.id,
            images,
            containers,
            values,
        })
    }

    /// Checks what entry `index` selects, once every entry has been read (so that a list
    /// with a malformed entry is refused for that first). A container name alone selects
    /// no image: any pod may give a container that name, so the entry would forgive
    /// whatever image such a container runs.
    pub(crate) fn check_selection(&self, index: usize) -> Result<(), String> {
        if let (Some(name), true) = (self.containers.first(), self.images.is_empty()) {
            return Err(format!(
                "exclusions[{index}].containers: a container name alone selects any image (any pod may call a container {name:?}): add `images` naming what it runs, e.g. images: [\"registry.example.com/team/app:*\"]"
            ));
        }
        Ok(())
    }

    /// Whether a container matches every selector the entry gives. `last` holds the last
    /// image matched and whether it matched: containers of a pod mostly run few images, and
    /// reading a reference costs more than comparing it with the last one.
    pub(super) fn selects(&self, container: &Container, last: &mut (String, Option<bool>)) -> bool {
        let named =
            self.containers.is_empty() || self.containers.iter().any(|c| c == container.name());
        if !named {
            return false;
        }
        if self.images.is_empty() {
            return true;
        }
        let image = container.image.as_deref().unwrap_or("");
        match last {
            (last_image, Some(matched)) if last_image == image => *matched,
            _ => {
                let matched = self.images.iter().any(|p| p.matches(image));
                last.0.clear();
                last.0.push_str(image);
                last.1 = Some(matched);
                matched
            }
        }
    }

    pub(super) fn disables_control(&self) -> bool {
        self.images.is_empty() && self.containers.is_empty() && self.values.is_empty()
    }
}

fn control_names() -> String {
    controls::all_named()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
