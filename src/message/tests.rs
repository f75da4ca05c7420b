//! Messages in PSA's words, plain and in JSON.

use super::*;

#[test]
fn describe_joins_like_psa() {
    let v = vec![
        Violation::of("a").text("x"),
        Violation::of("b"),
        Violation::of("c").text("y"),
    ];
    let mut out = "start: ".to_owned();
    describe(&mut out, &v);
    assert_eq!(out, "start: a (x), b, c (y)");
}

/// The JSON message of any list is the plain message of the same violations, escaped:
/// on either side of the budget, with quotes (escaped longer), empty details, runs and
/// lists in another order.
#[test]
fn a_message_in_json_is_the_plain_message_escaped() {
    let mode = LevelVersion {
        level: crate::controls::Level::Restricted,
        version: crate::settings::PolicyVersion::Latest,
    };
    // Sixteen details of 170-190 bytes cross the budget a byte at a time.
    let sizes = [0, 1, 40, 400, 3000].into_iter().chain(150..=200);
    for (detail, quotes) in sizes.flat_map(|d| [(d, false), (d, true)]) {
        let found: Vec<Violation> = (0..19)
            .map(|k| match k % 4 {
                0 => Violation::of("plain reason"),
                1 if quotes => Violation::of("quoted").text(&"\"q\" ".repeat(detail / 4)),
                _ => Violation::of("long").text(&"x".repeat(detail + k)),
            })
            .collect();
        let lists: [&[u8]; 5] = [
            &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
            &[0, 1, 2, 4, 16, 17, 18, 7, 8, 9, 11, 12, 13, 14, 15],
            &[18, 3, 2, 1],
            &[5],
            &[
                0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 1, 3, 5, 7, 9, 11, 13, 15, 17,
            ],
        ];
        for list in lists {
            for standard in [0, 1, list.len()] {
                let mut own: Vec<Violation> = list
                    .iter()
                    .map(|&i| found[usize::from(i)].clone())
                    .collect();
                let plain = Message::describe(mode, &mut own, standard, true).text;
                let entries = Entries::new(&found);
                let json = Message::describe_listed(mode, &entries, list, standard, true);
                let case = format!("{detail} {quotes} {list:?} {standard}");
                assert_eq!(json.text.plain(), plain, "{case}");
                let mut escaped = Escaped::default();
                escaped.push_str(&plain);
                assert_eq!(json.text, escaped, "{case}");
            }
        }
    }
}

#[test]
fn frames_read_back_from_json() {
    let mode = LevelVersion {
        level: crate::controls::Level::Baseline,
        version: crate::settings::PolicyVersion::V1(25),
    };
    let v = vec![Violation::of("a").text(r#"container "x""#)];
    let plain = Message::describe(mode, &mut v.clone(), 1, true).text;
    let entries = Entries::new(&v);
    let json = Message::describe_listed(mode, &entries, &[0], 1, true).text;
    assert_eq!(json.plain(), plain);
    assert_eq!(
        plain,
        r#"would violate PodSecurity "baseline:v1.25": a (container "x")"#
    );
}
