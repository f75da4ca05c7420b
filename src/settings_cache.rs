//! The settings of the last request, kept as read: policy-server sends a policy the same
//! settings with every request, and reading them again (serde_json, at the size-optimized
//! level dependencies are built at) cost as much as judging a pod in one more mode.

use std::cell::RefCell;
use std::rc::Rc;

use crate::settings::{Settings, SettingsError};

thread_local! {
    /// The settings' JSON text (`None`: absent) and what it was read as. Only settings
    /// that were read without error are kept, so an error is always explained afresh.
    static LAST: RefCell<Option<(Option<String>, Rc<Settings>)>> = const { RefCell::new(None) };
}

/// The settings `raw` reads as (`None`: absent, the defaults), read once for as long as
/// requests keep sending the same text.
pub fn settings(raw: Option<&str>) -> Result<Rc<Settings>, SettingsError> {
    let hit = LAST.with_borrow(|last| match last {
        Some((text, settings)) if same(text.as_deref(), raw) => Some(settings.clone()),
        _ => None,
    });
    if let Some(settings) = hit {
        return Ok(settings);
    }
    let settings = Rc::new(match raw {
        Some(raw) => Settings::from_json(raw)?,
        None => Settings::default(),
    });
    LAST.set(Some((raw.map(str::to_owned), settings.clone())));
    Ok(settings)
}

/// Whether two settings texts are equal (`json::same_text`, eight bytes at a time).
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => crate::json::same_text(a, b),
        (a, b) => a.is_none() && b.is_none(),
    }
}

/// Calls `read` with the last settings' text, if any (to recognize it in the next request
/// without reading it again: `json::Reader::raw_or_known`).
pub fn with_last_text<T>(read: impl FnOnce(Option<&str>) -> T) -> T {
    LAST.with_borrow(|last| read(last.as_ref().and_then(|(text, _)| text.as_deref())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::controls::Level;

    #[test]
    fn the_same_text_is_read_once_and_another_afresh() {
        let a = settings(Some(r#"{"level":"baseline"}"#)).unwrap();
        let again = settings(Some(r#"{"level":"baseline"}"#)).unwrap();
        assert!(Rc::ptr_eq(&a, &again));
        assert_eq!(a.level, Level::Baseline);
        let b = settings(Some("{}")).unwrap();
        assert_eq!(b.level, Level::Restricted);
        assert!(settings(Some(r#"{"level":"x"}"#)).is_err());
        // An error is not kept: the last good settings are.
        assert!(Rc::ptr_eq(&b, &settings(Some("{}")).unwrap()));
        assert_eq!(*settings(None).unwrap(), Settings::default());
        assert!(settings(Some(r#"{"level":"x"}"#)).is_err());
    }

    #[test]
    fn texts_are_the_same_only_byte_for_byte() {
        let long =
            r#"{"warn":{"level":"baseline","version":"latest"},"audit":{"level":"restricted"}}"#;
        let cases: &[(&str, Option<&str>, Option<&str>, bool)] = &[
            ("both absent", None, None, true),
            ("one absent", None, Some("{}"), false),
            ("other absent", Some("{}"), None, false),
            ("equal, shorter than a word", Some("{}"), Some("{}"), true),
            ("equal, several words", Some(long), Some(long), true),
            ("lengths differ", Some(long), Some(&long[1..]), false),
            (
                "differ in a whole word",
                Some("{\"level\":\"baseline\"}"),
                Some("{\"level\":\"baseLINE\"}"),
                false,
            ),
            (
                "differ in the remainder",
                Some("0123456789"),
                Some("0123456788"),
                false,
            ),
        ];
        for (name, a, b, expected) in cases {
            assert_eq!(same(*a, *b), *expected, "{name}");
        }
    }
}
