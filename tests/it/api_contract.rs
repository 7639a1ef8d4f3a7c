//! Issue 17: the API's OpenAPI document is generated from the router (src/web/api/openapi.rs),
//! so the two agree; bad JSON names the field; README's API examples run.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode as S};
use serde_json::{Value, json};

use crate::both;
use crate::helpers::*;

/// Every `(method, path)` the API's source registers: `.get("/…"`, `.post(` …, and
/// `.route_service("post", "/…"`. A route added any other way (`.route(`) fails the test.
fn routes_in_source() -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web/api");
    for f in std::fs::read_dir(&dir).unwrap() {
        let path = f.unwrap().path();
        let src = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        // openapi.rs is `Api` itself: the one place that calls axum's `.route()`, and no routes.
        if name == "openapi.rs" {
            continue;
        }
        for (i, _) in src.match_indices(".route(") {
            let rest = src[i + 7..].trim_start();
            assert!(
                name == "mod.rs" && rest.starts_with("\"/openapi.json\""),
                "{name}: a route added with .route() has no document entry; use Api (openapi.rs)"
            );
        }
        let quoted = |s: &str| -> Option<String> {
            let s = s.trim_start().strip_prefix('"')?;
            Some(s[..s.find('"')?].to_string())
        };
        for method in ["get", "post", "put", "delete"] {
            let needle = format!(".{method}(");
            for (i, _) in src.match_indices(&needle) {
                if let Some(p) = quoted(&src[i + needle.len()..]).filter(|p| p.starts_with('/')) {
                    out.insert((method.to_string(), p));
                }
            }
        }
        for (i, _) in src.match_indices(".route_service(") {
            let rest = &src[i + ".route_service(".len()..];
            let method = quoted(rest).unwrap();
            let after = &rest[rest.find(',').unwrap() + 1..];
            out.insert((method, quoted(after).unwrap()));
        }
    }
    out
}

fn routes_in_document(doc: &Value) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            out.insert((method.clone(), path.clone()));
        }
    }
    out
}

/// The router and the document name the same routes; every documented route answers (never
/// 405 or `no_route`); every path parameter, body and security requirement is declared.
async fn router_and_document_agree(app: TestApp) {
    let s = app.street("ac").await;
    app.community(s, "ac-c").await;
    app.user("ac-admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut admin = app.login("ac-admin").await;
    let doc = admin.get("/api/v1/openapi.json").await.json();
    assert_eq!(doc["openapi"], json!("3.1.0"));

    let documented = routes_in_document(&doc);
    let in_source = routes_in_source();
    let missing: Vec<_> = in_source.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&in_source).collect();
    assert!(missing.is_empty(), "routes without a document entry: {missing:?}");
    assert!(extra.is_empty(), "documented routes the router lacks: {extra:?}");
    assert!(documented.len() >= 96, "{} operations", documented.len());

    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for (method, path) in &documented {
        let op = &doc["paths"][path][method];
        // Path parameters ({id}, {log}, {resident}) are all declared.
        for seg in path.split('/').filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}'))) {
            let declared = op["parameters"].as_array().unwrap().iter().any(|p| p["name"] == seg && p["in"] == "path");
            assert!(declared, "{method} {path}: {{{seg}}} undeclared");
        }
        for req in op["security"].as_array().unwrap() {
            for name in req.as_object().unwrap().keys() {
                assert!(schemes.contains_key(name), "{method} {path}: unknown scheme {name}");
            }
        }
        // Public routes need nothing; staff writes need the cookie and the CSRF header. The key
        // ceremony's board is public (issue 18: observers check it).
        let public = path.starts_with("/public/")
            || path.starts_with("/logs/")
            || path.ends_with("/record")
            || path.ends_with("/ceremony") && method == "get";
        assert_eq!(op["security"].as_array().unwrap().is_empty(), public || path == "/session" && method == "post");
        let errors: Vec<&String> = op["responses"].as_object().unwrap().keys().filter(|k| k.starts_with('4')).collect();
        assert!(!errors.is_empty(), "{method} {path}: no error responses");

        let uri = format!("/api/v1{}", path.replace("{id}", "1").replace("{resident}", "1").replace("{log}", "system"));
        let req = Request::builder().method(method.to_uppercase().as_str()).uri(&uri).body(Body::empty()).unwrap();
        let r = admin.send(req).await;
        let unrouted = r.status == S::METHOD_NOT_ALLOWED || r.json()["error"] == json!("no_route");
        assert!(!unrouted, "{method} {uri}: {} {}", r.status, r.text());
    }
    // Bodies come from the handlers' types: opening an election names the plan's fields.
    let open = &doc["paths"]["/communities/{id}/elections"]["post"]["requestBody"]["content"]["application/json"];
    let text = serde_json::to_string(&doc["components"]["schemas"]).unwrap();
    assert!(open["schema"].is_object() && text.contains("seats_chair") && text.contains("election_day"), "{open}");
    assert!(open["example"]["election_day"].is_string());
    let cast = &doc["paths"]["/elections/{id}/ballots"]["post"];
    assert_eq!(cast["security"], json!([{"voting_code": []}]));
    assert!(cast["responses"]["201"].is_object() && cast["responses"]["409"].is_object());
    let q = &doc["paths"]["/logs/{log}/proofs/inclusion"]["get"]["parameters"];
    assert!(q.as_array().unwrap().iter().any(|p| p["name"] == "index" && p["in"] == "query" && p["required"] == true));
    // The browsable view is the app's own page, with no CDN.
    let page = app.client().get("/api/docs").await;
    assert_eq!(page.status, S::OK);
    assert!(page.text().contains("/api/v1/openapi.json") && !page.text().contains("https://"), "{}", page.text());
}
both!(router_and_document_agree);

/// A bad JSON body answers 422 naming the path of the bad field and the type it must have, in
/// the reader's language, on every kind of JSON route (staff, sign-in, public).
async fn bad_json_names_the_field(app: TestApp) {
    let s = app.street("bj").await;
    let community = app.community(s, "bj-c").await;
    app.user("bj-admin", R::StreetAdmin, K::StreetOffice, s).await;
    let mut admin = app.login("bj-admin").await;

    let (st, b) = admin
        .api_post(&format!("/api/v1/communities/{community}/groups"), &json!({"number": "one", "name": "g"}))
        .await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["error"], json!("invalid"));
    assert_eq!(b["fields"][0]["field"], json!("number"));
    assert_eq!(b["fields"][0]["expected"], json!("integer"));
    assert!(b["message"].as_str().unwrap().contains("整数"), "{b}");

    // A nested field: its whole path.
    let day = (huanjie::service::elections::today() + time::Duration::days(40)).to_string();
    let plan = json!({"round": "2026", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
                      "profile": "national", "election_day": day, "stations": [{"name": 7}]});
    admin.lang = "en";
    let (st, b) = admin.api_post(&format!("/api/v1/communities/{community}/elections"), &plan).await;
    assert_eq!(st, S::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(b["fields"][0]["field"], json!("stations[0].name"));
    assert_eq!(b["fields"][0]["expected"], json!("string"));
    let msg = b["message"].as_str().unwrap();
    assert!(msg.contains("stations[0].name") && msg.contains("text (a string)"), "{msg}");
    // Schemathesis' finding: seat counts near i64::MAX overflowed the plan check (a 500).
    let mut huge = plan.clone();
    huge["stations"] = json!([]);
    huge["seats_member"] = json!(i64::MAX);
    let (st, b) = admin.api_post(&format!("/api/v1/communities/{community}/elections"), &huge).await;
    assert_eq!((st, &b["error"]), (S::UNPROCESSABLE_ENTITY, &json!("refused_by_law")), "{b}");
    let elections = app.count("SELECT COUNT(*) FROM elections").await;
    assert_eq!(elections, 0, "a refused body changes nothing");

    // A missing field, and a body that is not JSON at all.
    let (st, b) = admin.api_post(&format!("/api/v1/communities/{community}/groups"), &json!({"name": "g"})).await;
    assert_eq!((st, &b["fields"][0]["field"]), (S::UNPROCESSABLE_ENTITY, &json!("number")), "{b}");
    let req = Request::post("/api/v1/session")
        .header("content-type", "application/json")
        .body(Body::from("{\"username\":"))
        .unwrap();
    let r = app.client().send(req).await;
    assert_eq!(r.status, S::UNPROCESSABLE_ENTITY);
    assert!(r.json()["message"].as_str().unwrap().contains("JSON"), "{}", r.text());
    // Sign-in and the public objection form read bodies the same way.
    let (st, b) = app.client().api_post("/api/v1/session", &json!({"username": 5, "password": "x"})).await;
    assert_eq!((st, &b["fields"][0]["field"]), (S::UNPROCESSABLE_ENTITY, &json!("username")), "{b}");
    let (st, b) = app.client().api_post("/api/v1/public/elections/1/objections", &json!({"filed_by": []})).await;
    assert_eq!((st, &b["fields"][0]["expected"]), (S::UNPROCESSABLE_ENTITY, &json!("string")), "{b}");
}
both!(bad_json_names_the_field);

/// The words of a shell line as `sh` splits them: single quotes literal; double quotes with
/// `\"`, `\\` and `\$` escapes and `$VAR` expanded; `$VAR` expanded outside quotes too.
fn shell_words(line: &str, vars: &std::collections::HashMap<&str, String>) -> Vec<String> {
    let (mut out, mut cur, mut in_word) = (Vec::new(), String::new(), false);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    let var = |i: &mut usize, cur: &mut String| {
        let start = *i + 1;
        let mut j = start;
        while j < chars.len() && (chars[j].is_ascii_alphanumeric() || chars[j] == '_') {
            j += 1;
        }
        let name: String = chars[start..j].iter().collect();
        cur.push_str(vars.get(name.as_str()).unwrap_or_else(|| panic!("README uses ${name}, unknown to the test")));
        *i = j;
    };
    while i < chars.len() {
        match chars[i] {
            c if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
                i += 1;
            }
            '\'' => {
                in_word = true;
                let end = i + 1 + chars[i + 1..].iter().position(|&c| c == '\'').unwrap();
                cur.extend(&chars[i + 1..end]);
                i = end + 1;
            }
            '"' => {
                in_word = true;
                i += 1;
                while chars[i] != '"' {
                    match chars[i] {
                        '\\' if matches!(chars[i + 1], '"' | '\\' | '$') => {
                            cur.push(chars[i + 1]);
                            i += 2;
                        }
                        '$' => var(&mut i, &mut cur),
                        c => {
                            cur.push(c);
                            i += 1;
                        }
                    }
                }
                i += 1;
            }
            '$' => {
                in_word = true;
                var(&mut i, &mut cur);
            }
            c => {
                in_word = true;
                cur.push(c);
                i += 1;
            }
        }
    }
    if in_word {
        out.push(cur);
    }
    out
}

/// README's API section: its curl lines, in order, run against the demo (seeded as `huanjie
/// demo` seeds it), each answering 2xx; what later lines use ($CSRF, $COMMUNITY …) is taken
/// from the replies as README says.
async fn readme_examples_run(app: TestApp) {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = &readme[readme.find("\n## API\n").expect("README has an API section")..];
    let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
    let lines: Vec<&str> = section.lines().filter(|l| l.starts_with("curl ")).collect();
    for job in ["/imports?", "/commit\"", "/elections\"", "/ballots\"", "/record\"", "/api/v1/session\""] {
        assert!(lines.iter().any(|l| l.contains(job)), "README's API examples lack {job}");
    }
    assert!(section.contains("/api/v1/openapi.json") && section.contains("/api/docs"));

    let store = app.store();
    let accounts = huanjie::demo::seed(store).await.unwrap();
    let polling =
        huanjie::demo::seed_polling_election(store, &app.state.log, &app.state.secrets.voting_code_key, &accounts)
            .await
            .unwrap();
    let password = accounts.lines.iter().find(|l| l.0 == "admin").unwrap().1.clone();
    let street = app.count("SELECT id FROM street_offices WHERE code = 'demo-street'").await;
    let mut vars: std::collections::HashMap<&str, String> = std::collections::HashMap::new();
    vars.insert("HJ", String::new());
    vars.insert("PASSWORD", password);
    vars.insert("TOTP", app.totp_code("admin").await.unwrap());
    vars.insert("STREET", street.to_string());
    vars.insert("POLLING", polling.election.to_string());
    vars.insert("CODE", polling.codes[0].1.clone());
    vars.insert("DAY", (huanjie::service::elections::today() + time::Duration::days(40)).to_string());
    // A register in residents' group 1, the group README's lines create.
    let csv: String = huanjie::demo::demo_csv(7, 3)
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let mut cols: Vec<&str> = l.split(',').collect();
            if i > 0 {
                cols[7] = "1";
            }
            cols.join(",") + "\n"
        })
        .collect();

    let mut staff = app.client();
    for line in lines {
        let words = shell_words(line, &vars);
        let (mut method, mut uri, mut body, mut headers, mut signed_in) =
            (None, String::new(), None, Vec::new(), false);
        let mut w = words[1..].iter();
        while let Some(a) = w.next() {
            match a.as_str() {
                "-s" => {}
                "-c" | "-b" => {
                    w.next();
                    signed_in = true;
                }
                "-o" => {
                    w.next();
                }
                "-X" => method = w.next().cloned(),
                "-H" => headers.push(w.next().unwrap().clone()),
                "-d" => body = Some(w.next().unwrap().clone().into_bytes()),
                "--data-binary" => {
                    assert_eq!(w.next().unwrap(), "@residents.csv");
                    body = Some(csv.clone().into_bytes());
                }
                url if url.starts_with("/api/") => uri = url.to_string(),
                other => panic!("README curl option {other} unknown to the test"),
            }
        }
        let method = method.unwrap_or_else(|| if body.is_some() { "POST".into() } else { "GET".into() });
        let mut req = Request::builder().method(method.as_str()).uri(&uri);
        for h in &headers {
            let (k, v) = h.split_once(": ").unwrap();
            req = req.header(k, v);
        }
        let req = req.body(body.map(Body::from).unwrap_or_default()).unwrap();
        let r = if signed_in { staff.send(req).await } else { app.client().send(req).await };
        assert!(r.status.is_success(), "{line}\n→ {} {}", r.status, r.text());
        let b = r.json();
        let path = uri.split('?').next().unwrap().to_string();
        if path == "/api/v1/session" {
            vars.insert("CSRF", b["csrf_token"].as_str().unwrap().to_string());
        } else if path.ends_with("/communities") {
            vars.insert("COMMUNITY", b["id"].to_string());
        } else if path.ends_with("/imports") {
            assert_eq!(b["errors"], json!([]), "{b}");
            vars.insert("BATCH", b["batch"]["id"].to_string());
        } else if path.ends_with("/elections") {
            vars.insert("ELECTION", b["id"].to_string());
        } else if path.ends_with("/ballot") {
            let chair = &b["ballot"]["posts"][0];
            assert_eq!(chair["post"], json!("chair"), "{b}");
            vars.insert("CHAIR", chair["candidates"][0]["id"].as_str().unwrap().to_string());
        } else if path.ends_with("/ballots") {
            assert_eq!(r.status, S::CREATED, "{b}");
        } else if path.ends_with("/record") {
            assert!(b["notices"].is_object() && b["boxes"].is_array(), "{b}");
        }
    }
    let community: i64 = vars["COMMUNITY"].parse().unwrap();
    let imported = app.count(&format!("SELECT COUNT(*) FROM residents WHERE community_id = {community}")).await;
    assert!(imported > 0, "the register was imported");
    let stage = app
        .count(&format!("SELECT COUNT(*) FROM elections WHERE id = {} AND stage = 'registration'", vars["ELECTION"]))
        .await;
    assert_eq!(stage, 1);
}
both!(readme_examples_run);
