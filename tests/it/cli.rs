//! The command line as operators and observers run it.

use std::process::Command;

fn huanjie() -> Command {
    Command::new(env!("CARGO_BIN_EXE_huanjie"))
}

/// `huanjie count` reproduces every golden result byte for byte.
#[test]
fn count_golden_files() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/count");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if !name.ends_with(".json") || name.ends_with(".out.json") {
            continue;
        }
        let out = huanjie().arg("count").arg(&path).output().unwrap();
        assert!(out.status.success(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
        let want = std::fs::read_to_string(path.with_extension("out.json")).unwrap();
        assert_eq!(String::from_utf8(out.stdout).unwrap().trim_end(), want.trim_end(), "{name}");
        n += 1;
    }
    assert!(n >= 10, "golden cases found: {n}");
}

#[test]
fn count_bad_input_exits_2_with_one_line_naming_the_field() {
    let dir = crate::helpers::temp_dir();
    let cases = [
        ("{not json", "input"),
        (
            r#"{"method":"direct","electorate":10,"ballots_issued":5,"seats":{"chair":1,"vice_chair":1,"member":3},
            "candidates":[{"id":"c1","post":"chair"}],"ballots":[{"chair":["c9"]}]}"#,
            "ballots[0].chair[0]",
        ),
        (
            r#"{"method":"direct","electorate":10,"ballots_issued":5,"seats":{"chair":1,"vice_chair":1,"member":30},
            "candidates":[],"ballots":[]}"#,
            "seats",
        ),
    ];
    for (i, (input, field)) in cases.iter().enumerate() {
        let f = dir.0.join(format!("box{i}.json"));
        std::fs::write(&f, input).unwrap();
        let out = huanjie().arg("count").arg(&f).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "case {i}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(err.contains(field), "case {i}: {err}");
    }
    let out = huanjie().args(["count", "--profile", "nowhere.toml", "x.json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn verify_fails_with_exit_1_on_a_tampered_record_file() {
    let dir = crate::helpers::temp_dir();
    let f = dir.0.join("rec.json");
    std::fs::write(
        &f,
        r#"{"format":"huanjie-audit-record/v1","origin":"x/system","log_key":"bad","entries":[],"checkpoints":[]}"#,
    )
    .unwrap();
    let out = huanjie().arg("verify").arg(&f).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
}
