//! A violation and how Pod Security Admission words its detail, with the bounds that keep
//! a hostile pod's message short.
//!
//! A detail is written piece by piece into one `String`: a rejection can name seventeen
//! violations, and a `format!` or a `String` per piece (a list, a phrase, a join) cost more
//! than all the checks together.

use crate::bounds::{clip, MAX_LIST_BYTES, MAX_LIST_ITEMS, MAX_VALUE_BYTES};
use crate::list::List;

/// A control's finding: PSA's short reason and, optionally, the offending details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    pub reason: &'static str,
    pub detail: String,
}

/// Room for most details (`pod and container "app" must not set ...`) in one allocation.
const DETAIL_CAPACITY: usize = 128;

// The builder's methods are thin and inlined: each passes the detail by reference to one
// shared, out-of-line writer, so a call site costs one call and the module stays small.
impl Violation {
    /// A finding named `reason`, its detail written by the methods below, in order.
    pub fn of(reason: &'static str) -> Self {
        Violation {
            reason,
            detail: String::with_capacity(DETAIL_CAPACITY),
        }
    }

    #[inline(always)]
    pub fn text(mut self, text: &str) -> Self {
        push(&mut self.detail, text);
        self
    }

    /// `singular` when `count` is one, else `plural`.
    #[inline(always)]
    pub fn plural(self, singular: &str, plural: &str, count: usize) -> Self {
        self.text(if count == 1 { singular } else { plural })
    }

    /// `"a", "b"`: see [`write_list`].
    #[inline(always)]
    pub fn quoted<S: AsRef<str>>(mut self, items: &[S]) -> Self {
        let mut texts = items.iter().map(AsRef::as_ref);
        write_list(&mut self.detail, &mut texts, items.len(), true);
        self
    }

    /// `a, b`: see [`write_list`].
    #[inline(always)]
    pub fn plain<S: AsRef<str>>(mut self, items: &[S]) -> Self {
        let mut texts = items.iter().map(AsRef::as_ref);
        write_list(&mut self.detail, &mut texts, items.len(), false);
        self
    }

    /// `container "a"` or `containers "a", "b"`.
    #[inline(always)]
    pub fn containers(mut self, names: &[&str]) -> Self {
        write_setters(&mut self.detail, false, names);
        self
    }

    /// Who set a forbidden value, as PSA lists them: `pod`, `container(s) "a", ...`, or
    /// both joined by ` and `.
    #[inline(always)]
    pub fn setters(mut self, pod: bool, containers: &[&str]) -> Self {
        write_setters(&mut self.detail, pod, containers);
        self
    }
}

#[inline(never)]
fn push(out: &mut String, text: &str) {
    out.push_str(text);
}

#[inline(never)]
fn write_setters(out: &mut String, pod: bool, containers: &[&str]) {
    if pod {
        out.push_str("pod");
        if !containers.is_empty() {
            out.push_str(" and ");
        }
    }
    if !containers.is_empty() {
        out.push_str(if containers.len() == 1 {
            "container "
        } else {
            "containers "
        });
        write_list(out, &mut containers.iter().copied(), containers.len(), true);
    }
}

/// `items` sorted and without repeats, as PSA's string sets list them (byte order). For
/// strings only: one sort in the module, not one per item type.
pub(crate) fn sorted_set(mut items: List<&str>) -> List<&str> {
    items.sort_unstable();
    items.dedup();
    items
}

// --- bounds: a message repeats what the pod says, so it is cut where the pod is hostile ---
//
// Below every cap the wording is Pod Security Admission's, unchanged (PSA's fixtures never
// come near them). Above them: a list shows its first items and then ` and N more`; a value
// shows its first bytes and then `...(N more bytes)`; and the details of all violations
// together stay within `MAX_DETAILS_BYTES` (see `controls::bound`), so that a whole
// rejection message stays under 4 KiB whatever the pod.

/// Appends `count` items joined with `, `, each quoted or not: at most [`MAX_LIST_ITEMS`]
/// of them and, after the first, only while they fit in [`MAX_LIST_BYTES`]; then
/// ` and N more`. An item longer than [`MAX_VALUE_BYTES`] is cut: `"abc"...(N more bytes)`.
/// Nothing for no items. (One body for every item type: `items` is a trait object.)
fn write_list(out: &mut String, items: &mut dyn Iterator<Item = &str>, count: usize, quoted: bool) {
    let start = out.len();
    let quotes = if quoted { 2 } else { 0 };
    let mut shown = 0;
    for item in items.take(MAX_LIST_ITEMS) {
        let (text, cut) = clip(item, MAX_VALUE_BYTES);
        let marker = (cut > 0).then(|| format!("...({cut} more bytes)"));
        if shown > 0 {
            let len = text.len() + quotes + marker.as_ref().map_or(0, String::len);
            if out.len() - start + ", ".len() + len > MAX_LIST_BYTES {
                break;
            }
            out.push_str(", ");
        }
        if quoted {
            out.push('"');
            out.push_str(text);
            out.push('"');
        } else {
            out.push_str(text);
        }
        if let Some(marker) = marker {
            out.push_str(&marker);
        }
        shown += 1;
    }
    if shown < count {
        out.push_str(" and ");
        out.push_str(&(count - shown).to_string());
        out.push_str(" more");
    }
}

/// A string as Go's `%q` prints it, for values quoted inside messages.
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                let n = c as u32;
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bounds::clip_text;

    fn quoted(items: &[&str]) -> String {
        Violation::of("r").quoted(items).detail
    }

    fn plain<S: AsRef<str>>(items: &[S]) -> String {
        Violation::of("r").plain(items).detail
    }

    fn containers(names: &[String]) -> String {
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Violation::of("r").containers(&names).detail
    }

    #[test]
    fn wording_helpers() {
        assert_eq!(quoted(&[]), "");
        assert_eq!(quoted(&["a", "b"]), r#""a", "b""#);
        let setters = |pod, names: &[&str]| Violation::of("r").setters(pod, names).detail;
        assert_eq!(setters(false, &["a"]), r#"container "a""#);
        assert_eq!(setters(false, &["a", "b"]), r#"containers "a", "b""#);
        assert_eq!(setters(true, &[]), "pod");
        assert_eq!(setters(false, &["a"]), r#"container "a""#);
        assert_eq!(setters(true, &["a", "b"]), r#"pod and containers "a", "b""#);
        assert_eq!(setters(false, &[]), "");
        assert_eq!(
            Violation::of("r")
                .text("x ")
                .plural("port", "ports", 2)
                .plain(&["1", "2"])
                .detail,
            "x ports1, 2"
        );
        assert_eq!(go_quote("a\"b\\c\n\u{1}é"), r#""a\"b\\c\n\x01é""#);
        assert_eq!(
            *sorted_set(List::from_iter(["b", "a", "b", "10", "9"])),
            ["10", "9", "a", "b"]
        );
    }

    #[test]
    fn short_lists_keep_psa_wording() {
        let names: Vec<String> = (0..MAX_LIST_ITEMS).map(|i| format!("c{i}")).collect();
        assert_eq!(
            containers(&names),
            r#"containers "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9""#
        );
        assert_eq!(plain(&["a", "b"]), "a, b");
        let long = "x".repeat(MAX_VALUE_BYTES);
        assert_eq!(quoted(&[&long]), format!("\"{long}\""));
    }

    #[test]
    fn long_lists_show_the_first_items_and_count_the_rest() {
        let names: Vec<String> = (0..10_000).map(|i| format!("c{i}")).collect();
        assert_eq!(
            containers(&names),
            r#"containers "c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9" and 9990 more"#
        );
        let ports: Vec<String> = (1..=11).map(|p| p.to_string()).collect();
        assert_eq!(plain(&ports), "1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 1 more");
        // Long items: as many as fit in MAX_LIST_BYTES, at least one.
        let long: Vec<String> = (0..20)
            .map(|i| format!("{i:02}{}", "y".repeat(198)))
            .collect();
        let long: Vec<&str> = long.iter().map(String::as_str).collect();
        let joined = quoted(&long);
        assert!(joined.ends_with(" and 15 more"), "{joined}");
        assert!(joined.len() <= MAX_LIST_BYTES + " and 15 more".len());
        // The bound counts the list only, not what the detail held before it.
        let after_text = Violation::of("r")
            .text(&"t".repeat(900))
            .quoted(&long)
            .detail;
        assert_eq!(&after_text[900..], joined);
    }

    #[test]
    fn long_values_are_cut_with_a_marker() {
        let huge = format!("{}{}", "é".repeat(200), "z".repeat(1000));
        // 128 two-byte characters fit in 256 bytes; the rest is counted.
        assert_eq!(
            quoted(&[&huge]),
            format!(
                "\"{}\"...({} more bytes)",
                "é".repeat(128),
                huge.len() - 256
            )
        );
        // A cut never splits a character.
        let (shown, cut) = clip("aé", 2);
        assert_eq!((shown, cut), ("a", 2));
        assert_eq!(clip_text("abc", 3), "abc");
        assert_eq!(clip_text("abcd", 3), "abc...(1 more bytes)");
        let five = plain(&[&huge, &huge, &huge, &huge, &huge]);
        assert!(five.ends_with(" and 2 more"), "{five}");
        assert!(five.len() <= MAX_LIST_BYTES + " and 2 more".len());
    }
}
