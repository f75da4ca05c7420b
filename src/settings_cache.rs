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

/// Whether two settings texts are equal, compared eight bytes at a time: in the module a
/// plain comparison goes byte by byte, ten times the cost for settings of a hundred bytes.
fn same(a: Option<&str>, b: Option<&str>) -> bool {
    let (Some(a), Some(b)) = (a, b) else {
        return a.is_none() && b.is_none();
    };
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a.chunks_exact(8), b.chunks_exact(8));
    let words = |c: &[u8]| u64::from_le_bytes(c.try_into().unwrap_or_default());
    x.by_ref()
        .zip(y.by_ref())
        .all(|(p, q)| words(p) == words(q))
        && x.remainder() == y.remainder()
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
