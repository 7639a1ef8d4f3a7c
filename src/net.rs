//! A tiny HTTP/1.1 client for the observer and witness commands (`huanjie verify URL`,
//! `huanjie witness`). Plain HTTP; put TLS in front with a local proxy, or download the record
//! with any browser and verify the file. Also the one URL-encoding helper the pages and the
//! authenticator links share.

use axum::body::Body;
use http_body_util::BodyExt;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// `s` percent-encoded as one query value (`a b&c` → `a+b%26c`).
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|v| v.trim_start_matches('=').to_string()).unwrap_or_default()
}

pub struct Http {
    client: Client<HttpConnector, Body>,
}

impl Default for Http {
    fn default() -> Self {
        Http { client: Client::builder(TokioExecutor::new()).build_http() }
    }
}

impl Http {
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let req = axum::http::Request::get(url).body(Body::empty()).map_err(|e| format!("{url}: {e}"))?;
        self.send(url, req).await
    }

    pub async fn post(&self, url: &str, body: String) -> Result<Vec<u8>, String> {
        let req = axum::http::Request::post(url)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Body::from(body))
            .map_err(|e| format!("{url}: {e}"))?;
        self.send(url, req).await
    }

    /// POSTs JSON with an `Authorization: Bearer` token; returns the status and body whatever
    /// the status (the cast API's 201/409/403 are all answers).
    pub async fn post_json(&self, url: &str, bearer: &str, body: String) -> Result<(u16, Vec<u8>), String> {
        let req = axum::http::Request::post(url)
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {bearer}"))
            .body(Body::from(body))
            .map_err(|e| format!("{url}: {e}"))?;
        let resp = self.client.request(req).await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.map_err(|e| format!("{url}: {e}"))?.to_bytes().to_vec();
        Ok((status, body))
    }

    async fn send(&self, url: &str, req: axum::http::Request<Body>) -> Result<Vec<u8>, String> {
        if !url.starts_with("http://") {
            return Err(format!("{url}: only http:// URLs are fetched directly; download the file and pass its path"));
        }
        let resp = self.client.request(req).await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status();
        let body = resp.into_body().collect().await.map_err(|e| format!("{url}: {e}"))?.to_bytes().to_vec();
        if !status.is_success() {
            return Err(format!(
                "{url}: HTTP {status}: {}",
                String::from_utf8_lossy(&body).chars().take(300).collect::<String>()
            ));
        }
        Ok(body)
    }
}
