//! Where in a JSON text reading failed, as a path (`spec.containers[0].name`).
//!
//! serde_json reports a line and a column; a user fixing a manifest wants the field. Rather
//! than track the path on every read (a wrapping deserializer made every call slower and
//! the module 70 KB bigger), the path is rebuilt only after an error, by walking the text
//! up to the error's position. The request's own reader ([`crate::json`]) gives that
//! position as a byte offset; serde_json (settings) as a line and a column.

/// `path: serde's message` (serde's message alone at the top level), each part as `show`
/// prints it: the pod's reader cuts both, since both can repeat the request at any length.
///
/// No line or column: every caller (policy-server, kwctl) hands the policy JSON it wrote
/// itself, so a position would point into text the user never saw.
pub fn explain(json: &str, error: &serde_json::Error, show: impl Fn(&str) -> String) -> String {
    let full = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&position).unwrap_or(&full);
    with_path(path_of_error(json, error), message, show)
}

/// [`explain`] for an error of this crate's own reader, which says at which byte it stopped.
pub fn explain_read(
    json: &str,
    error: &crate::json::Error,
    show: impl Fn(&str) -> String,
) -> String {
    let path = path_before(json.as_bytes(), error.offset.min(json.len()));
    with_path(path, &error.message, show)
}

fn with_path(path: String, message: &str, show: impl Fn(&str) -> String) -> String {
    match path {
        path if path.is_empty() => show(message),
        path => format!("{}: {}", show(&path), show(message)),
    }
}

/// The path to the value being read at `error`'s position in `json`, `""` at the top level.
pub fn path_of_error(json: &str, error: &serde_json::Error) -> String {
    if error.line() == 0 {
        return String::new();
    }
    let line_start = if error.line() == 1 {
        0
    } else {
        json.bytes()
            .enumerate()
            .filter(|&(_, b)| b == b'\n')
            .nth(error.line() - 2)
            .map_or(json.len(), |(i, _)| i + 1)
    };
    // serde_json's position is one past the byte it last looked at, the first byte of
    // the offending value (or the closing quote of an offending key): the walk stops
    // before it, so that the path names that value rather than the inside of it.
    // An error about a whole object or array (a missing field, a wrong length) is
    // reported past its closing bracket: that bracket is walked, closing it.
    let mut end = (line_start + error.column())
        .saturating_sub(1)
        .min(json.len());
    if matches!(json.as_bytes().get(end), Some(b'}' | b']')) {
        end += 1;
    }
    path_before(json.as_bytes(), end)
}

enum Frame {
    /// In an object: the key being read or whose value is being read, once its first
    /// quote has been seen; whether the `:` after it has been seen.
    Object {
        key: Option<(usize, usize)>,
        in_value: bool,
    },
    Array(usize),
}

/// The path of the innermost value open at byte `end` of `json`.
fn path_before(json: &[u8], end: usize) -> String {
    let mut stack: Vec<Frame> = Vec::new();
    let mut in_string = false;
    let mut in_key = false;
    let mut escaped = false;
    for (i, &b) in json[..end].iter().enumerate() {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
                if in_key {
                    in_key = false;
                    if let Some(Frame::Object { key: Some(k), .. }) = stack.last_mut() {
                        k.1 = i;
                    }
                }
            }
            continue;
        }
        match b {
            b'{' => stack.push(Frame::Object {
                key: None,
                in_value: false,
            }),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => match stack.last_mut() {
                Some(Frame::Array(index)) => *index += 1,
                Some(Frame::Object { key, in_value }) => {
                    *key = None;
                    *in_value = false;
                }
                None => {}
            },
            b':' => {
                if let Some(Frame::Object { in_value, .. }) = stack.last_mut() {
                    *in_value = true;
                }
            }
            b'"' => {
                in_string = true;
                if let Some(Frame::Object {
                    key,
                    in_value: false,
                }) = stack.last_mut()
                {
                    in_key = true;
                    // Until its closing quote, the key runs to the end of the walk.
                    *key = Some((i + 1, end));
                }
            }
            _ => {}
        }
    }
    let mut path = String::new();
    for frame in &stack {
        match *frame {
            Frame::Object {
                key: Some((start, stop)),
                ..
            } => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&String::from_utf8_lossy(&json[start..stop]));
            }
            Frame::Object { key: None, .. } => {}
            Frame::Array(index) => {
                path.push('[');
                path.push_str(&index.to_string());
                path.push(']');
            }
        }
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        a: Option<Vec<Inner>>,
        b: Option<bool>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        x: Option<String>,
        y: Option<Vec<u8>>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Req {
        a: Vec<Need>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Need {
        need: u8,
    }

    fn path(json: &str) -> String {
        let e = serde_json::from_str::<Doc>(json).expect_err("must not read");
        path_of_error(json, &e)
    }

    #[test]
    fn names_the_offending_value() {
        assert_eq!(path(r#"{"b":"yes"}"#), "b");
        assert_eq!(path(r#"{"b":true,"a":[{"x":"1"},{"x":2}]}"#), "a[1].x");
        assert_eq!(path(r#"{"a":[{"y":[1,2,"3"]}]}"#), "a[0].y[2]");
        // A wrong container type is named, not its first element.
        assert_eq!(path(r#"{"a":[{"y":{"k":1}}]}"#), "a[0].y");
        assert_eq!(path(r#"{"a":{"x":1}}"#), "a");
        assert_eq!(path("[]"), "");
        // A missing field names the object that lacks it.
        let e = serde_json::from_str::<Req>(r#"{"a":[{"need":1},{}]}"#).unwrap_err();
        assert_eq!(path_of_error(r#"{"a":[{"need":1},{}]}"#, &e), "a[1]");
    }

    #[test]
    fn names_an_unknown_key_and_skips_strings() {
        assert_eq!(path(r#"{"a":[{"x":"{[,\"]"},{"zz":1}]}"#), "a[1].zz");
        assert_eq!(path(r#"{"a":[{"x":"a\"b","q\"r":1}]}"#), r#"a[0].q\"r"#);
    }

    #[test]
    fn counts_lines() {
        assert_eq!(
            path("{\n \"b\": true,\n \"a\": [\n  {\"y\": [\n1, -1]}]}"),
            "a[0].y[1]"
        );
        assert_eq!(path("{\"a\":[]}\n  x"), "");
    }
}
