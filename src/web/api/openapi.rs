//! The OpenAPI 3.1 document, generated from the router itself: every API route is added through
//! [`Api`], which registers the handler and its [`Op`] (summary, who may call it, the request
//! body and query types the handler deserializes, the success status, the error codes) in one
//! call, so a route cannot exist without its entry. Schemas come from `utoipa::ToSchema` /
//! `IntoParams` derived on those same Rust types. `tests/it/api_contract.rs` checks both ways.

use axum::Router;
use axum::handler::Handler;
use axum::routing::{MethodFilter, MethodRouter, on};
use serde_json::{Map, Value, json};
use utoipa::openapi::path::ParameterIn;

use crate::web::AppState;

/// Who may call an operation, and how it proves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Auth {
    /// Anyone (public pages, the record, receipts).
    Public,
    /// A signed-in staff member (the `hj_session` cookie).
    Staff,
    /// A staff member changing state: the cookie and `X-CSRF-Token`.
    StaffWrite,
    /// A voter: `Authorization: Bearer <voting code>`.
    Voter,
    /// A booth tablet: `X-Booth-Token`.
    Booth,
    /// A trustee of the key ceremony: `Authorization: Bearer <trustee token>` (issue 18).
    Trustee,
}

type SchemaFn = fn() -> (Value, Vec<(String, Value)>);

/// One operation's entry in the document.
#[derive(Clone)]
pub struct Op {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub auth: Auth,
    body: Option<SchemaFn>,
    raw_body: Option<&'static str>,
    query: Option<fn() -> Vec<Value>>,
    ok: u16,
    ok_type: &'static str,
    /// The success body's type (`Op::ok_body`); without it the document says "a JSON object".
    ok_body: Option<SchemaFn>,
    /// Error codes beyond those every operation of its kind can answer.
    extra: &'static [&'static str],
    example: Option<fn() -> Value>,
    redirect: bool,
    nullable: bool,
}

fn schema_of<T: utoipa::ToSchema>() -> (Value, Vec<(String, Value)>) {
    let mut deps = Vec::new();
    T::schemas(&mut deps);
    let json = |s| {
        let mut v = serde_json::to_value(s).unwrap_or(Value::Null);
        tuples_as_plain_arrays(&mut v);
        v
    };
    let deps = deps.into_iter().map(|(n, s)| (n, json(s))).collect();
    (json(T::schema()), deps)
}

/// utoipa 5 writes a tuple (`(String, bool, i64)`) as `"prefixItems": [schemas], "items": false`,
/// valid OpenAPI 3.1, but schemathesis 4 rewrites `prefixItems` into the older `items: [..]`
/// form and then refuses its own rewrite as an invalid schema. So a tuple is documented as an
/// array of exactly that many items, each one of the tuple's types (which position holds which
/// type is not said).
fn tuples_as_plain_arrays(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(list)) = map.remove("prefixItems") {
                let n = list.len();
                let mut kinds: Vec<Value> = Vec::new();
                for s in list {
                    if !kinds.contains(&s) {
                        kinds.push(s);
                    }
                }
                let items = if kinds.len() == 1 { kinds.remove(0) } else { serde_json::json!({"anyOf": kinds}) };
                map.insert("items".into(), items);
                map.insert("minItems".into(), n.into());
                map.insert("maxItems".into(), n.into());
            }
            map.values_mut().for_each(tuples_as_plain_arrays);
        }
        Value::Array(list) => list.iter_mut().for_each(tuples_as_plain_arrays),
        _ => {}
    }
}

fn params_of<Q: utoipa::IntoParams>() -> Vec<Value> {
    Q::into_params(|| Some(ParameterIn::Query)).into_iter().filter_map(|p| serde_json::to_value(p).ok()).collect()
}

impl Op {
    fn new(summary: &'static str, auth: Auth) -> Self {
        Op {
            method: "",
            path: "",
            summary,
            auth,
            body: None,
            raw_body: None,
            query: None,
            ok: 200,
            ok_type: "application/json",
            ok_body: None,
            extra: &[],
            example: None,
            redirect: false,
            nullable: false,
        }
    }
    pub fn public(summary: &'static str) -> Self {
        Op::new(summary, Auth::Public)
    }
    pub fn staff(summary: &'static str) -> Self {
        Op::new(summary, Auth::Staff)
    }
    pub fn write(summary: &'static str) -> Self {
        Op::new(summary, Auth::StaffWrite)
    }
    pub fn voter(summary: &'static str) -> Self {
        Op::new(summary, Auth::Voter)
    }
    pub fn booth(summary: &'static str) -> Self {
        Op::new(summary, Auth::Booth)
    }
    pub fn trustee(summary: &'static str) -> Self {
        Op::new(summary, Auth::Trustee)
    }
    /// The JSON body is `T`, the type the handler deserializes.
    pub fn body<T: utoipa::ToSchema>(mut self) -> Self {
        self.body = Some(schema_of::<T>);
        self
    }
    /// The body is a file of this media type (the register upload).
    pub fn raw_body(mut self, media: &'static str) -> Self {
        self.raw_body = Some(media);
        self
    }
    /// The query string is `Q`, the type the handler deserializes.
    pub fn query<Q: utoipa::IntoParams>(mut self) -> Self {
        self.query = Some(params_of::<Q>);
        self
    }
    /// The success body is `T`, the type the handler serializes (its schema and the schemas it
    /// refers to join `components`, as the request bodies' do).
    pub fn ok_body<T: utoipa::ToSchema>(mut self) -> Self {
        self.ok_body = Some(schema_of::<T>);
        self
    }
    /// Whether the success body is typed (`ok_body`) rather than "a JSON object".
    pub fn is_typed(&self) -> bool {
        self.ok_body.is_some() || self.ok_type == "text/plain"
    }
    pub fn created(mut self) -> Self {
        self.ok = 201;
        self
    }
    /// The success body is text (the log's signed notes).
    pub fn text(mut self) -> Self {
        self.ok_type = "text/plain";
        self
    }
    /// Error codes this operation answers beyond its kind's (see [`errors`]).
    pub fn also(mut self, codes: &'static [&'static str]) -> Self {
        self.extra = codes;
        self
    }
    /// Some ids answer 308 with `Location` (an old URL of a record).
    pub fn redirects(mut self) -> Self {
        self.redirect = true;
        self
    }
    /// The success body is `null` when there is nothing yet (turnout before the polls open).
    pub fn nullable(mut self) -> Self {
        self.nullable = true;
        self
    }
    /// A request body example, from the demo.
    pub fn example(mut self, f: fn() -> Value) -> Self {
        self.example = Some(f);
        self
    }
}

/// The API router and its document, built together.
pub struct Api {
    router: Router<AppState>,
    ops: Vec<Op>,
}

impl Default for Api {
    fn default() -> Self {
        Api { router: Router::new(), ops: Vec::new() }
    }
}

fn filter(method: &str) -> MethodFilter {
    match method {
        "post" => MethodFilter::POST,
        "put" => MethodFilter::PUT,
        "delete" => MethodFilter::DELETE,
        _ => MethodFilter::GET,
    }
}

impl Api {
    pub fn new() -> Self {
        Api::default()
    }
    /// Registers `method path` with its service and its entry.
    pub fn route_service(
        mut self,
        method: &'static str,
        path: &'static str,
        mr: MethodRouter<AppState>,
        op: Op,
    ) -> Self {
        self.router = self.router.route(path, mr);
        self.ops.push(Op { method, path, ..op });
        self
    }
    fn at<H: Handler<T, AppState>, T: 'static>(self, method: &'static str, path: &'static str, h: H, op: Op) -> Self {
        self.route_service(method, path, on(filter(method), h), op)
    }
    pub fn get<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H, op: Op) -> Self {
        self.at("get", path, h, op)
    }
    pub fn post<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H, op: Op) -> Self {
        self.at("post", path, h, op)
    }
    pub fn put<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H, op: Op) -> Self {
        self.at("put", path, h, op)
    }
    pub fn delete<H: Handler<T, AppState>, T: 'static>(self, path: &'static str, h: H, op: Op) -> Self {
        self.at("delete", path, h, op)
    }
    pub fn merge(mut self, other: Api) -> Self {
        self.router = self.router.merge(other.router);
        self.ops.extend(other.ops);
        self
    }
    pub fn into_parts(self) -> (Router<AppState>, Vec<Op>) {
        (self.router, self.ops)
    }
}

/// Every error code an operation of this kind can answer, by HTTP status. Codes are those of
/// `web::error::ApiError` (`invalid`, `refused_by_law` …) plus `csrf` (the token check) and
/// `no_route`.
pub fn errors(op: &Op) -> Vec<(u16, Vec<&'static str>)> {
    let mut out: Vec<(u16, Vec<&'static str>)> = Vec::new();
    let mut add = |status: u16, code: &'static str| match out.iter_mut().find(|(s, _)| *s == status) {
        Some((_, codes)) if !codes.contains(&code) => codes.push(code),
        Some(_) => {}
        None => out.push((status, vec![code])),
    };
    // A malformed path id or query answers 400 (web::localize_rejections); an unknown id 404.
    add(400, "invalid");
    add(404, "not_found");
    add(404, "no_route");
    match op.auth {
        Auth::Public => {}
        Auth::Staff | Auth::StaffWrite => {
            add(401, "unauthenticated");
            add(403, "forbidden");
        }
        Auth::Voter | Auth::Booth | Auth::Trustee => add(401, "unauthenticated"),
    }
    if op.auth == Auth::StaffWrite {
        add(403, "csrf");
    }
    if op.query.is_some() {
        // A query the handler could read but the service refuses (an unknown station).
        add(422, "invalid");
    }
    if op.method != "get" {
        for (s, c) in [(403, "refused"), (409, "conflict"), (422, "invalid"), (422, "refused_by_law")] {
            add(s, c);
        }
        add(413, "invalid");
    }
    for code in op.extra {
        let status = match *code {
            "bad_credentials" | "unauthenticated" => 401,
            "throttled" | "rate_limited" => 429,
            "conflict" => 409,
            "refused_by_law" | "invalid" => 422,
            "not_found" => 404,
            _ => 403,
        };
        add(status, code);
    }
    out.sort_by_key(|(s, _)| *s);
    out
}

fn error_schema() -> Value {
    json!({
        "type": "object",
        "required": ["error", "message"],
        "properties": {
            "error": {"type": "string", "description": "A stable code: the list per response is in its description"},
            "message": {"type": "string", "description": "What happened and what to do, in the caller's language (Accept-Language or the lang cookie)"},
            "fields": {"type": "array", "items": {
                "type": "object",
                "properties": {
                    "field": {"type": ["string", "null"], "description": "The field's name, or for a bad JSON body the path of the bad field (stations[0].name)"},
                    "key": {"type": "string", "description": "The message key (src/i18n/messages.rs)"},
                    "expected": {"type": "string", "description": "For a bad JSON body: the JSON type the field must have"}
                }
            }},
            "key": {"type": "string"},
            "code": {"type": "string", "description": "refused_by_law: the law engine's code"},
            "rule": {"type": "string", "description": "refused_by_law: the LAW.md section"}
        }
    })
}

fn path_params(path: &str) -> Vec<Value> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(|name| match name {
            "log" => json!({"name": "log", "in": "path", "required": true,
                             "description": "`system` or `election-<id>`",
                             "schema": {"type": "string", "pattern": "^(system|election-[0-9]+)$"}}),
            // The demo's ids (its two communities and elections) as examples, so a contract
            // run reaches real records and not only 404s.
            other => json!({"name": other, "in": "path", "required": true,
                            "schema": {"type": "integer", "format": "int64", "examples": [1, 2]}}),
        })
        .collect()
}

/// The document of `ops`.
pub fn document(ops: &[Op]) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert("Error".into(), error_schema());
    for op in ops {
        let mut params = path_params(op.path);
        if let Some(q) = op.query {
            params.extend(q());
        }
        let mut responses = Map::new();
        let ok_body = if op.ok_type == "text/plain" {
            json!({"text/plain": {"schema": {"type": "string"}}})
        } else if let Some(b) = op.ok_body {
            let (schema, deps) = b();
            for (name, s) in deps {
                schemas.insert(name, s);
            }
            let schema = if op.nullable { json!({"oneOf": [schema, {"type": "null"}]}) } else { schema };
            json!({"application/json": {"schema": schema}})
        } else {
            let ty = if op.nullable { json!(["object", "null"]) } else { json!("object") };
            json!({"application/json": {"schema": {"type": ty}}})
        };
        responses.insert(op.ok.to_string(), json!({"description": "Done", "content": ok_body}));
        if op.redirect {
            responses.insert("308".into(), json!({"description": "Moved: see the Location header"}));
        }
        for (status, codes) in errors(op) {
            let list = codes.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ");
            responses.insert(
                status.to_string(),
                json!({"description": format!("error: {list}"),
                       "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}),
            );
        }
        let security = match op.auth {
            Auth::Public => json!([]),
            Auth::Staff => json!([{"staff_session": []}]),
            Auth::StaffWrite => json!([{"staff_session": [], "csrf_token": []}]),
            Auth::Voter => json!([{"voting_code": []}]),
            Auth::Booth => json!([{"booth_token": []}]),
            Auth::Trustee => json!([{"trustee_token": []}]),
        };
        let mut entry = json!({
            "summary": op.summary,
            "operationId": format!("{}{}", op.method, op.path.replace(['/', '{', '}', '-'], "_")),
            "parameters": params,
            "responses": responses,
            "security": security,
        });
        if let Some(b) = op.body {
            let (schema, deps) = b();
            for (name, s) in deps {
                schemas.insert(name, s);
            }
            let mut media = json!({"schema": schema});
            if let Some(ex) = op.example {
                media["example"] = ex();
            }
            entry["requestBody"] = json!({"required": true, "content": {"application/json": media}});
        } else if let Some(m) = op.raw_body {
            entry["requestBody"] =
                json!({"required": true, "content": {m: {"schema": {"type": "string", "format": "binary"}}}});
        }
        let item = paths.entry(op.path.to_string()).or_insert_with(|| json!({}));
        item[op.method] = entry;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Huanjie API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Residents' committee re-elections (居民委员会换届选举). Errors are {error, message, fields} in the caller's language (Accept-Language). Browse it at /api/docs."},
        "servers": [{"url": "/api/v1"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {
                "staff_session": {"type": "apiKey", "in": "cookie", "name": "hj_session",
                                  "description": "POST /session sets it"},
                "csrf_token": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token",
                               "description": "The csrf_token that POST /session and GET /me return"},
                "voting_code": {"type": "http", "scheme": "bearer",
                                "description": "The voter's voting code"},
                "booth_token": {"type": "apiKey", "in": "header", "name": "X-Booth-Token",
                                "description": "The token a booth tablet got when it was set up"},
                "trustee_token": {"type": "http", "scheme": "bearer",
                                  "description": "A trustee's token, shown once when the committee opens the key ceremony"}
            }
        },
        "paths": paths,
    })
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    /// Every `items` of the document is a schema (a tuple too, `tuples_as_plain_arrays`), as OpenAPI 3.1
    /// requires; every `$ref` names a schema the document holds.
    fn walk(v: &Value, doc: &Value, at: &str) {
        match v {
            Value::Object(map) => {
                if let Some(items) = map.get("items") {
                    assert!(items.is_object() || items.is_boolean(), "{at}.items: {items}");
                }
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    let name = r.strip_prefix("#/components/schemas/").unwrap_or(r);
                    assert!(doc["components"]["schemas"].get(name).is_some(), "{at}: {r} undefined");
                }
                for (k, x) in map {
                    walk(x, doc, &format!("{at}.{k}"));
                }
            }
            Value::Array(list) => list.iter().enumerate().for_each(|(i, x)| walk(x, doc, &format!("{at}[{i}]"))),
            _ => {}
        }
    }

    #[test]
    fn the_document_is_valid_openapi_3_1_schema_wise() {
        let doc = crate::web::api::document();
        walk(&doc, &doc, "$");
        // Two Rust types of one name would overwrite each other's component schema.
        let mut seen = std::collections::BTreeMap::new();
        for op in crate::web::api::api().into_parts().1 {
            for f in [op.body, op.ok_body].into_iter().flatten() {
                for (name, schema) in f().1 {
                    let first = seen.entry(name.clone()).or_insert_with(|| schema.clone());
                    assert_eq!(*first, schema, "two schemas named {name}");
                }
            }
        }
        // The turnout's tuples: arrays of three, no `prefixItems` (`tuples_as_plain_arrays`).
        let turnout =
            &doc["paths"]["/elections/{id}/turnout"]["get"]["responses"]["200"]["content"]["application/json"];
        let text = turnout.to_string();
        assert!(
            !text.contains("prefixItems") && text.contains("\"maxItems\":3") && text.contains("issued_total"),
            "{text}"
        );
    }
}

#[cfg(test)]
mod readme_tests {
    /// README's API section names every operation whose success body is still only "a JSON
    /// object" (`METHOD /path`), so what it says is not typed stays true.
    #[test]
    fn readme_names_every_untyped_operation() {
        let readme = include_str!("../../../README.md");
        let start = readme.find("\n## API\n").unwrap_or(0);
        let section = &readme[start..];
        let section = &section[..section[1..].find("\n## ").map_or(section.len(), |i| i + 1)];
        let (_, ops) = crate::web::api::api().into_parts();
        let untyped: Vec<String> = ops
            .iter()
            .filter(|op| !op.is_typed())
            .map(|op| format!("`{} {}`", op.method.to_uppercase(), op.path))
            .collect();
        let missing: Vec<&String> = untyped.iter().filter(|o| !section.contains(o.as_str())).collect();
        assert!(missing.is_empty(), "README's API section does not name these untyped operations: {missing:?}");
        // And it names none that is typed by now.
        for op in ops.iter().filter(|op| op.is_typed()) {
            let name = format!("`{} {}`", op.method.to_uppercase(), op.path);
            let listed = section.find("Not yet typed").map(|i| &section[i..]).unwrap_or("");
            let listed = &listed[..listed.find("\n- ").unwrap_or(listed.len())];
            assert!(!listed.contains(&name), "README lists {name} as untyped");
        }
    }
}
