//! Liveness, readiness and the SDL.

use actix_web::{HttpResponse, web};
use migration::{Migrator, MigratorTrait};
use serde_json::json;

use crate::startup::AppState;

/// The process is up.
pub async fn livez() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "status": "alive" }))
}

/// Ready to serve: the database answers and every migration is applied.
pub async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = &state.services.db;
    if let Err(e) = db.ping().await {
        tracing::warn!(error = %e, "readiness: database unreachable");
        return HttpResponse::ServiceUnavailable()
            .json(json!({ "status": "unavailable", "reason": "database unreachable" }));
    }
    match Migrator::get_pending_migrations(db.pool()).await {
        Ok(pending) if pending.is_empty() => HttpResponse::Ok().json(json!({ "status": "ready" })),
        Ok(pending) => HttpResponse::ServiceUnavailable().json(json!({
            "status": "unavailable",
            "reason": format!("{} migration(s) not applied", pending.len()),
        })),
        Err(e) => {
            tracing::warn!(error = %e, "readiness: cannot read migrations");
            HttpResponse::ServiceUnavailable()
                .json(json!({ "status": "unavailable", "reason": "migrations unknown" }))
        }
    }
}

/// The schema in SDL; hidden with introspection.
pub async fn schema_sdl(state: web::Data<AppState>) -> HttpResponse {
    if !state.services.config.introspection {
        return HttpResponse::NotFound().finish();
    }
    HttpResponse::Ok()
        .content_type("text/plain; charset=utf-8")
        .body(state.sdl.to_string())
}
