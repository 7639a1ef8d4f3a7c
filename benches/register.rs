//! `cargo bench --bench register [-- N]`: registers voters for a district of N residents
//! (default 100,000, in 20 communities of 5,000) on a fresh SQLite database, through the same
//! service calls the pages use. Issue 5's goal: under 10 seconds for 100,000 residents.

use std::time::Instant;

use huanjie::audit::Actor;
use huanjie::domain::{ElectionKind, Role, Scope, ScopeKind};
use huanjie::service::elections::{PlanInput, today};
use huanjie::service::{Staff, elections, import, registry, voters};
use huanjie::store::users::Grant;
use huanjie::web::build_app;
use huanjie::{Config, Secrets};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(100_000);
    let per = 5_000.min(n);
    let dir = std::env::temp_dir().join(format!("huanjie-bench-register-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let cfg = Config::new(None, "127.0.0.1:0".parse()?, dir.clone());
    let (_router, state) = build_app(cfg, Secrets::random()).await?;
    let store = &state.store;
    let sys = Actor::system("bench");
    let street = registry::create_street_office(store, &sys, "bench", "测试街道").await?;
    let staff = Staff {
        user_id: 0,
        username: "bench".into(),
        display_name: "bench".into(),
        grants: vec![Grant { role: Role::StreetAdmin, scope: Scope { kind: ScopeKind::StreetOffice, id: street } }],
    };
    let mut elections_ = Vec::new();
    let t = Instant::now();
    for k in 0..n.div_ceil(per) {
        let c = registry::create_community_as(store, &sys, street, &format!("c{k}"), &format!("社区{k}")).await?;
        for g in 1..=8 {
            registry::create_group(store, &staff, c, g, &format!("第{g}组")).await?;
        }
        let csv = huanjie::demo::demo_csv(k as u64, per / 3 + 1);
        let b = import::preview(store, &staff, c, "bench.csv", csv.as_bytes()).await?;
        import::commit(store, &staff, b, &|_, _| {}).await?;
        let plan = PlanInput {
            method: "direct".into(),
            seats_chair: 1,
            seats_vice_chair: 1,
            seats_member: 3,
            profile: "national".into(),
            election_day: (today() + time::Duration::days(40)).to_string(),
            channels: vec!["paper".into()],
            remote_legal_basis: String::new(),
            stations: vec![],
        };
        let id = elections::open(store, &staff, c, "2026", ElectionKind::Regular, &plan).await?;
        elections::start_registration(store, &state.log, &staff, id).await?;
        elections_.push(id);
    }
    let residents: i64 = match store {
        huanjie::store::Store::Sqlite(p) => sqlx::query_scalar("SELECT COUNT(*) FROM residents").fetch_one(p).await?,
        huanjie::store::Store::Postgres(p) => sqlx::query_scalar("SELECT COUNT(*) FROM residents").fetch_one(p).await?,
    };
    println!("set-up: {} communities, {residents} residents in {:.1} s", elections_.len(), t.elapsed().as_secs_f64());
    let t = Instant::now();
    let mut registered = 0;
    for id in &elections_ {
        registered += voters::register(store, &staff, *id).await?.registered;
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "registered {registered} voters of {residents} residents in {secs:.2} s ({:.0} residents/s)",
        residents as f64 / secs
    );
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
