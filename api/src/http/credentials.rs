//! `GET /credentials/{id}`: a certification's Open Badges 3.0 credential, public so that a
//! verifier can check it (and its current status) without an account. It names no person.

use actix_web::{HttpResponse, web};
use serde_json::json;
use uuid::Uuid;

use crate::{domain::training::badge, startup::AppState};

pub async fn credential(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let not_found = || HttpResponse::NotFound().json(json!({ "error": "no such credential" }));
    let Ok(id) = Uuid::parse_str(path.as_str()) else {
        return not_found();
    };
    let services = &state.services;
    match badge::load_credential(&services.db, id, &services.config.public_url).await {
        Ok(Some(credential)) => HttpResponse::Ok()
            .content_type("application/ld+json")
            .insert_header(("Cache-Control", "no-store"))
            .body(credential.to_string()),
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!(error = %e.describe(), "credential lookup failed");
            HttpResponse::ServiceUnavailable().json(json!({ "error": "try again shortly" }))
        }
    }
}
