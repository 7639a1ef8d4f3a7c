//! Every CSV export is safe to open in Excel (issue 12 item 8): a cell that a spreadsheet would
//! run as a formula (`=`, `+`, `-`, `@`, tab, CR) is written with a leading `'`, the file keeps
//! its UTF-8 BOM, and the residents export still imports back to the same register.

use axum::http::StatusCode as S;
use serde_json::json;

use crate::both;
use crate::helpers::{Client, K, R, TestApp, id_number};

const SIGNS: [char; 4] = ['=', '+', '-', '@'];

fn cells(body: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(body.strip_prefix(b"\xEF\xBB\xBF").expect("UTF-8 BOM")).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// No cell of the file starts a formula.
fn assert_inert(body: &[u8]) {
    for row in cells(body) {
        for c in row {
            assert!(!c.starts_with(SIGNS) && !c.starts_with(['\t', '\r']), "formula-like cell {c:?}");
        }
    }
}

async fn admin(app: &TestApp, code: &str) -> (i64, Client) {
    let s = app.street(code).await;
    app.user(&format!("{code}-admin"), R::StreetAdmin, K::StreetOffice, s).await;
    (s, app.login(&format!("{code}-admin")).await)
}

async fn elections_csv_neutralises_community_names(app: TestApp) {
    let (s, mut api) = admin(&app, "xl").await;
    let day = huanjie::service::elections::today() + time::Duration::days(60);
    let plan = json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
                      "profile": "national", "election_day": day.to_string(), "channels": ["paper"]});
    let mut attacks: Vec<String> =
        SIGNS.iter().map(|s| format!("{s}HYPERLINK(\"http://evil.example\",\"x\")")).collect();
    // Leading tab and CR: names are trimmed at the edge, the sign after them must still be caught.
    attacks.extend(["\t=1+1".to_string(), "\r@SUM(A1)".to_string()]);
    let mut names = Vec::new();
    for (i, name) in attacks.iter().enumerate() {
        let (st, c) = api
            .api_post(
                &format!("/api/v1/street-offices/{s}/communities"),
                &json!({"code": format!("xl-{i}"), "name": name}),
            )
            .await;
        assert_eq!(st, S::OK, "{c}");
        let (st, e) = api.api_post(&format!("/api/v1/communities/{}/elections", c["id"]), &plan).await;
        assert_eq!(st, S::OK, "{e}");
        let (_, stored) = api.api_get(&format!("/api/v1/communities/{}", c["id"])).await;
        names.push(stored["name"].as_str().unwrap().to_string());
    }
    let r = api.get("/staff/elections.csv").await;
    assert_eq!(r.status, S::OK);
    assert!(r.headers[axum::http::header::CONTENT_TYPE].to_str().unwrap().starts_with("text/csv"));
    assert_inert(&r.body);
    let rows = cells(&r.body);
    assert_eq!(rows[0][1], "社区");
    for name in names {
        assert!(name.starts_with(SIGNS), "{name:?}");
        assert!(rows.iter().any(|row| row[1] == format!("'{name}")), "{name} not found neutralised in {rows:?}");
    }
}
both!(elections_csv_neutralises_community_names);

async fn residents_csv_neutralises_and_imports_back(app: TestApp) {
    let (s, mut api) = admin(&app, "rx").await;
    let c = app.community(s, "rx-c").await;
    // Every free-text column a person's record has, with every sign.
    let people = [
        ("=1+1", "=cmd|'/C calc'!A0", "-1", "+86 139 0000 0001"),
        ("+李四", "+汉", "+2", "-139-0000-0002"),
        ("-张三", "-汉", "=3", "+86-139-0000-0003"),
        ("@SUM(A1)", "@汉", "@4", "139 0000 0004"),
    ];
    for (i, (name, ethnicity, household, phone)) in people.iter().enumerate() {
        let body = json!({"name": name, "id_number": id_number("1970-03-04", 10 + 2 * i as u32), "ethnicity": ethnicity,
                          "household_number": household, "address": "和平里1号", "phone": phone});
        let (st, r) = api.api_post(&format!("/api/v1/communities/{c}/residents"), &body).await;
        assert_eq!(st, S::OK, "{r}");
    }
    let export = api.get(&format!("/staff/communities/{c}/residents.csv")).await;
    assert_eq!(export.status, S::OK);
    assert_inert(&export.body);
    let rows = cells(&export.body);
    for (name, ethnicity, household, phone) in people {
        let row = rows.iter().find(|r| r[0] == format!("'{name}")).unwrap_or_else(|| panic!("{name} in {rows:?}"));
        assert_eq!(row[2], format!("'{ethnicity}"));
        assert_eq!(row[5], format!("'{household}"));
        let shown = if phone.starts_with(SIGNS) { format!("'{phone}") } else { phone.to_string() };
        assert_eq!(row[13], shown);
    }
    // The export imports back into another community as the same register: its own export is
    // byte for byte the first one, and the API shows the values without the mark.
    let c2 = app.community(s, "rx-c2").await;
    let (st, b) =
        api.api_upload(&format!("/api/v1/communities/{c2}/imports?filename=back.csv"), export.body.clone()).await;
    assert_eq!(st, S::OK, "{b}");
    assert_eq!(b["batch"]["error_rows"], json!(0), "{b}");
    let (st, done) = api.api_post_empty(&format!("/api/v1/imports/{}/commit", b["batch"]["id"])).await;
    assert_eq!(st, S::OK, "{done}");
    let again = api.get(&format!("/staff/communities/{c2}/residents.csv")).await;
    assert_eq!(String::from_utf8(again.body).unwrap(), String::from_utf8(export.body).unwrap());
    let (_, list) = api.api_get(&format!("/api/v1/communities/{c2}/residents")).await;
    let mut got: Vec<(String, String, String)> = list["residents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().into(),
                r["ethnicity"].as_str().unwrap().into(),
                r["phone"].as_str().unwrap().into(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String)> =
        people.iter().map(|(n, e, _, p)| (n.to_string(), e.to_string(), p.to_string())).collect();
    want.sort();
    assert_eq!(got, want);
}
both!(residents_csv_neutralises_and_imports_back);
