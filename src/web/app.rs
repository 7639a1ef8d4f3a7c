//! The application's state and assembly: what `huanjie serve`, the tests and the benches start.
//! It lives in `web/` (the top layer), so the crate root imports nothing from above it.

use std::sync::Arc;

use crate::store::Store;
use crate::{Config, Secrets, clock, secrets, service, store, web};

/// Everything a request handler needs.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub secrets: Arc<Secrets>,
    pub config: Arc<Config>,
    pub progress: web::Progress,
    pub log: service::audit::LogIdentity,
    /// The group-commit writer every browser ballot goes through (issue 8).
    pub ballots: service::cast::BallotWriter,
    /// Today's date for legal deadlines (the real date unless a rehearsal or test sets it).
    pub clock: clock::Clock,
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] store::StoreError),
    #[error(transparent)]
    Secrets(#[from] secrets::SecretError),
    #[error("log identity: {0}")]
    Log(String),
    #[error("cannot bind {0}: {1}")]
    Bind(String, std::io::Error),
}

/// Connects, migrates and builds the router.
pub async fn build_app(config: Config, secrets: Secrets) -> Result<(axum::Router, AppState), StartError> {
    let log = service::audit::LogIdentity::new(&config.log_name, &secrets.log_key, &config.witness_keys)
        .map_err(StartError::Log)?
        .with_witness_urls(&config.witness_urls);
    let store = Store::connect(&config.database_url).await?;
    store.migrate().await?;
    let clock = if config.rehearsal { clock::Clock::rehearsal() } else { clock::Clock::default() };
    let state = AppState {
        log,
        store: store.clone(),
        secrets: Arc::new(secrets),
        config: Arc::new(config),
        progress: web::Progress::default(),
        ballots: service::cast::BallotWriter::start(store.clone()),
        clock,
    };
    Ok((web::router(state.clone()), state))
}

/// Serves until Ctrl-C / SIGTERM.
pub async fn serve(router: axum::Router, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(listener, router.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
