//! `GET /resources/{slug}.jsonld` and `GET /resources.jsonld`: the public catalogue of PUBLIC,
//! PUBLISHED resources as schema.org `LearningResource` JSON-LD (`domain::resources::catalogue`).

use actix_web::{HttpRequest, HttpResponse, web};
use serde_json::json;

use crate::{
    domain::{pagination::MAX_PAGE_SIZE, resources::catalogue, values::Slug},
    error::AppError,
    startup::AppState,
};

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
    let not_found = || HttpResponse::NotFound().json(json!({ "error": "no such public resource" }));
    // Only a well-formed slug can name a resource; anything else (a NUL byte, which PostgreSQL
    // refuses, or a megabyte of path) never reaches the database.
    if Slug::parse("slug", path.as_str()).is_err() {
        return not_found();
    }
    let services = &state.services;
    match catalogue::learning_resource(&services.db, path.as_str(), &services.config.public_url)
        .await
    {
        Ok(Some(doc)) => json_ld(doc),
        Ok(None) => not_found(),
        Err(e) => failed(&e),
    }
}

/// One page of the catalogue: `first` (1–100, default 20) and `after` (the cursor of a
/// `nextPage` link).
#[derive(Debug, Default, PartialEq, Eq)]
struct PageQuery {
    first: Option<u64>,
    after: Option<String>,
}

impl PageQuery {
    /// A parameter out of range, malformed, repeated or unknown is a 400 naming it, never
    /// silently replaced by a default.
    fn parse(query: &str) -> Result<Self, String> {
        let mut page = Self::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            match name.as_ref() {
                "first" if page.first.is_none() => {
                    let n = value
                        .parse::<u64>()
                        .ok()
                        .filter(|n| (1..=MAX_PAGE_SIZE as u64).contains(n))
                        .ok_or_else(|| {
                            format!("first must be a whole number from 1 to {MAX_PAGE_SIZE}")
                        })?;
                    page.first = Some(n);
                }
                "after" if page.after.is_none() => page.after = Some(value.into_owned()),
                "first" | "after" => return Err(format!("give {name} at most once")),
                _ => {
                    return Err(
                        "unknown parameter; a catalogue page takes only first and after".to_owned(),
                    );
                }
            }
        }
        Ok(page)
    }
}

pub async fn list(state: web::Data<AppState>, req: HttpRequest) -> HttpResponse {
    let query = match PageQuery::parse(req.query_string()) {
        Ok(q) => q,
        Err(message) => return HttpResponse::BadRequest().json(json!({ "error": message })),
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_parameters_are_checked_not_clamped() {
        assert_eq!(PageQuery::parse(""), Ok(PageQuery::default()));
        let page = PageQuery::parse("first=5&after=abc").expect("valid");
        assert_eq!(page.first, Some(5));
        assert_eq!(page.after.as_deref(), Some("abc"));
        for bad in [
            "first=1000",
            "first=0",
            "first=-1",
            "first=ten",
            "first=",
            "first=1&first=2",
            "after=a&after=b",
            "page=2",
        ] {
            assert!(PageQuery::parse(bad).is_err(), "{bad}");
        }
    }
}
