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
    /// GETs `url`, following up to three redirects (the old record URL answers 308).
    pub async fn get(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut url = url.to_string();
        for _ in 0..4 {
            if !url.starts_with("http://") {
                return Err(format!(
                    "{url}: only http:// URLs are fetched directly; download the file and pass its path"
                ));
            }
            let (status, location, body) = self.get_status(&url).await?;
            match location {
                Some(to) if (300..400).contains(&status) => url = absolute(&url, &to),
                _ if (200..300).contains(&status) => return Ok(body),
                _ => {
                    return Err(format!(
                        "{url}: HTTP {status}: {}",
                        String::from_utf8_lossy(&body).chars().take(300).collect::<String>()
                    ));
                }
            }
        }
        Err(format!("{url}: too many redirects"))
    }

    pub async fn post(&self, url: &str, body: String) -> Result<Vec<u8>, String> {
        let req = axum::http::Request::post(url)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Body::from(body))
            .map_err(|e| format!("{url}: {e}"))?;
        self.send(url, req).await
    }

    /// POSTs text and returns the status and body whatever the status (a witness's 409 carries
    /// its size).
    pub async fn post_status(&self, url: &str, body: String) -> Result<(u16, Vec<u8>), String> {
        let req = axum::http::Request::post(url)
            .header("content-type", "text/plain; charset=utf-8")
            .body(Body::from(body))
            .map_err(|e| format!("{url}: {e}"))?;
        let resp = self.client.request(req).await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await.map_err(|e| format!("{url}: {e}"))?.to_bytes().to_vec();
        Ok((status, body))
    }

    /// GETs and returns the status, the `Location` header and the body (a redirect is an answer).
    pub async fn get_status(&self, url: &str) -> Result<(u16, Option<String>, Vec<u8>), String> {
        let req = axum::http::Request::get(url).body(Body::empty()).map_err(|e| format!("{url}: {e}"))?;
        let resp = self.client.request(req).await.map_err(|e| format!("{url}: {e}"))?;
        let status = resp.status().as_u16();
        let location = resp.headers().get("location").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = resp.into_body().collect().await.map_err(|e| format!("{url}: {e}"))?.to_bytes().to_vec();
        Ok((status, location, body))
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

/// `to` (a Location header) resolved against `from`: absolute URLs as they are, `/path` on
/// `from`'s scheme and host.
fn absolute(from: &str, to: &str) -> String {
    if to.contains("://") {
        return to.to_string();
    }
    let host_end = from.find("://").map(|i| i + 3).and_then(|i| from[i..].find('/').map(|j| i + j));
    match host_end {
        Some(end) => format!("{}{to}", &from[..end]),
        None => format!("{}{to}", from.trim_end_matches('/')),
    }
}
