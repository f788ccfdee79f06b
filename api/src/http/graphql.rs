//! GraphQL over HTTP, by hand: async-graphql-actix-web reads bodies without a cap, always
//! answers 200 and runs mutations over GET, so this module reads, checks and answers itself.

use std::{collections::BTreeMap, sync::Arc};

use actix_web::{
    HttpMessage, HttpRequest, HttpResponse,
    http::{
        StatusCode,
        header::{self, HeaderValue},
    },
    web,
};
use async_graphql::{
    ErrorExtensionValues, Response, ServerError, Variables, parser::types::OperationType,
};
use futures_util::StreamExt;
use serde::Serialize;
use serde_json::json;

use super::request_id::RequestId;
use crate::{
    auth::Viewer,
    domain::access::Rights,
    graphql::{
        input_guard,
        limits::{self, DocumentLimits},
        loaders::Loaders,
        selection_order,
    },
    startup::AppState,
};

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// The media type the client will read: the GraphQL-over-HTTP one, or legacy JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    GraphqlResponse,
    LegacyJson,
}

impl Format {
    fn content_type(self) -> &'static str {
        match self {
            Self::GraphqlResponse => "application/graphql-response+json; charset=utf-8",
            Self::LegacyJson => "application/json; charset=utf-8",
        }
    }

    fn negotiate(req: &HttpRequest) -> Self {
        let accept = req
            .headers()
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let offers = accept.split(',').map(|part| {
            let mut bits = part.split(';');
            let media = bits.next().unwrap_or("").trim().to_ascii_lowercase();
            let q_zero = bits.any(|p| matches!(p.trim(), "q=0" | "q=0.0" | "q=0.00" | "q=0.000"));
            (media, q_zero)
        });
        for (media, q_zero) in offers {
            if media == GRAPHQL_RESPONSE_JSON && !q_zero {
                return Self::GraphqlResponse;
            }
        }
        // No Accept, application/json or */*: legacy clients, answered as the spec advises.
        Self::LegacyJson
    }
}

fn error_body(code: &str, message: &str, request_id: Option<&str>) -> serde_json::Value {
    let mut extensions = json!({ "code": code });
    if let Some(id) = request_id {
        extensions["requestId"] = json!(id);
    }
    json!({ "errors": [{ "message": message, "extensions": extensions }] })
}

fn request_id(req: &HttpRequest) -> Option<String> {
    req.extensions().get::<RequestId>().map(|r| r.0.clone())
}

fn reply(status: StatusCode, format: Format, body: serde_json::Value) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(format.content_type())
        .body(body.to_string())
}

/// The status of a request that is not executed: 400 for GraphQL-over-HTTP clients, 200 with
/// `errors` for legacy JSON clients (as the spec recommends).
fn not_executed(format: Format) -> StatusCode {
    match format {
        Format::GraphqlResponse => StatusCode::BAD_REQUEST,
        Format::LegacyJson => StatusCode::OK,
    }
}

/// A request that never reaches execution; it has no `data` entry.
fn request_error(format: Format, code: &str, message: &str) -> HttpResponse {
    reply(
        not_executed(format),
        format,
        error_body(code, message, None),
    )
}

/// A string argument the input guard refused: BAD_USER_INPUT naming it, nothing executed.
fn refused_input(format: Format, rejection: input_guard::Rejection) -> HttpResponse {
    let mut body = error_body("BAD_USER_INPUT", &rejection.message, None);
    body["errors"][0]["extensions"]["field"] = json!(rejection.field);
    reply(not_executed(format), format, body)
}

/// The response as sent: `data` only when the request was executed (GraphQL over HTTP:
/// a request that is not executed has no `data` entry).
#[derive(Serialize)]
struct Body<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a async_graphql::Value>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    extensions: &'a BTreeMap<String, async_graphql::Value>,
    #[serde(skip_serializing_if = "<[ServerError]>::is_empty")]
    errors: &'a [ServerError],
}

pub async fn post(
    req: HttpRequest,
    mut payload: web::Payload,
    state: web::Data<AppState>,
) -> HttpResponse {
    let format = Format::negotiate(&req);
    let json_body = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"));
    if !json_body {
        return reply(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format,
            error_body(
                "UNSUPPORTED_MEDIA_TYPE",
                "send the request as application/json",
                None,
            ),
        );
    }
    let cap = state.services.config.max_body_bytes;
    let too_large = || {
        reply(
            StatusCode::PAYLOAD_TOO_LARGE,
            format,
            error_body(
                "PAYLOAD_TOO_LARGE",
                &format!("the request body is larger than {cap} bytes"),
                None,
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > cap) {
        return too_large();
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(1024).min(cap));
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return reply(
                StatusCode::BAD_REQUEST,
                format,
                error_body("BAD_REQUEST", "the body could not be read", None),
            );
        };
        if body.len() + chunk.len() > cap {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    let value: serde_json::Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            let message = format!("the body is not valid JSON: {e}");
            return reply(
                StatusCode::BAD_REQUEST,
                format,
                error_body("BAD_REQUEST", &message, None),
            );
        }
    };
    if !value.is_object() {
        let message = "send one GraphQL request as a JSON object; batched arrays are not supported";
        return reply(
            StatusCode::BAD_REQUEST,
            format,
            error_body("BAD_REQUEST", message, None),
        );
    }
    let gql: async_graphql::Request = match serde_json::from_value(value) {
        Ok(r) => r,
        Err(e) => {
            let message = format!("not a GraphQL request: {e}");
            return reply(
                StatusCode::BAD_REQUEST,
                format,
                error_body("BAD_REQUEST", &message, None),
            );
        }
    };
    execute(&req, &state, gql, format, false).await
}

pub async fn get(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if wants_html && req.query_string().is_empty() {
        if state.services.config.introspection {
            return HttpResponse::Ok()
                .content_type("text/html; charset=utf-8")
                .body(GRAPHIQL_PAGE);
        }
        return HttpResponse::NotFound().finish();
    }
    let format = Format::negotiate(&req);
    let gql = match async_graphql::http::parse_query_string(req.query_string()) {
        Ok(r) => r,
        Err(e) => {
            let message = format!("the query string is not a GraphQL request: {e}");
            return reply(
                StatusCode::BAD_REQUEST,
                format,
                error_body("BAD_REQUEST", &message, None),
            );
        }
    };
    execute(&req, &state, gql, format, true).await
}

pub async fn method_not_allowed() -> HttpResponse {
    HttpResponse::MethodNotAllowed()
        .insert_header((header::ALLOW, HeaderValue::from_static("GET, POST")))
        .finish()
}

fn client_addr(req: &HttpRequest, trust_proxy: bool) -> String {
    if trust_proxy && let Some(addr) = req.connection_info().realip_remote_addr() {
        return addr.to_owned();
    }
    req.peer_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// Bearer token → Viewer. No header is an anonymous viewer; a bad token — including one for
/// a person who no longer exists or a session that has ended — is a 401.
async fn authenticate(req: &HttpRequest, state: &AppState) -> Result<(Viewer, Rights), Refusal> {
    let addr = client_addr(req, state.services.config.trust_proxy_headers);
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok((Viewer::anonymous(addr), Rights::anonymous()));
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or(Refusal::Token(
            "the Authorization header must be `Bearer <access token>`",
        ))?;
    let invalid = Refusal::Token(
        "the access token is invalid or expired; refresh the session or sign in again",
    );
    let claims = state.services.keys.verify(token).map_err(|_| invalid)?;
    match Rights::signed_in(&state.services.db, claims.sub, claims.sid).await {
        Ok(Some(rights)) => Ok((Viewer::signed_in(claims.sub, addr), rights)),
        Ok(None) => Err(invalid),
        Err(e) => {
            tracing::error!(error = %e.describe(), "cannot load the viewer");
            Err(Refusal::Unavailable)
        }
    }
}

/// Why a request was turned away before execution.
#[derive(Clone, Copy)]
enum Refusal {
    Token(&'static str),
    /// The database could not be asked who the viewer is.
    Unavailable,
}

async fn execute(
    req: &HttpRequest,
    state: &AppState,
    gql: async_graphql::Request,
    format: Format,
    is_get: bool,
) -> HttpResponse {
    let config = &state.services.config;
    let (viewer, rights) = match authenticate(req, state).await {
        Ok((v, r)) => (Arc::new(v), Arc::new(r)),
        Err(Refusal::Token(message)) => {
            return HttpResponse::Unauthorized()
                .insert_header((header::WWW_AUTHENTICATE, r#"Bearer error="invalid_token""#))
                .content_type(format.content_type())
                .body(error_body("UNAUTHENTICATED", message, None).to_string());
        }
        Err(Refusal::Unavailable) => {
            return reply(
                StatusCode::SERVICE_UNAVAILABLE,
                format,
                error_body(
                    "SERVICE_UNAVAILABLE",
                    "try again shortly",
                    request_id(req).as_deref(),
                ),
            );
        }
    };

    let doc = match async_graphql::parser::parse_query(&gql.query) {
        Ok(doc) => doc,
        Err(e) => return request_error(format, "GRAPHQL_PARSE_FAILED", &e.to_string()),
    };
    let limits = DocumentLimits {
        max_aliases: config.max_aliases,
        max_directives: config.max_directives,
        max_fields: config.max_fields,
    };
    if let Err(message) = limits::check(&doc, limits) {
        return request_error(format, "QUERY_LIMIT_EXCEEDED", &message);
    }
    if let Err(message) = limits::check_typename_fields(&doc) {
        return request_error(format, "GRAPHQL_VALIDATION_FAILED", &message);
    }
    let cost = state
        .cost
        .cost(&doc, gql.operation_name.as_deref(), &gql.variables);
    if cost > config.max_complexity as u64 {
        return request_error(
            format,
            "QUERY_LIMIT_EXCEEDED",
            &format!(
                "the query is estimated to cost {cost}; at most {} is allowed (CANOPY_MAX_COMPLEXITY)",
                config.max_complexity
            ),
        );
    }
    // Every string, in the document and in the variables, before anything can reach SQL.
    if let Err(rejection) = input_guard::check(&doc, &gql.variables) {
        return refused_input(format, rejection);
    }
    let is_mutation = limits::operation_type(&doc, gql.operation_name.as_deref())
        == Some(OperationType::Mutation);
    if is_get && is_mutation {
        return HttpResponse::MethodNotAllowed()
            .insert_header((header::ALLOW, HeaderValue::from_static("POST")))
            .content_type(format.content_type())
            .body(
                error_body(
                    "METHOD_NOT_ALLOWED",
                    "mutations must be sent with POST",
                    None,
                )
                .to_string(),
            );
    }

    let rid = request_id(req);
    let mut loaders = Loaders::new(
        state.services.db.clone(),
        viewer.clone(),
        rights.clone(),
        config.batch_delay,
    );
    if is_mutation {
        loaders = loaders.without_cache();
    }
    // What putting the response back in selection order needs after `gql` is consumed: the
    // document (handed to async-graphql too, so it is parsed once), the operation and the
    // Boolean variables `@skip`/`@include` may read.
    let operation_name = gql.operation_name.clone();
    let mut flags = Variables::default();
    for (name, value) in gql.variables.iter() {
        if matches!(value, async_graphql::Value::Boolean(_)) {
            flags.insert(name.clone(), value.clone());
        }
    }
    let mut gql = gql.data(viewer).data(rights).data(loaders);
    gql.set_parsed_query(doc.clone());
    let response =
        match tokio::time::timeout(config.execution_timeout, state.schema.execute(gql)).await {
            Ok(response) => response,
            Err(_) => {
                tracing::warn!("query exceeded the execution timeout");
                return reply(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format,
                    error_body(
                        "SERVICE_UNAVAILABLE",
                        "the query took too long and was stopped",
                        rid.as_deref(),
                    ),
                );
            }
        };
    let (mut response, rejected) = normalise(response, rid.as_deref());
    let status = if rejected {
        not_executed(format)
    } else {
        StatusCode::OK
    };
    if !rejected {
        selection_order::reorder(&doc, operation_name.as_deref(), &flags, &mut response.data);
        // async-graphql answers null for a selection whose every field was skipped; executed,
        // that is an empty object.
        if response.data == async_graphql::Value::Null && response.errors.is_empty() {
            response.data = async_graphql::Value::Object(Default::default());
        }
    }
    let body = Body {
        data: (!rejected).then_some(&response.data),
        extensions: &response.extensions,
        errors: &response.errors,
    };
    match serde_json::to_string(&body) {
        Ok(body) => HttpResponse::build(status)
            .content_type(format.content_type())
            .body(body),
        Err(e) => {
            tracing::error!(error = %e, "cannot serialise response");
            reply(
                StatusCode::INTERNAL_SERVER_ERROR,
                format,
                error_body("INTERNAL", "internal error", rid.as_deref()),
            )
        }
    }
}

fn code_of(error: &ServerError) -> Option<String> {
    match error.extensions.as_ref()?.get("code")? {
        async_graphql::Value::String(code) => Some(code.clone()),
        _ => None,
    }
}

/// Every error leaves with a code. Errors the schema raised before running anything
/// (validation, limits) are the client's; anything else without a code is internal and its
/// text stays in the log. Returns whether the request was rejected before execution.
fn normalise(mut response: Response, request_id: Option<&str>) -> (Response, bool) {
    let rejected = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response
            .errors
            .iter()
            .all(|e| e.path.is_empty() && code_of(e).is_none());
    for error in &mut response.errors {
        if code_of(error).is_some() {
            if code_of(error).as_deref() == Some("INTERNAL") {
                set(error, "requestId", request_id.unwrap_or(""));
            }
            continue;
        }
        let code = if error.path.is_empty() {
            if error.message.starts_with("Query is") {
                "QUERY_LIMIT_EXCEEDED"
            } else {
                "GRAPHQL_VALIDATION_FAILED"
            }
        } else if error.message.starts_with("Failed to parse")
            || error.message.starts_with("Invalid value")
        {
            "BAD_USER_INPUT"
        } else {
            tracing::error!(message = %error.message, path = ?error.path, "uncoded resolver error");
            error.message = "internal error".to_owned();
            set(error, "requestId", request_id.unwrap_or(""));
            "INTERNAL"
        };
        set(error, "code", code);
    }
    (response, rejected)
}

fn set(error: &mut ServerError, key: &str, value: &str) {
    error
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default)
        .set(key, value);
}

const GRAPHIQL_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Canopy GraphiQL</title>
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="stylesheet" href="https://unpkg.com/graphiql@3/graphiql.min.css">
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading GraphiQL…</div>
  <script crossorigin src="https://unpkg.com/react@18/umd/react.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/react-dom@18/umd/react-dom.production.min.js"></script>
  <script crossorigin src="https://unpkg.com/graphiql@3/graphiql.min.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: window.location.pathname });
    ReactDOM.createRoot(document.getElementById('graphiql'))
      .render(React.createElement(GraphiQL, { fetcher }));
  </script>
</body>
</html>
"#;
