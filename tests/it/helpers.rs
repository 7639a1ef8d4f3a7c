//! Test harness: a fresh app per test on SQLite (temp file) or PostgreSQL (fresh database),
//! and a client with a cookie jar and one method per kind of request.

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use huanjie::audit::Actor;
use huanjie::domain::{Role, Scope, ScopeKind};
use huanjie::service::{accounts, registry, signin, totp};
use huanjie::store::users::Grant;
use huanjie::web::{AppState, build_app};
use huanjie::{Config, Secrets};
use serde_json::Value;
use tower::ServiceExt;

pub const PG_ENV: &str = "HUANJIE_TEST_DATABASE_URL";
pub const PASSWORD: &str = "correct horse battery";

/// Runs a test body on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! both {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name($crate::helpers::TestApp::sqlite().await).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                match $crate::helpers::TestApp::postgres().await {
                    Some(app) => super::$name(app).await,
                    None => eprintln!(
                        "SKIPPED {}::postgres: set {} to a PostgreSQL URL to run it",
                        stringify!($name),
                        $crate::helpers::PG_ENV
                    ),
                }
            }
        }
    };
}

pub struct TestApp {
    pub router: Router,
    pub state: AppState,
    /// The app's own witness (issue 15 item 4): every checkpoint is handed to it.
    pub witness: TestWitness,
    _dir: Option<TempDir>,
}

/// A witness for one test app: the same code as `huanjie witness --listen` (its router, its
/// own key and state directory), served in-process on a port of its own, so the server hands
/// it each checkpoint over HTTP and `huanjie verify` (a child process) can ask it.
pub struct TestWitness {
    /// The witness's verifier key, to pass as `--witness`.
    pub key: String,
    /// Its base URL (`HUANJIE_WITNESS_URLS`, `--witness-url`).
    pub url: String,
    _dir: TempDir,
    w: std::sync::Arc<huanjie::witness::Witness>,
    log_key: huanjie::audit::NoteVerifier,
    task: tokio::task::JoinHandle<Result<(), String>>,
}

impl Drop for TestWitness {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl TestWitness {
    /// Starts a witness for the log key of `secrets` (under the configured log name).
    pub async fn start(cfg: &Config, secrets: &Secrets) -> TestWitness {
        let log = huanjie::service::audit::LogIdentity::new(&cfg.log_name, &secrets.log_key, &[]).unwrap();
        let log_key = huanjie::audit::NoteVerifier::parse(&log.verifier_key()).unwrap();
        let dir = temp_dir();
        let w = huanjie::witness::Witness::open(&dir.0, "witness.test").unwrap();
        let key = w.verifier_key();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let w = std::sync::Arc::new(w);
        let task = tokio::spawn(huanjie::witness::serve(w.clone(), log_key.clone(), listener));
        TestWitness { key, url, _dir: dir, w, log_key, task }
    }

    /// The witness goes down (its port refuses connections).
    pub fn stop(&mut self) {
        self.task.abort();
    }

    /// The witness comes back on the same address with the same key and state.
    pub async fn restart(&mut self, url: &str) {
        let listener = tokio::net::TcpListener::bind(url.trim_start_matches("http://")).await.unwrap();
        self.task = tokio::spawn(huanjie::witness::serve(self.w.clone(), self.log_key.clone(), listener));
    }

    /// Configures `cfg` to trust this witness and hand it every checkpoint.
    pub fn configure(&self, cfg: &mut Config) {
        cfg.witness_keys = vec![self.key.clone()];
        cfg.witness_urls = vec![self.url.clone()];
    }
}

/// Runs `huanjie verify` on `args` off the runtime's threads (the test's witness answers it
/// meanwhile); returns (exit code, stdout).
pub async fn huanjie_verify(args: Vec<String>) -> (Option<i32>, String) {
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_huanjie")).arg("verify").args(&args).output().unwrap()
    })
    .await
    .unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

pub struct TempDir(pub std::path::PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn temp_dir() -> TempDir {
    let d = std::env::temp_dir().join(format!("huanjie-test-{}", hex::encode(rand::random::<[u8; 8]>())));
    std::fs::create_dir_all(&d).unwrap();
    TempDir(d)
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        TestApp::sqlite_with(|_| {}).await
    }

    /// A SQLite app with its configuration changed first (public URL, trusted proxies).
    pub async fn sqlite_with(change: impl FnOnce(&mut Config)) -> TestApp {
        let dir = temp_dir();
        let mut cfg = Config::new(None, "127.0.0.1:0".parse().unwrap(), dir.0.clone());
        let secrets = Secrets::random();
        let witness = TestWitness::start(&cfg, &secrets).await;
        witness.configure(&mut cfg);
        change(&mut cfg);
        let (router, state) = build_app(cfg, secrets).await.unwrap();
        TestApp { router, state, witness, _dir: Some(dir) }
    }

    /// A rehearsal deployment (`huanjie rehearse`) on SQLite: its log name is marked before its
    /// witness starts, so the witness cosigns the marked log.
    pub async fn sqlite_rehearsal() -> TestApp {
        let dir = temp_dir();
        let mut cfg = Config::new(None, "127.0.0.1:0".parse().unwrap(), dir.0.clone());
        cfg.set_rehearsal();
        let secrets = Secrets::random();
        let witness = TestWitness::start(&cfg, &secrets).await;
        witness.configure(&mut cfg);
        let (router, state) = build_app(cfg, secrets).await.unwrap();
        TestApp { router, state, witness, _dir: Some(dir) }
    }

    /// A fresh database on the server named by `HUANJIE_TEST_DATABASE_URL`, or None.
    pub async fn postgres() -> Option<TestApp> {
        TestApp::postgres_as(false).await
    }

    /// [`TestApp::postgres`] as a rehearsal deployment.
    pub async fn postgres_rehearsal() -> Option<TestApp> {
        TestApp::postgres_as(true).await
    }

    async fn postgres_as(rehearsal: bool) -> Option<TestApp> {
        let url = std::env::var(PG_ENV).ok().filter(|u| !u.is_empty())?;
        let name = format!("huanjie_t_{}", hex::encode(rand::random::<[u8; 6]>()));
        let admin = sqlx::PgPool::connect(&url).await.expect("cannot reach the PostgreSQL test server");
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
        admin.close().await;
        let base = match url.rfind('/') {
            Some(i) if url[..i].contains("://") && i > url.find("://").unwrap() + 2 => url[..i].to_string(),
            _ => url.clone(),
        };
        let db_url = format!("{base}/{name}");
        let dir = temp_dir();
        let mut cfg = Config::new(Some(db_url), "127.0.0.1:0".parse().unwrap(), dir.0.clone());
        if rehearsal {
            cfg.set_rehearsal();
        }
        let secrets = Secrets::random();
        let witness = TestWitness::start(&cfg, &secrets).await;
        witness.configure(&mut cfg);
        let (router, state) = build_app(cfg, secrets).await.unwrap();
        Some(TestApp { router, state, witness, _dir: Some(dir) })
    }

    /// `huanjie verify` arguments pinning this app's log key and witness key.
    pub fn verify_args(&self, record: &std::path::Path) -> Vec<String> {
        vec![
            record.display().to_string(),
            "--log-key".into(),
            self.state.log.verifier_key(),
            "--witness".into(),
            self.witness.key.clone(),
        ]
    }

    pub fn store(&self) -> &huanjie::store::Store {
        &self.state.store
    }

    pub fn client(&self) -> Client {
        Client {
            router: self.router.clone(),
            cookie: None,
            others: Default::default(),
            csrf: String::new(),
            lang: "zh-CN",
            peer: None,
        }
    }

    pub async fn street(&self, code: &str) -> i64 {
        registry::create_street_office(self.store(), &Actor::system("test"), code, &format!("{code}街道"))
            .await
            .unwrap()
    }

    pub async fn community(&self, street: i64, code: &str) -> i64 {
        registry::create_community_as(self.store(), &Actor::system("test"), street, code, &format!("{code}社区"))
            .await
            .unwrap()
    }

    /// Creates an account with the test password; a street admin is enrolled in two-step
    /// verification at once (see [`TestApp::totp_code`]).
    pub async fn user(&self, username: &str, role: Role, kind: ScopeKind, id: i64) -> i64 {
        let uid = accounts::create_user(
            self.store(),
            None,
            username,
            username,
            PASSWORD,
            &[Grant { role, scope: Scope { kind, id } }],
        )
        .await
        .unwrap();
        if role == Role::StreetAdmin {
            signin::enrol_directly(self.store(), &self.state.secrets.session_key, uid).await.unwrap();
        }
        uid
    }

    /// Signs in through the API (with a TOTP code for accounts that need one) and returns a
    /// client holding the session.
    pub async fn login(&self, username: &str) -> Client {
        let mut c = self.client();
        let mut body = serde_json::json!({"username": username, "password": PASSWORD});
        if let Some(code) = self.totp_code(username).await {
            body["code"] = code.into();
        }
        let (st, body) = c.api_post("/api/v1/session", &body).await;
        assert_eq!(st, StatusCode::OK, "login {username}: {body}");
        c.csrf = body["csrf_token"].as_str().unwrap().to_string();
        c
    }

    /// A current TOTP code for the account: street admins are enrolled on first use (through
    /// the library, as `huanjie demo` does). None for accounts without two-step verification.
    /// Tests sign in many times within one 30-second step, and a code is accepted only once,
    /// so this forgets the last accepted step first (only a test may do that).
    pub async fn totp_code(&self, username: &str) -> Option<String> {
        let key = &self.state.secrets.session_key;
        let u = huanjie::store::users::by_username(self.store(), username).await.unwrap()?;
        let secret = match signin::confirmed_secret(self.store(), key, u.id).await.unwrap() {
            Some(s) => s,
            None => {
                let grants = huanjie::store::users::grants(self.store(), u.id).await.unwrap();
                if !signin::totp_required(&grants) {
                    return None;
                }
                signin::enrol_directly(self.store(), key, u.id).await.unwrap()
            }
        };
        self.exec(&format!("UPDATE staff_totp SET last_step = 0 WHERE user_id = {}", u.id)).await;
        Some(totp::code_at(&secret, huanjie::store::now_ms()))
    }

    /// Signs in through the HTML forms: the password, then the code page when the account has
    /// one. The client holds the session and its CSRF token.
    pub async fn html_login(&self, username: &str) -> Client {
        let mut c = self.client();
        self.html_login_as(&mut c, username).await;
        c
    }

    /// [`TestApp::html_login`] in a client that may already hold a session.
    pub async fn html_login_as(&self, c: &mut Client, username: &str) {
        let body =
            serde_urlencoded::to_string([("username", username), ("password", PASSWORD), ("next", "/staff")]).unwrap();
        let code = self.totp_code(username).await;
        let r = c.form_raw("/login", &body).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        if let Some(code) = code {
            let page = c.get(&r.location()).await.text();
            let csrf = page
                .split("name=\"csrf\" value=\"")
                .nth(1)
                .unwrap_or_else(|| panic!("{page}"))
                .split('"')
                .next()
                .unwrap()
                .to_string();
            let r = c
                .form_raw("/login/code", &serde_urlencoded::to_string([("code", code), ("csrf", csrf)]).unwrap())
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.text());
        }
        let (_, me) = c.api_get("/api/v1/me").await;
        c.csrf = me["csrf_token"].as_str().unwrap().to_string();
    }

    pub async fn exec(&self, sql: &str) {
        match self.store() {
            huanjie::store::Store::Sqlite(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
            huanjie::store::Store::Postgres(p) => sqlx::query(sql).execute(p).await.map(|_| ()).unwrap(),
        }
    }

    pub async fn count(&self, sql: &str) -> i64 {
        match self.store() {
            huanjie::store::Store::Sqlite(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
            huanjie::store::Store::Postgres(p) => sqlx::query_scalar(sql).fetch_one(p).await.unwrap(),
        }
    }
}

pub struct Client {
    router: Router,
    pub cookie: Option<String>,
    /// Cookies other than the staff session (the voter's, a booth's).
    pub others: std::collections::BTreeMap<String, String>,
    pub csrf: String,
    pub lang: &'static str,
    /// The TCP peer the request comes from (none: like a test without connect info).
    pub peer: Option<std::net::SocketAddr>,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
    pub fn location(&self) -> String {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("").to_string()
    }
}

/// A valid ID number for a birth date and sequence (odd = male).
pub fn id_number(birth: &str, seq: u32) -> String {
    let first17 = format!("110105{}{:03}", birth.replace('-', ""), seq);
    let c = huanjie::domain::IdCardNumber::check_char(first17.as_bytes()).unwrap() as char;
    format!("{first17}{c}")
}

impl Client {
    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        let mut jar: Vec<String> = self.cookie.iter().cloned().collect();
        jar.extend(self.others.iter().map(|(k, v)| format!("{k}={v}")));
        if !jar.is_empty() {
            req.headers_mut().insert(header::COOKIE, jar.join("; ").parse().unwrap());
        }
        req.headers_mut().insert(header::ACCEPT_LANGUAGE, self.lang.parse().unwrap());
        if let Some(p) = self.peer {
            req.extensions_mut().insert(axum::extract::ConnectInfo(p));
        }
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        for v in headers.get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap();
            if let Some(rest) = s.strip_prefix("hj_session=") {
                let val = rest.split(';').next().unwrap();
                self.cookie = if val.is_empty() { None } else { Some(format!("hj_session={val}")) };
            } else if let Some((k, rest)) = s.split_once('=').filter(|(k, _)| k.starts_with("hj_")) {
                let val = rest.split(';').next().unwrap().to_string();
                if val.is_empty() {
                    self.others.remove(k);
                } else {
                    self.others.insert(k.to_string(), val);
                }
            }
        }
        let body = resp.into_body().collect().await.unwrap().to_bytes().to_vec();
        Resp { status, headers, body }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        self.send(Request::get(path).body(Body::empty()).unwrap()).await
    }

    /// A form post with this session's CSRF token added.
    pub async fn form(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let csrf = self.csrf.clone();
        all.push(("csrf", &csrf));
        self.form_raw(path, &serde_urlencoded::to_string(&all).unwrap()).await
    }

    pub async fn form_raw(&mut self, path: &str, body: &str) -> Resp {
        let req = Request::post(path)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send(req).await
    }

    pub async fn api_method(&mut self, method: &str, path: &str, body: Option<&Value>) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path).header("x-csrf-token", self.csrf.clone());
        if body.is_some() {
            req = req.header(header::CONTENT_TYPE, "application/json");
        }
        let body = body.map(|b| Body::from(b.to_string())).unwrap_or_default();
        let r = self.send(req.body(body).unwrap()).await;
        let answer = r.json();
        // Issue 17: every success answer any test gets is what the document declares.
        crate::api_contract::assert_conforms(method, path, r.status.as_u16(), &answer);
        (r.status, answer)
    }

    pub async fn api_get(&mut self, path: &str) -> (StatusCode, Value) {
        self.api_method("GET", path, None).await
    }
    pub async fn api_post(&mut self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.api_method("POST", path, Some(body)).await
    }
    pub async fn api_put(&mut self, path: &str, body: &Value) -> (StatusCode, Value) {
        self.api_method("PUT", path, Some(body)).await
    }
    pub async fn api_post_empty(&mut self, path: &str) -> (StatusCode, Value) {
        self.api_method("POST", path, None).await
    }
    pub async fn api_upload(&mut self, path: &str, bytes: Vec<u8>) -> (StatusCode, Value) {
        let req = Request::post(path)
            .header("x-csrf-token", self.csrf.clone())
            .header(header::CONTENT_TYPE, "application/octet-stream")
            .body(Body::from(bytes))
            .unwrap();
        let r = self.send(req).await;
        (r.status, r.json())
    }
}

/// A resident as JSON for the API.
pub fn resident_json(name: &str, id: &str) -> Value {
    serde_json::json!({"name": name, "id_number": id, "household_number": "0001", "address": "幸福路1号"})
}

pub use huanjie::domain::Role as R;
pub use huanjie::domain::ScopeKind as K;

impl Client {
    pub async fn api(&mut self, method: &str, path: &str) -> (StatusCode, Value) {
        self.api_method(method, path, None).await
    }
}
