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
        // ceremony's board, the credential list and the mix's board are public (issue 18:
        // observers check them).
        let public = path.starts_with("/public/")
            || path.starts_with("/logs/")
            || path.ends_with("/record")
            || path.ends_with("/ceremony") && method == "get"
            || path.ends_with("/credentials") && method == "get"
            || path.ends_with("/shuffles") && method == "get";
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
    let polling = huanjie::demo::seed_polling_election(
        store,
        &app.state.log,
        &app.state.secrets.voting_code_key,
        &accounts,
        None,
    )
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

    let doc = huanjie::web::api::document();
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
        // Every answer is what the document says it is, field by field (issue 17).
        let (typed, wrong) = check_answer(&doc, &method, &uri, r.status.as_u16(), &b);
        assert!(typed && wrong.is_empty(), "{line}\n→ typed {typed}: {wrong:#?}\n{b}");
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

// ---- answers against the document (issue 17: typed success bodies) ----

/// The document's operation for `method uri` (`/api/v1/...`, a query allowed): its path
/// template matched segment by segment, `{x}` matching any segment.
fn operation<'a>(doc: &'a Value, method: &str, uri: &str) -> Option<(&'a str, &'a Value)> {
    let path = uri.split('?').next()?.strip_prefix("/api/v1")?;
    let segs: Vec<&str> = path.split('/').collect();
    doc["paths"].as_object()?.iter().find_map(|(template, item)| {
        let t: Vec<&str> = template.split('/').collect();
        let matches = t.len() == segs.len()
            && t.iter().zip(&segs).all(|(a, b)| a == b || (a.starts_with('{') && a.ends_with('}')));
        let op = &item[method.to_lowercase()];
        (matches && op.is_object()).then_some((template.as_str(), op))
    })
}

/// `schema` with its `$ref` followed (components/schemas only).
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str().and_then(|r| r.strip_prefix("#/components/schemas/")) {
        Some(name) => resolve(doc, &doc["components"]["schemas"][name]),
        None => schema,
    }
}

/// The properties an object schema declares, `allOf` branches (a flattened struct) merged.
fn declared_properties(doc: &Value, schema: &Value) -> Option<serde_json::Map<String, Value>> {
    let schema = resolve(doc, schema);
    let mut out = schema["properties"].as_object().cloned();
    for branch in schema["allOf"].as_array().into_iter().flatten() {
        let more = declared_properties(doc, branch)?;
        out.get_or_insert_with(Default::default).extend(more);
    }
    out
}

/// A small structural validator for the schemas utoipa writes: `type` (one or a list), `$ref`,
/// `oneOf`/`anyOf`/`allOf`, `enum`, `required`, `properties` (a field the schema does not declare
/// is an error too, so an answer that grew a field its type lacks fails), `additionalProperties`,
/// `items` and `prefixItems`. Returns what does not conform, by JSON path.
fn conform(doc: &Value, schema: &Value, v: &Value, at: &str, out: &mut Vec<String>) {
    let schema = resolve(doc, schema);
    for key in ["oneOf", "anyOf"] {
        if let Some(branches) = schema[key].as_array() {
            let ok = branches.iter().any(|b| {
                let mut e = Vec::new();
                conform(doc, b, v, at, &mut e);
                e.is_empty()
            });
            if !ok {
                out.push(format!("{at}: matches no branch of {key}: {v}"));
            }
            return;
        }
    }
    if let Some(branches) = schema["allOf"].as_array() {
        for b in branches {
            // Each branch is checked for its own fields; unknown ones against all of them below.
            let mut e = Vec::new();
            conform(doc, b, v, at, &mut e);
            out.extend(e.into_iter().filter(|m| !m.contains("undeclared field")));
        }
        if let (Some(props), Some(obj)) = (declared_properties(doc, schema), v.as_object()) {
            for k in obj.keys().filter(|k| !props.contains_key(*k)) {
                out.push(format!("{at}.{k}: undeclared field"));
            }
        }
        return;
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(v)
    {
        out.push(format!("{at}: {v} not one of {options:?}"));
    }
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| *t == kind || (*t == "number" && kind == "integer")) {
        out.push(format!("{at}: {kind} where the document says {types:?}"));
        return;
    }
    match v {
        Value::Object(obj) => {
            for r in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
                if !obj.contains_key(r) {
                    out.push(format!("{at}.{r}: required, absent"));
                }
            }
            let props = schema["properties"].as_object();
            for (k, x) in obj {
                match (props.and_then(|p| p.get(k)), &schema["additionalProperties"]) {
                    (Some(s), _) => conform(doc, s, x, &format!("{at}.{k}"), out),
                    (None, extra) if extra.is_object() => conform(doc, extra, x, &format!("{at}.{k}"), out),
                    (None, _) if props.is_some() => out.push(format!("{at}.{k}: undeclared field")),
                    _ => {}
                }
            }
        }
        Value::Array(items) => {
            let prefix = schema["prefixItems"].as_array();
            for (i, x) in items.iter().enumerate() {
                let s = prefix.and_then(|p| p.get(i)).unwrap_or(&schema["items"]);
                if s.is_object() {
                    conform(doc, s, x, &format!("{at}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

/// What of the answer `status`/`body` to `method uri` contradicts the document; `typed` is
/// false when the operation's success body is still only "a JSON object".
fn check_answer(doc: &Value, method: &str, uri: &str, status: u16, body: &Value) -> (bool, Vec<String>) {
    let Some((template, op)) = operation(doc, method, uri) else {
        return (false, vec![format!("{method} {uri}: not in the document")]);
    };
    let Some(response) = op["responses"].get(status.to_string()) else {
        return (false, vec![format!("{method} {template}: status {status} undeclared")]);
    };
    let schema = &response["content"]["application/json"]["schema"];
    let typed = !(schema["type"] == json!("object") || schema["type"] == json!(["object", "null"]))
        || schema.get("properties").is_some();
    let mut out = Vec::new();
    conform(doc, schema, body, "$", &mut out);
    (typed, out.into_iter().map(|e| format!("{method} {template} {status}: {e}")).collect())
}

/// Issue 17: a success answer to a documented operation conforms to the schema the document
/// declares for it. `Client::api_method` calls this on every JSON answer, so each scenario test
/// of the suite checks the typed bodies of the routes it drives (a field renamed, added or
/// retyped in a service's return type without its schema fails there).
pub fn assert_conforms(method: &str, uri: &str, status: u16, body: &Value) {
    static DOC: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    if !uri.starts_with("/api/v1/") {
        return;
    }
    let doc = DOC.get_or_init(huanjie::web::api::document);
    let Some((template, op)) = operation(doc, method, uri) else { return };
    if (400..500).contains(&status) {
        // A refusal: its status and its code are among those the operation declares.
        let declared = op["responses"][status.to_string()]["description"].as_str().unwrap_or("");
        let code = body["error"].as_str().unwrap_or("");
        assert!(
            declared.contains(&format!("`{code}`")),
            "{method} {template} answered {status} `{code}`, which the document does not declare ({declared:?})\n{body}"
        );
        return;
    }
    if !(200..300).contains(&status) {
        return;
    }
    let (_, wrong) = check_answer(doc, method, uri, status, body);
    assert!(wrong.is_empty(), "{method} {uri} → {status}: the answer contradicts the document: {wrong:#?}\n{body}");
}

/// The check every test's answers go through refuses what it should: a typed answer with a
/// field of the wrong type or one its type lacks, a refusal with a code its operation does not
/// declare; it accepts the real shapes.
#[test]
fn every_answer_check_refuses_drift() {
    let refused = |method: &'static str, uri: &'static str, status: u16, body: Value| {
        std::panic::catch_unwind(move || assert_conforms(method, uri, status, &body)).is_err()
    };
    let certified = json!({"from": "counting", "to": "certified", "group": 1, "main_election_id": 2,
                           "residents": [3, 4], "unfilled": 0});
    assert!(!refused("POST", "/api/v1/group-elections/5/certify", 200, certified.clone()));
    let mut wrong = certified.clone();
    wrong["residents"] = json!("3,4");
    assert!(refused("POST", "/api/v1/group-elections/5/certify", 200, wrong));
    let mut grown = certified;
    grown["extra"] = json!(1);
    assert!(refused("POST", "/api/v1/group-elections/5/certify", 200, grown));
    let list = json!({"complaints": [], "overdue": 0});
    assert!(!refused("GET", "/api/v1/elections/5/complaints", 200, list));
    assert!(refused("GET", "/api/v1/elections/5/complaints", 200, json!({"complaints": [], "overdue": "0"})));
    // A read declares no 409; a write does, but not every code.
    assert!(refused("GET", "/api/v1/elections/5/complaints", 409, json!({"error": "conflict"})));
    assert!(!refused("POST", "/api/v1/complaints/5/answer", 409, json!({"error": "conflict"})));
    assert!(refused("POST", "/api/v1/complaints/5/answer", 409, json!({"error": "throttled"})));
}

/// The validator itself fails what it should (so a passing check means something).
#[test]
fn the_answer_validator_catches_drift() {
    let doc = json!({"components": {"schemas": {"P": {"type": "object", "required": ["a"],
        "properties": {"a": {"type": "integer"}, "b": {"type": ["string", "null"]}, "c": {"type": "array", "items": {"$ref": "#/components/schemas/Q"}}}},
        "Q": {"type": "string", "enum": ["x", "y"]}}},
        "paths": {"/t/{id}": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"oneOf": [{"$ref": "#/components/schemas/P"}, {"type": "null"}]}}}}}}}}});
    let check = |b: Value| check_answer(&doc, "GET", "/api/v1/t/7?x=1", 200, &b);
    assert_eq!(check(json!({"a": 1, "b": null, "c": ["x"]})), (true, vec![]));
    assert_eq!(check(Value::Null), (true, vec![]));
    for bad in [json!({"b": "s"}), json!({"a": "1"}), json!({"a": 1, "c": ["z"]}), json!({"a": 1, "d": 0}), json!([])] {
        assert!(!check(bad.clone()).1.is_empty(), "{bad} passed");
    }
    assert!(!check_answer(&doc, "GET", "/api/v1/t/7", 201, &json!({"a": 1})).1.is_empty());
    assert!(!check_answer(&doc, "GET", "/api/v1/u", 200, &json!({})).1.is_empty());
}

/// GET `uri` as `c`, check the answer against the document (typed and conforming) and return it.
async fn checked_get(doc: &Value, c: &mut Client, uri: &str) -> Value {
    let r = c.get(uri).await;
    assert!(r.status.is_success(), "GET {uri} → {} {}", r.status, r.text());
    let b = r.json();
    let (typed, wrong) = check_answer(doc, "GET", uri, r.status.as_u16(), &b);
    assert!(typed && wrong.is_empty(), "GET {uri} → typed {typed}: {wrong:#?}\n{b}");
    b
}

/// POST `uri` (empty body, or `body`) as `c` and check the answer the same way.
async fn checked_post(doc: &Value, c: &mut Client, uri: &str, body: Option<&Value>) -> Value {
    let (st, b) = match body {
        Some(body) => c.api_post(uri, body).await,
        None => c.api_post_empty(uri).await,
    };
    assert!(st.is_success(), "POST {uri} → {st} {b}");
    let (typed, wrong) = check_answer(doc, "POST", uri, st.as_u16(), &b);
    assert!(typed && wrong.is_empty(), "POST {uri} → typed {typed}: {wrong:#?}\n{b}");
    b
}

/// Issue 17: the demo's main reads and an election taken from the polls to its certified result
/// answer exactly what the document declares for each operation (required fields present,
/// types as declared, no field the document leaves out) — so a typed body that drifts from its
/// handler, or a mirror of a service's JSON (`/public/elections/{id}/results`, documented by
/// `ResultsShape`) that drifts from the service, fails here.
async fn typed_bodies_match_the_document(app: TestApp) {
    let doc = huanjie::web::api::document();
    let store = app.store();
    let accounts = huanjie::demo::seed(store).await.unwrap();
    let polling = huanjie::demo::seed_polling_election(
        store,
        &app.state.log,
        &app.state.secrets.voting_code_key,
        &accounts,
        None,
    )
    .await
    .unwrap();
    let e = polling.election;
    let password = accounts.lines.iter().find(|l| l.0 == "admin").unwrap().1.clone();
    let mut admin = app.client();
    let mut login = json!({"username": "admin", "password": password});
    if let Some(code) = app.totp_code("admin").await {
        login["code"] = code.into();
    }
    let signed_in = checked_post(&doc, &mut admin, "/api/v1/session", Some(&login)).await;
    admin.csrf = signed_in["csrf_token"].as_str().unwrap().to_string();
    for uri in [
        "/api/v1/me".to_string(),
        "/api/v1/communities".into(),
        "/api/v1/elections".into(),
        "/api/v1/rehearsal/clock".into(),
        format!("/api/v1/elections/{e}"),
        format!("/api/v1/elections/{e}/voters"),
        format!("/api/v1/elections/{e}/objections"),
        format!("/api/v1/elections/{e}/proxies"),
        format!("/api/v1/elections/{e}/committee"),
        format!("/api/v1/elections/{e}/turnout"),
        format!("/api/v1/elections/{e}/participation"),
        format!("/api/v1/elections/{e}/booths"),
        format!("/api/v1/elections/{e}/checkin?q=1"),
        format!("/api/v1/logs/election-{e}/entries?start=0&end=5"),
        format!("/api/v1/logs/election-{e}/proofs/inclusion?index=0&size=2"),
        format!("/api/v1/logs/election-{e}/proofs/consistency?from=1&to=2"),
    ] {
        checked_get(&doc, &mut admin, &uri).await;
    }
    let communities = checked_get(&doc, &mut admin, "/api/v1/communities").await;
    let community = communities["communities"][0]["id"].as_i64().unwrap();
    for uri in [
        format!("/api/v1/communities/{community}"),
        format!("/api/v1/communities/{community}/groups"),
        format!("/api/v1/communities/{community}/households"),
        format!("/api/v1/communities/{community}/residents?q="),
    ] {
        checked_get(&doc, &mut admin, &uri).await;
    }
    let residents = checked_get(&doc, &mut admin, &format!("/api/v1/communities/{community}/residents")).await;
    let resident = residents["residents"][0]["id"].as_i64().unwrap();
    for uri in [
        format!("/api/v1/residents/{resident}"),
        format!("/api/v1/residents/{resident}/history"),
        format!("/api/v1/residents/{resident}/relatives"),
    ] {
        checked_get(&doc, &mut admin, &uri).await;
    }
    let mut public = app.client();
    for uri in [
        format!("/api/v1/public/elections/{e}"),
        format!("/api/v1/public/elections/{e}/ballot"),
        format!("/api/v1/elections/{e}/record"),
    ] {
        checked_get(&doc, &mut public, &uri).await;
    }

    // A new election in the demo's community: the roll registered by the law engine.
    let day = (huanjie::service::elections::today() + time::Duration::days(40)).to_string();
    let plan = json!({"round": "2027", "method": "direct", "seats_chair": 1, "seats_vice_chair": 1, "seats_member": 3,
                      "profile": "national", "election_day": day});
    let opened =
        checked_post(&doc, &mut admin, &format!("/api/v1/communities/{community}/elections"), Some(&plan)).await;
    let fresh = opened["id"].as_i64().unwrap();
    checked_post(&doc, &mut admin, &format!("/api/v1/elections/{fresh}/registration/start"), None).await;
    let report = checked_post(&doc, &mut admin, &format!("/api/v1/elections/{fresh}/voters/register"), None).await;
    assert!(report["registered"].as_i64().unwrap() > 0, "{report}");

    // An election from the polls to its result, through the same checks.
    let mut p = crate::polling::ready(&app, "tb").await;
    let id = p.id;
    checked_get(&doc, &mut p.committee, &format!("/api/v1/elections/{id}/nominations")).await;
    let reissue = json!({"resident_id": p.voters[20]});
    let cards = checked_post(&doc, &mut p.committee, &format!("/api/v1/elections/{id}/cards"), Some(&reissue)).await;
    assert_eq!(cards["cards"].as_array().unwrap().len(), 1, "{cards}");
    let opened = checked_post(&doc, &mut p.committee, &format!("/api/v1/elections/{id}/polls/open"), None).await;
    assert_eq!(opened["stage"], json!("polling"));
    let c = |post: &str, i: usize| p.cands[post][i].clone();
    let ballot = json!({"chair": [c("chair", 0)], "vice_chair": [c("vice_chair", 0)], "member": [c("member", 0), c("member", 1), c("member", 2)]});
    let mut receipt = Value::Null;
    for v in &p.voters[..14] {
        let (st, b) = crate::polling::cast(&app, id, &p.codes[v], &ballot).await;
        let (typed, wrong) = check_answer(&doc, "POST", &format!("/api/v1/elections/{id}/ballots"), st.as_u16(), &b);
        assert!(st == S::CREATED && typed && wrong.is_empty(), "{st} {wrong:#?} {b}");
        receipt = b;
    }
    let turnout = checked_get(&doc, &mut p.committee, &format!("/api/v1/elections/{id}/turnout")).await;
    assert_eq!(turnout["issued_total"], json!(14), "{turnout}");
    let q = format!(
        "/api/v1/public/receipts?log={}&index={}&receipt={}",
        receipt["log"].as_str().unwrap(),
        receipt["index"],
        receipt["receipt"].as_str().unwrap()
    );
    let found = checked_get(&doc, &mut public, &q).await;
    assert_eq!(found["found"], json!(true), "{found}");
    p.committee.api_post_empty(&format!("/api/v1/elections/{id}/polls/close")).await;
    p.committee.api_post_empty(&format!("/api/v1/elections/{id}/count")).await;
    let (st, _) = p.committee.api_post_empty(&format!("/api/v1/elections/{id}/certify")).await;
    assert_eq!(st, S::OK);
    let results = checked_get(&doc, &mut public, &format!("/api/v1/public/elections/{id}/results")).await;
    assert_eq!(results["stage"], json!("certified"), "{results}");
    assert!(!results["results"]["checks"].as_array().unwrap().is_empty(), "{results}");
    checked_get(&doc, &mut p.committee, &format!("/api/v1/elections/{id}/handover")).await;
    let record = checked_get(&doc, &mut public, &format!("/api/v1/elections/{id}/record")).await;
    assert!(!record["boxes"].as_array().unwrap().is_empty() && !record["results"].as_array().unwrap().is_empty());
}
both!(typed_bodies_match_the_document);
