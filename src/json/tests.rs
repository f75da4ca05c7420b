//! The reader against serde_json: what it accepts, refuses and reads.

use super::*;

fn skip(text: &str) -> Result<()> {
    Reader::read_all(text, Reader::skip)
}

#[test]
fn an_error_is_one_word() {
    // The reason the error is boxed: results of reads stay as small as their values.
    assert_eq!(size_of::<Error>(), size_of::<usize>());
    assert_eq!(size_of::<Result<Option<bool>>>(), size_of::<usize>() * 2);
}

#[test]
fn well_formed_json_is_skipped() {
    for ok in [
        "null",
        " true ",
        "false",
        "0",
        "-0",
        "-12.5e+3",
        "1E9",
        r#""a\"b\\c\/\b\f\n\r\t\u00e9\ud83d\ude00""#,
        r#""\udc00""#,
        "{}",
        "[]",
        r#"{"a":[1,{"b":null},[]],"c":{}}"#,
        " { \"a\" : [ 1 , 2 ] } ",
        "\"日本語 ünïcode\"",
    ] {
        assert_eq!(skip(ok), Ok(()), "{ok}");
    }
}

#[test]
fn malformed_json_is_refused() {
    for bad in [
        "",
        "nul",
        "nulx",
        "01",
        "-",
        "1.",
        "1e",
        ".5",
        "+1",
        "[1,]",
        r#"{"a":1,}"#,
        r#"{"a" 1}"#,
        "{1:2}",
        "[1 2]",
        "[1}",
        r#"{"a":1]"#,
        "\"a\u{1}\"",
        r#""\x""#,
        r#""\u12""#,
        r#""abc"#,
        "[[[",
        "1 2",
        "'a'",
        "NaN",
    ] {
        assert!(skip(bad).is_err(), "{bad:?} was accepted");
    }
}

#[test]
fn nesting_is_unbounded_when_skipped() {
    let deep = format!("{}0{}", "[{\"a\":".repeat(5000), "}]".repeat(5000));
    assert_eq!(skip(&deep), Ok(()));
    let unbalanced = format!("{}{}", "[".repeat(100), "]".repeat(99));
    assert!(skip(&unbalanced).is_err());
    let crossed = format!("{}{{\"a\":0]", "[".repeat(70));
    assert!(skip(&crossed).is_err());
}

#[test]
fn strings_are_unescaped_and_borrowed_when_plain() {
    let read = |t| Reader::read_all(t, Reader::str);
    let plain = read(r#""a long plain string, longer than eight""#).unwrap();
    assert_eq!(plain, "a long plain string, longer than eight");
    assert_eq!(read(r#""x\u0041\n\ud83d\ude00y""#).unwrap(), "xA\n😀y");
    assert_eq!(read(r#""\\\"""#).unwrap(), "\\\"");
    for bad in [
        r#""\ud800""#,
        r#""\udc00""#,
        r#""\ud800\u0041""#,
        "\"a\tb\"",
    ] {
        assert!(read(bad).is_err(), "{bad}");
    }
    let e = read("5").unwrap_err();
    assert_eq!(e.message, "invalid type: integer `5`, expected a string");
    let e = Reader::read_all("{\"a\": \n \"yes\"}", |r| {
        r.object("an object", |r, _| r.opt_bool().map(drop))
    })
    .unwrap_err();
    assert_eq!(
        e.message,
        "invalid type: string \"yes\", expected a boolean"
    );
    assert_eq!((e.offset, e.line, e.column), (8, 2, 2));
}

#[test]
fn every_stop_byte_is_found_at_every_position() {
    for len in 0..20 {
        for stop in ["\"", "\\", "\u{1f}", "\n"] {
            let text = format!("{}{stop}", "é".repeat(len / 2) + &"a".repeat(len % 2));
            let r = Reader::new(&text);
            assert_eq!(r.find_stop(0), text.len() - 1, "{text:?}");
        }
    }
}

#[test]
fn integers_are_read_in_i64_range_only() {
    let read = |t| Reader::read_all(t, Reader::i64);
    assert_eq!(read("0"), Ok(0));
    assert_eq!(read("-9223372036854775808"), Ok(i64::MIN));
    assert_eq!(read("9223372036854775807"), Ok(i64::MAX));
    for bad in [
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999",
        "-0",
        "1.0",
        "1e3",
        "01",
        "\"1\"",
        "true",
    ] {
        assert!(read(bad).is_err(), "{bad}");
    }
    assert_eq!(
        read("1.5").unwrap_err().message,
        "invalid type: floating point `1.5`, expected i64"
    );
}

#[test]
fn errors_say_where() {
    let e = Reader::read_all("{\"a\":\n  tru}", |r| {
        r.object("an object", |r, _| r.skip())
    })
    .unwrap_err();
    assert_eq!((e.line, e.column), (2, 3));
    assert_eq!(e.to_string(), "expected ident at line 2 column 3");
    let e = Reader::read_all("[] x", Reader::skip).unwrap_err();
    assert_eq!((e.offset, e.message.as_str()), (3, "trailing characters"));
}

#[test]
fn fields_are_read_once_and_others_skipped() {
    let read = |t| {
        Reader::read_all(t, |r| {
            let (mut a, mut b) = (None, None);
            read_fields!(r, "an object", {
                "a" => a = r.option(Reader::bool)?,
                "b" => b = Some(r.str()?),
            })?;
            Ok((a, b.map(|s| s.to_string())))
        })
    };
    assert_eq!(
        read(r#"{"x":[{}],"a":true,"b":"y"}"#),
        Ok((Some(true), Some("y".to_owned())))
    );
    let e = read(r#"{"a":null,"a":false}"#).unwrap_err();
    assert_eq!(e.message, "duplicate field `a`");
    assert_eq!(e.offset, 14);
    assert!(read(r#"{"a":"yes"}"#).is_err());
    assert!(read("[true]").is_err());
}

mod against_serde_json {
    use super::*;
    use proptest::prelude::*;

    /// Pieces of JSON, well-formed or not, for texts that are mostly almost JSON.
    const PIECES: [&str; 34] = [
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"k\"",
        "\"\\u00e9\"",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud83d\\ude00\"",
        "\"a\\\"b\"",
        "\"\\x\"",
        "\"",
        "\\",
        "1",
        "-0",
        "0",
        "01",
        "1.5",
        "1e",
        "2E+3",
        "-",
        "true",
        "tru",
        "null",
        "false",
        " ",
        "\n",
        "\"\u{1}\"",
        "é",
        "\"日本\"",
        "\"\\/\\b\"",
        "-9223372036854775809",
    ];

    fn pieces() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(&PIECES[..]), 0..16).prop_map(|p| p.concat())
    }

    /// Well-formed JSON built from the pieces, then (sometimes) one piece put in or cut.
    fn almost_json() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec![
            "0",
            "-0",
            "1.5",
            "2E+3",
            "true",
            "false",
            "null",
            "\"k\"",
            "\"\\ud800\"",
            "\"a\\\"b\"",
            "\"日本\"",
            "-9223372036854775808",
            "18446744073709551616",
        ])
        .prop_map(str::to_owned);
        let value = leaf.prop_recursive(4, 32, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4)
                    .prop_map(|v| format!("[{}]", v.join(","))),
                prop::collection::vec(inner, 0..4).prop_map(|v| {
                    let fields: Vec<String> = v
                        .iter()
                        .enumerate()
                        .map(|(i, x)| format!("\"f{i}\":{x}"))
                        .collect();
                    format!("{{{}}}", fields.join(","))
                }),
            ]
        });
        (
            value,
            any::<prop::sample::Index>(),
            prop::sample::select(&PIECES[..]),
            0..3u8,
        )
            .prop_map(|(text, at, piece, how)| {
                let mut at = at.index(text.len() + 1);
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                match how {
                    0 => text,
                    1 => format!("{}{piece}{}", &text[..at], &text[at..]),
                    _ => {
                        let mut end = (at + piece.len()).min(text.len());
                        while !text.is_char_boundary(end) {
                            end -= 1;
                        }
                        format!("{}{}", &text[..at], &text[end..])
                    }
                }
            })
    }

    fn texts() -> impl Strategy<Value = String> {
        prop_oneof![pieces(), almost_json()]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn accepts_exactly_the_json_serde_json_accepts(text in texts()) {
            let ours = Reader::read_all(&text, Reader::skip).is_ok();
            let theirs = serde_json::from_str::<serde::de::IgnoredAny>(&text).is_ok();
            prop_assert_eq!(ours, theirs, "{}", text);
            let raw = Reader::read_all(&text, Reader::raw).ok();
            let theirs = serde_json::from_str::<&serde_json::value::RawValue>(&text).ok();
            prop_assert_eq!(raw, theirs.map(|r| r.get()), "{}", text);
        }

        #[test]
        fn writes_strings_as_serde_json_does(text in any::<String>(), control in 0u8..0x20) {
            // Any text, and one with a control byte in it (rare in arbitrary strings).
            for text in [text.clone(), format!("{text}{}\"x", char::from(control))] {
                let mut ours = Vec::new();
                write_string(&mut ours, &text);
                prop_assert_eq!(&ours, &serde_json::to_vec(&text).unwrap(), "{:?}", text);
            }
        }

        #[test]
        fn reads_strings_and_integers_as_serde_json_does(text in texts()) {
            let ours = Reader::read_all(&text, Reader::str).ok().map(|s| s.to_string());
            prop_assert_eq!(ours, serde_json::from_str::<String>(&text).ok(), "{}", text);
            let ours = Reader::read_all(&text, Reader::i64).ok();
            prop_assert_eq!(ours, serde_json::from_str::<i64>(&text).ok(), "{}", text);
            let ours = Reader::read_all(&text, Reader::opt_bool).ok();
            prop_assert_eq!(ours, serde_json::from_str::<Option<bool>>(&text).ok(), "{}", text);
            let ours = Reader::read_all(&text, Reader::opt_str).ok().map(|s| s.map(|s| s.to_string()));
            prop_assert_eq!(ours, serde_json::from_str::<Option<String>>(&text).ok(), "{}", text);
            let ours = Reader::read_all(&text, Reader::opt_i64).ok();
            prop_assert_eq!(ours, serde_json::from_str::<Option<i64>>(&text).ok(), "{}", text);
        }
    }
}

#[test]
fn a_known_value_is_recognized_by_its_bytes_and_anything_else_read() {
    let known =
        r#"{"warn":{"level":"baseline","version":"latest"},"audit":{"level":"restricted"}}"#;
    let changed = known.replace("baseline", "baseLine");
    // (name, the value in the text, what is known, what is read: None for an error)
    let cases: &[(&str, &str, Option<&str>, Option<&str>)] = &[
        ("the same object", known, Some(known), Some(known)),
        (
            "another object",
            r#"{"level":"baseline"}"#,
            Some(known),
            Some(r#"{"level":"baseline"}"#),
        ),
        ("one byte differs", &changed, Some(known), Some(&changed)),
        ("nothing known", known, None, Some(known)),
        ("known is not an object", "[1]", Some("1"), Some("[1]")),
        (
            "known is longer than the text",
            "{}",
            Some(known),
            Some("{}"),
        ),
        ("the same array", "[1,2]", Some("[1,2]"), Some("[1,2]")),
        (
            "a prefix of the known array",
            "[1]",
            Some("[1,2]"),
            Some("[1]"),
        ),
        ("malformed, not the known", r#"{"a":}"#, Some(known), None),
    ];
    for (name, value, known, expected) in cases {
        let framed = format!("[{value}, 7]");
        let got = Reader::read_all(&framed, |r| {
            let mut items = r.elements("an array")?;
            let mut seen = None;
            while items.next(r)? {
                match seen {
                    None => seen = Some(r.raw_or_known(*known)?.to_owned()),
                    // The reader goes on after the value, where it ends.
                    Some(_) => assert_eq!(r.i64()?, 7, "{name}"),
                }
            }
            Ok(seen)
        });
        assert_eq!(got.ok().flatten().as_deref(), *expected, "{name}");
    }
}
