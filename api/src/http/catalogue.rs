//! `GET /resources/{slug}.jsonld` and `GET /resources.jsonld`: the public catalogue of PUBLIC,
//! PUBLISHED resources as schema.org `LearningResource` JSON-LD (`domain::resources::catalogue`).

use actix_web::{HttpResponse, web};
use serde::Deserialize;
use serde_json::json;

use crate::{domain::resources::catalogue, error::AppError, startup::AppState};

fn failed(e: &AppError) -> HttpResponse {
    match e {
        AppError::BadInput { message, .. } => {
            HttpResponse::BadRequest().json(json!({ "error": message }))
        }
        other => {
            tracing::error!(error = %other.describe(), "catalogue read failed");
            HttpResponse::ServiceUnavailable().json(json!({ "error": "try again shortly" }))
        }
    }
}

fn json_ld(body: serde_json::Value) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("application/ld+json")
        .insert_header(("Cache-Control", "public, max-age=300"))
        .body(body.to_string())
}

pub async fn resource(state: web::Data<AppState>, path: web::Path<String>) -> HttpResponse {
    let services = &state.services;
    match catalogue::learning_resource(&services.db, path.as_str(), &services.config.public_url)
        .await
    {
        Ok(Some(doc)) => json_ld(doc),
        Ok(None) => HttpResponse::NotFound().json(json!({ "error": "no such public resource" })),
        Err(e) => failed(&e),
    }
}

#[derive(Deserialize)]
pub struct CatalogueQuery {
    first: Option<u64>,
    after: Option<String>,
}

pub async fn list(state: web::Data<AppState>, query: web::Query<CatalogueQuery>) -> HttpResponse {
    let services = &state.services;
    match catalogue::catalogue_page(
        &services.db,
        &services.config.public_url,
        query.first,
        query.after.as_deref(),
    )
    .await
    {
        Ok(doc) => json_ld(doc),
        Err(e) => failed(&e),
    }
}
