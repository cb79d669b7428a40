//! The OpenAPI 3.1 document of the REST API and the ops routes, assembled from each
//! resource file's annotated handlers and served, without auth, at `/api/v1/openapi.json`.

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use gather_protocol::http::ErrorBody;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoResponses, Modify, OpenApi};

use super::{
    account, assets, catalog, chat, map_import, media, moderation, ops, own_avatars, rules, spaces, users,
};
use crate::state::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Gather",
        description = "The metaverse REST contract with Gather's additions; see docs/API.md. \
                       A missing or bad token is answered 403, not 401, as the contract asks."
    ),
    paths(openapi_json),
    nest(
        (path = "/api/v1", api = users::Api, tags = ["users"]),
        (path = "/api/v1", api = account::Api, tags = ["account"]),
        (path = "/api/v1", api = chat::Api, tags = ["chat"]),
        (path = "/api/v1", api = catalog::Api, tags = ["catalog"]),
        (path = "/api/v1", api = spaces::Api, tags = ["spaces"]),
        (path = "/api/v1", api = media::Api, tags = ["media"]),
        (path = "/api/v1", api = rules::Api, tags = ["space rules"]),
        (path = "/api/v1", api = moderation::Api, tags = ["moderation"]),
        (path = "/api/v1", api = assets::Api, tags = ["assets"]),
        (path = "/api/v1", api = own_avatars::Api, tags = ["assets"]),
        (path = "/api/v1", api = map_import::Api, tags = ["catalog"]),
    ),
    modifiers(&BearerToken)
)]
struct ApiDoc;

// Responses shared by many routes. They only describe what `ApiError` answers, so nothing
// constructs them.

/// The database is unreachable or busy; retry after `Retry-After` seconds
#[derive(IntoResponses)]
#[response(status = 503)]
#[allow(dead_code)]
pub(super) struct Unavailable(ErrorBody);

/// The body is over 64 KiB
#[derive(IntoResponses)]
#[response(status = 413)]
#[allow(dead_code)]
pub(super) struct TooLarge(ErrorBody);

/// The `bearer` scheme that signed-in routes name: the token from `POST /api/v1/signin`.
struct BearerToken;

impl Modify for BearerToken {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let scheme = HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build();
        openapi
            .components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

pub fn router() -> Router<AppState> {
    let mut doc = ApiDoc::openapi();
    // The ops routes live outside `/api/v1`, so they are merged rather than nested.
    doc.merge(ops::Api::openapi());
    doc.merge(assets::FilesApi::openapi());
    // Built once: the document only changes with the code.
    let document = Bytes::from(doc.to_pretty_json().expect("the OpenAPI document serialises"));
    Router::new().route("/openapi.json", get(move || openapi_json(document.clone())))
}

#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    responses((status = 200, description = "This document", body = Object))
)]
async fn openapi_json(document: Bytes) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], document)
}
