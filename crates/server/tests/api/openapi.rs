//! The OpenAPI document describes every route the router has.

use crate::helpers::spawn_app;

/// Every REST and ops route, by method and path as the router spells them. A route added
/// to the router must be added here and annotated, or this list and the document disagree.
const ROUTES: &[(&str, &str)] = &[
    ("post", "/api/v1/signup"),
    ("post", "/api/v1/signin"),
    ("post", "/api/v1/user/metadata"),
    ("get", "/api/v1/user/metadata/bulk"),
    ("get", "/api/v1/me"),
    ("post", "/api/v1/signout"),
    ("get", "/api/v1/sessions"),
    ("delete", "/api/v1/sessions/{id}"),
    ("post", "/api/v1/user/password"),
    ("get", "/api/v1/space/{id}/chat"),
    ("get", "/api/v1/avatars"),
    ("get", "/api/v1/elements"),
    ("get", "/api/v1/maps"),
    ("post", "/api/v1/admin/avatar"),
    ("post", "/api/v1/admin/element"),
    ("put", "/api/v1/admin/element/{id}"),
    ("post", "/api/v1/admin/map"),
    ("post", "/api/v1/space"),
    ("get", "/api/v1/space/all"),
    ("get", "/api/v1/space/{id}"),
    ("delete", "/api/v1/space/{id}"),
    ("post", "/api/v1/space/element"),
    ("delete", "/api/v1/space/element"),
    ("delete", "/api/v1/space/element/{id}"),
    ("get", "/api/v1/media"),
    ("put", "/api/v1/space/{id}/effects"),
    ("put", "/api/v1/space/{id}/access"),
    ("post", "/api/v1/space/{id}/grant"),
    ("get", "/api/v1/space/{id}/settings"),
    ("put", "/api/v1/space/{id}/members"),
    ("post", "/api/v1/space/{id}/kick"),
    ("post", "/api/v1/space/{id}/ban"),
    ("delete", "/api/v1/space/{id}/ban/{user}"),
    ("post", "/api/v1/space/{id}/mute"),
    ("get", "/api/v1/space/{id}/audit"),
    ("post", "/api/v1/assets"),
    ("post", "/api/v1/admin/assets/sweep"),
    ("get", "/api/v1/user/avatars"),
    ("post", "/api/v1/user/avatars"),
    ("delete", "/api/v1/user/avatars/{id}"),
    ("get", "/assets/{name}"),
    ("post", "/api/v1/admin/map/import"),
    ("get", "/api/v1/openapi.json"),
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/metrics"),
];

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch", "head", "options", "trace"];

#[tokio::test]
async fn the_openapi_document_lists_every_route_and_no_other() {
    let app = spawn_app().await;
    let doc = app.get("/openapi.json", None).await.ok();
    assert!(doc["openapi"].as_str().unwrap_or("").starts_with("3.1."), "not OpenAPI 3.1: {}", doc["openapi"]);

    let mut documented: Vec<(String, String)> = doc["paths"]
        .as_object()
        .expect("the document has paths")
        .iter()
        .flat_map(|(path, item)| {
            METHODS.iter().filter(|m| item.get(**m).is_some()).map(move |m| (m.to_string(), path.clone()))
        })
        .collect();
    let mut expected: Vec<(String, String)> =
        ROUTES.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    documented.sort();
    expected.sort();
    assert_eq!(documented, expected);
}

#[tokio::test]
async fn signed_in_routes_name_the_bearer_scheme_and_document_the_403() {
    let app = spawn_app().await;
    let doc = app.get("/openapi.json", None).await.ok();
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let me = &doc["paths"]["/api/v1/me"]["get"];
    assert_eq!(me["security"][0]["bearer"], serde_json::json!([]));
    assert_eq!(
        me["responses"]["403"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/ErrorBody"
    );
}

#[tokio::test]
async fn every_route_in_the_document_answers_something_other_than_404() {
    let app = spawn_app().await;
    for (method, path) in ROUTES {
        let url =
            format!("http://{}{}", app.addr, path.replace("{id}", "00000000-0000-4000-8000-000000000000"));
        let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
        let status = app.http.request(method.clone(), url).send().await.unwrap().status();
        assert_ne!(status.as_u16(), 404, "{method} {path} is in the document but not routed");
    }
}
