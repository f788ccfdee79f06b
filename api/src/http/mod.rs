//! The HTTP surface: GraphQL over HTTP, health, the SDL.

pub mod catalogue;
pub mod credentials;
pub mod graphql;
pub mod health;
pub mod request_id;

use actix_web::web;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/graphql")
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get))
            .default_service(web::to(graphql::method_not_allowed)),
    )
    .route("/livez", web::get().to(health::livez))
    .route("/readyz", web::get().to(health::readyz))
    .route("/schema.graphql", web::get().to(health::schema_sdl))
    .route("/credentials/{id}", web::get().to(credentials::credential))
    .route("/resources.jsonld", web::get().to(catalogue::list))
    .route(
        "/resources/{slug}.jsonld",
        web::get().to(catalogue::resource),
    );
}
