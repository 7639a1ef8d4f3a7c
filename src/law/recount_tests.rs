#![allow(clippy::unwrap_used, clippy::expect_used, clippy::type_complexity)]

use super::*;

/// Golden files: tests/golden/count/NAME.json → NAME.out.json. The path is relative to this
/// file so it holds after the module moves into the main crate.
const GOLDEN: &[(&str, &str, &str)] = &[
    (
        "blank_invalid",
        include_str!("../../tests/golden/count/blank_invalid.json"),
        include_str!("../../tests/golden/count/blank_invalid.out.json"),
    ),
    (
        "members_first",
        include_str!("../../tests/golden/count/members_first.json"),
        include_str!("../../tests/golden/count/members_first.out.json"),
    ),
    (
        "quorum_missed",
        include_str!("../../tests/golden/count/quorum_missed.json"),
        include_str!("../../tests/golden/count/quorum_missed.out.json"),
    ),
    (
        "returned_exceeds_issued",
        include_str!("../../tests/golden/count/returned_exceeds_issued.json"),
        include_str!("../../tests/golden/count/returned_exceeds_issued.out.json"),
    ),
    (
        "runoff_round",
        include_str!("../../tests/golden/count/runoff_round.json"),
        include_str!("../../tests/golden/count/runoff_round.out.json"),
    ),
    (
        "simple_direct",
        include_str!("../../tests/golden/count/simple_direct.json"),
        include_str!("../../tests/golden/count/simple_direct.out.json"),
    ),
    (
        "single_carry_down",
        include_str!("../../tests/golden/count/single_carry_down.json"),
        include_str!("../../tests/golden/count/single_carry_down.out.json"),
    ),
    (
        "tie_revote",
        include_str!("../../tests/golden/count/tie_revote.json"),
        include_str!("../../tests/golden/count/tie_revote.out.json"),
    ),
    (
        "unfilled_runoff",
        include_str!("../../tests/golden/count/unfilled_runoff.json"),
        include_str!("../../tests/golden/count/unfilled_runoff.out.json"),
    ),
    (
        "women_highest",
        include_str!("../../tests/golden/count/women_highest.json"),
        include_str!("../../tests/golden/count/women_highest.out.json"),
    ),
    (
        "women_reserve",
        include_str!("../../tests/golden/count/women_reserve.json"),
        include_str!("../../tests/golden/count/women_reserve.out.json"),
    ),
    (
        "write_ins",
        include_str!("../../tests/golden/count/write_ins.json"),
        include_str!("../../tests/golden/count/write_ins.out.json"),
    ),
];

#[test]
fn golden_count_outputs_are_stable() {
    for (name, input, want) in GOLDEN {
        let got = recount_json(input, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(got.trim_end(), want.trim_end(), "{name}");
    }
}

#[test]
fn golden_cases_cover_each_outcome() {
    let actions: Vec<String> = GOLDEN.iter().map(|(_, i, _)| recount_json(i, None).unwrap_or_default()).collect();
    let all = actions.join("\n");
    for a in [
        "\"nothing\"",
        "\"revote\"",
        "\"runoff\"",
        "\"vacancy\"",
        "\"rerun\"",
        "\"quorum_missed\"",
        "\"returned_exceeds_issued\"",
        "\"seat_reserved\"",
        "\"woman_seated\"",
    ] {
        assert!(all.contains(a), "no golden case shows {a}");
    }
}

fn base() -> serde_json::Value {
    serde_json::from_str(include_str!("../../tests/golden/count/simple_direct.json")).unwrap_or_default()
}

fn run(v: &serde_json::Value) -> Result<String, RecountError> {
    recount_json(&v.to_string(), None)
}

#[test]
fn bad_input_names_the_field() {
    let cases: Vec<(Box<dyn Fn(&mut serde_json::Value)>, &str)> = vec![
        (Box::new(|v| v["ballots"][3]["member"][0] = "c9".into()), "ballots[3].member[0]: unknown candidate \"c9\""),
        (
            Box::new(|v| v["ballots"][1]["member"][0] = "c1".into()),
            "ballots[1].member[0]: candidate \"c1\" does not stand for member",
        ),
        (Box::new(|v| v["seats"]["member"] = 9.into()), "seats: 11 members is outside the profile's 5–9"),
        (Box::new(|v| v["seats"]["chair"] = 2.into()), "seats.chair: 2 chairs"),
        (Box::new(|v| v["electorate"] = "many".into()), "electorate: invalid type"),
        (
            Box::new(|v| {
                v.as_object_mut().map(|o| o.remove("method"));
            }),
            "method: missing",
        ),
        (Box::new(|v| v["colour"] = "red".into()), "colour: unknown field"),
        (Box::new(|v| v["ballots"][2]["bogus"] = true.into()), "ballots[2]: unknown field `bogus`"),
        (Box::new(|v| v["ballots"][2]["blank"] = true.into()), "ballots[2].blank: a blank ballot has no marks"),
        (Box::new(|v| v["candidates"][1]["id"] = "c1".into()), "candidates[1].id: duplicate id \"c1\""),
        (Box::new(|v| v["candidates"][1]["post"] = "boss".into()), "candidates[1]: unknown variant `boss`"),
        (Box::new(|v| v["profile"] = "mars".into()), "profile: unknown profile \"mars\""),
        (Box::new(|v| v["election_day"] = "14/06/2026".into()), "election_day:"),
        (Box::new(|v| v["settled"] = serde_json::json!({"chair": ["zz"]})), "settled.chair[0]: unknown person \"zz\""),
    ];
    for (i, (edit, want)) in cases.iter().enumerate() {
        let mut v = base();
        edit(&mut v);
        let e = run(&v).expect_err(want).to_string();
        assert!(e.starts_with(want), "case {i}: {e:?} should start with {want:?}");
        assert!(!e.contains('\n'), "case {i}: one line");
    }
}

#[test]
fn malformed_json_is_an_error_not_a_panic() {
    for bad in ["", "{", "[]", "{\"ballots\": 3}", "{\"ballots\": [{]}", "null", "{\"method\": \"direct\"} x"] {
        assert!(recount_json(bad, None).is_err(), "{bad:?}");
    }
}

#[test]
fn profile_override_wins_over_inline_p() {
    let mut v = base();
    v["profile"] = "gansu-2025".into();
    let out = recount(&v.to_string(), Some(RuleProfile::preset("chongqing-2025").unwrap_or_default()))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.profile.name, "chongqing-2025");
    let out = recount(&v.to_string(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.profile.name, "gansu-2025");
}

#[test]
fn synthetic_box_counts_and_is_reproducible() {
    let a = synthetic_box(500, 7);
    assert_eq!(a, synthetic_box(500, 7));
    let r = recount(&a, None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.ballots_cast, 500);
    assert!(r.valid);
    assert_eq!(r.elected.len(), 5);
}

#[test]
fn escaped_ids_resolve() {
    let mut v = base();
    let s = v.to_string().replace("\"c5\"", "\"c\\u0035\"");
    v = serde_json::from_str(&s).unwrap_or_default();
    assert!(run(&v).is_ok());
    assert!(recount_json(&s, None).is_ok());
}

#[test]
fn hostile_numbers_are_errors_not_panics() {
    let mut v = base();
    v["seats"] = serde_json::json!({"chair": 1, "vice_chair": 4294967295u64, "member": 4294967295u64});
    assert!(run(&v).is_err());
    let mut v = base();
    v["ballots"][0]["unreadable"] = serde_json::json!({"member": 4294967295u64});
    let r = recount(&v.to_string(), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.invalid_ballots, 1);
}

#[test]
fn json_path_and_in_memory_path_agree() {
    let n = 2_000;
    let (contest, ballots) = synthetic_contest(n, 9).unwrap_or_else(|e| panic!("{e}"));
    let p = RuleProfile::national();
    let direct = count::count(&contest, &crate::law::tally::tally_ballots(contest.layout(&p), &ballots), &p);
    let via_json = recount(&synthetic_box(n, 9), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(direct.elected, via_json.elected);
    assert_eq!(direct.posts, via_json.posts);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(256))]

    #[test]
    fn any_input_gives_a_result_or_a_one_line_error(s in ".{0,200}") {
        if let Err(e) = recount_json(&s, None) {
            proptest::prop_assert!(!e.to_string().contains('\n'));
        }
    }

    #[test]
    fn mutated_golden_inputs_never_panic(which in 0usize..12, at in any_index(), byte in 0u8..128) {
        let (_, input, _) = GOLDEN[which % GOLDEN.len()];
        let mut bytes = input.as_bytes().to_vec();
        let i = at.index(bytes.len());
        bytes[i] = byte;
        if let Ok(s) = String::from_utf8(bytes) {
            let _ = recount_json(&s, None);
        }
    }
}

fn any_index() -> impl proptest::strategy::Strategy<Value = proptest::sample::Index> {
    proptest::prelude::any::<proptest::sample::Index>()
}

/// Issue 14: a stored result is read back as the typed [`Recount`] (the store parses it once),
/// so the typed result must survive serialize → deserialize → serialize byte for byte, for every
/// golden election box, a primary box and a recall box, and come back as the same variant.
#[test]
fn published_results_round_trip_through_the_typed_result() {
    let primary = serde_json::json!({
        "primary": true, "seats": {"member": 2},
        "candidates": [{"id": "n1", "post": "member"}, {"id": "n2", "post": "member"}, {"id": "n3", "post": "member"}],
        "ballots": [{"member": ["n1", "n2"]}, {"member": ["n2", "n3"]}, {"member": ["n3", "n1"]}, {"blank": true}],
    })
    .to_string();
    let recall = serde_json::json!({
        "recall": {"election": 1, "member": "王芳"}, "method": "direct", "electorate": 20, "defence_published": true,
        "ballots": [{"member": ["yes"]}, {"member": ["no"]}, {"blank": true}],
    })
    .to_string();
    let mut inputs: Vec<(&str, &str, &str)> = GOLDEN.iter().map(|(n, i, _)| (*n, *i, "election")).collect();
    inputs.push(("primary", &primary, "primary"));
    inputs.push(("recall", &recall, "recall"));
    for (name, input, kind) in inputs {
        let r = recount_published(input, None).unwrap_or_else(|e| panic!("{name}: {e}"));
        let text = r.to_published().unwrap();
        let back: Recount = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let got = match &back {
            Recount::Election(_) => "election",
            Recount::Primary(_) => "primary",
            Recount::Recall(_) => "recall",
        };
        assert_eq!(got, kind, "{name}");
        assert_eq!(back, r, "{name}");
        assert_eq!(back.to_published().unwrap(), text, "{name}");
    }
}

/// A stored result that is not a result of any kind does not read as one (the store turns this
/// into `StoreError::CorruptRow`, never a default).
#[test]
fn a_result_of_no_kind_does_not_deserialize() {
    for bad in [r#"{}"#, r#"{"valid": true}"#, r#"{"primary": true, "posts": "x"}"#, "[]"] {
        assert!(serde_json::from_str::<Recount>(bad).is_err(), "{bad}");
    }
}
