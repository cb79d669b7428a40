use std::time::Duration;

use gather_protocol::http::ChatBody;
use gather_protocol::ServerFrame;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, spawn_app_on_manual_clock, spawn_app_with, TestApp, TestUser, WsClient};

fn chat_of(frame: ServerFrame) -> ChatBody {
    match frame {
        ServerFrame::Chat(body) => body,
        other => panic!("expected a chat frame, got {other:?}"),
    }
}

fn error_code(frame: ServerFrame) -> String {
    match frame {
        ServerFrame::Error { code, .. } => code,
        other => panic!("expected an error frame, got {other:?}"),
    }
}

/// Three people in a 3x1 corridor, so every tile is taken and distances are known.
async fn corridor(app: &TestApp) -> (String, Vec<(TestUser, WsClient, i64)>) {
    let owner = app.user().await;
    let space = app.create_space(&owner, "3x1").await;
    let mut people = Vec::new();
    for user in [owner, app.user().await, app.user().await] {
        let (ws, at) = app.ws_join(&space, &user).await;
        people.push((user, ws, at.x));
    }
    for (joined_before, (_, ws, _)) in people.iter_mut().enumerate() {
        let later = ws.sync().await;
        assert_eq!(later.len(), 2 - joined_before, "told of each later joiner: {later:?}");
        assert!(later.iter().all(|f| matches!(f, ServerFrame::UserJoined { .. })), "{later:?}");
    }
    people.sort_by_key(|(_, _, x)| *x);
    (space, people)
}

#[tokio::test]
async fn space_chat_reaches_everyone_and_is_acknowledged_to_the_sender() {
    let app = spawn_app().await;
    let (_, mut people) = corridor(&app).await;
    let sender = people[0].0.clone();
    people[0].1.send_chat(json!({"text": "  hello all  "})).await;
    for (_, ws, _) in &mut people {
        let body = chat_of(ws.next().await);
        assert_eq!((body.text.as_str(), body.username.as_str()), ("hello all", sender.username.as_str()));
        assert_eq!(body.user_id.to_string(), sender.id);
        assert_eq!(body.scope, gather_core::ChatScope::Space);
        assert!(body.ts > 0);
    }
}

#[tokio::test]
async fn nearby_chat_skips_people_out_of_range() {
    let app = spawn_app_with(|c| c.chat_nearby_radius = 1).await;
    let (_, mut people) = corridor(&app).await;
    // Sorted by x: 0 and 1 are neighbours, 2 is two tiles from 0.
    people[0].1.send_chat(json!({"text": "psst, neighbour", "scope": "nearby"})).await;
    assert_eq!(chat_of(people[0].1.next().await).text, "psst, neighbour");
    assert_eq!(chat_of(people[1].1.next().await).scope, gather_core::ChatScope::Nearby);
    assert_eq!(people[2].1.sync().await, [], "out of range");
}

#[tokio::test]
async fn direct_messages_reach_only_their_addressee() {
    let app = spawn_app().await;
    let (_, mut people) = corridor(&app).await;
    let to = people[2].0.id.clone();
    people[0].1.send_chat(json!({"text": "just you", "scope": "direct", "to": to})).await;
    assert_eq!(chat_of(people[0].1.next().await).to.map(|u| u.to_string()), Some(to));
    assert_eq!(chat_of(people[2].1.next().await).text, "just you");
    assert_eq!(people[1].1.sync().await, [], "not the addressee");

    let stranger = app.user().await;
    people[0].1.send_chat(json!({"text": "hi", "scope": "direct", "to": stranger.id})).await;
    assert_eq!(error_code(people[0].1.next().await), "recipient-absent");
    let me = people[0].0.id.clone();
    people[0].1.send_chat(json!({"text": "hi", "scope": "direct", "to": me})).await;
    assert_eq!(error_code(people[0].1.next().await), "no-recipient");
    people[0].1.send_chat(json!({"text": "hi", "scope": "direct"})).await;
    assert_eq!(error_code(people[0].1.next().await), "no-recipient");
}

#[tokio::test]
async fn bad_messages_get_errors_and_are_not_stored() {
    let app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    let (mut ws, _) = app.ws_join(&space, &alice).await;
    for payload in [json!({"text": "   "}), json!({"text": "x".repeat(501)}), json!({"text": ""})] {
        ws.send_chat(payload).await;
        assert_eq!(error_code(ws.next().await), "invalid-chat");
    }
    ws.send_chat(json!({"text": 5})).await;
    assert_eq!(error_code(ws.next().await), "bad-payload");
    ws.send_chat(json!({"text": "hi", "scope": "everyone"})).await;
    assert_eq!(error_code(ws.next().await), "bad-payload");
    let history = app.get(&format!("/space/{space}/chat"), Some(&alice.token)).await.ok();
    assert_eq!(history["messages"], json!([]));

    // 500 characters is fine even when they are several bytes each.
    ws.send_chat(json!({"text": "é".repeat(500)})).await;
    assert_eq!(chat_of(ws.next().await).text.chars().count(), 500);

    let mut outsider = app.ws().await;
    outsider.send_chat(json!({"text": "anyone?"})).await;
    assert_eq!(error_code(outsider.next().await), "not-joined");
}

#[tokio::test]
async fn chat_is_rate_limited_per_user_without_disconnecting() {
    let app = spawn_app_on_manual_clock(|_| {}).await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    let (mut ws, _) = app.ws_join(&space, &alice).await;
    let mut answers = Vec::new();
    for i in 0..7 {
        ws.send_chat(json!({"text": format!("message {i}")})).await;
        answers.push(ws.next().await);
    }
    let acked = answers.iter().filter(|f| matches!(f, ServerFrame::Chat(_))).count();
    let limited = answers
        .iter()
        .filter(|f| matches!(f, ServerFrame::Error { code, .. } if code == "rate-limited"))
        .count();
    assert_eq!((acked, limited), (5, 2), "a burst of five: {answers:?}");
    // The clock stands still, so nothing has refilled; a second on it buys one more message.
    ws.send_chat(json!({"text": "too soon"})).await;
    assert_eq!(error_code(ws.next().await), "rate-limited");
    app.clock.advance(Duration::from_secs(1));
    ws.send_chat(json!({"text": "later"})).await;
    assert_eq!(chat_of(ws.next().await).text, "later");
    ws.send_chat(json!({"text": "and again"})).await;
    assert_eq!(error_code(ws.next().await), "rate-limited");
}

async fn history(app: &TestApp, space: &str, user: &TestUser, query: &str) -> Value {
    app.get(&format!("/space/{space}/chat{query}"), Some(&user.token)).await.ok()
}

fn texts(page: &Value) -> Vec<String> {
    page["messages"].as_array().unwrap().iter().map(|m| m["text"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn history_pages_newest_first_and_shows_each_person_only_what_they_may_see() {
    let app = spawn_app().await;
    let (space, mut people) = corridor(&app).await;
    let carol = people[2].0.id.clone();
    let lines = [
        (0, json!({"text": "one"})),
        (1, json!({"text": "two", "scope": "nearby"})),
        (0, json!({"text": "secret", "scope": "direct", "to": carol})),
        (1, json!({"text": "three"})),
        (2, json!({"text": "four"})),
    ];
    for (who, payload) in lines {
        let text = payload["text"].as_str().unwrap().to_owned();
        let ws = &mut people[who].1;
        ws.send_chat(payload).await;
        // Wait for our own acknowledgement (others' messages may arrive first): then it is stored.
        while chat_of(ws.next().await).text != text {}
    }
    let (alice, bob, carol) = (people[0].0.clone(), people[1].0.clone(), people[2].0.clone());
    assert_eq!(texts(&history(&app, &space, &bob, "").await), ["four", "three", "two", "one"]);
    assert_eq!(texts(&history(&app, &space, &carol, "").await), ["four", "three", "secret", "two", "one"]);

    let first = history(&app, &space, &alice, "?limit=2").await;
    assert_eq!(texts(&first), ["four", "three"]);
    let cursor = first["next"].as_str().unwrap().to_owned();
    let second = history(&app, &space, &alice, &format!("?limit=2&before={cursor}")).await;
    assert_eq!(texts(&second), ["secret", "two"]);
    let third =
        history(&app, &space, &alice, &format!("?limit=2&before={}", second["next"].as_str().unwrap())).await;
    assert_eq!(texts(&third), ["one"]);
    assert!(third["next"].is_null());
    assert_eq!(texts(&history(&app, &space, &alice, "?limit=100000").await).len(), 5);

    let message = &first["messages"][0];
    assert_eq!(
        (message["username"].as_str(), message["scope"].as_str()),
        (Some(carol.username.as_str()), Some("space"))
    );
}

#[tokio::test]
async fn history_input_is_checked() {
    let app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    let token = Some(alice.token.as_str());
    app.get(&format!("/space/{space}/chat"), None).await.error(403);
    app.get(&format!("/space/{space}/chat?limit=0"), token).await.error(400);
    app.get(&format!("/space/{space}/chat?limit=ten"), token).await.error(400);
    app.get(&format!("/space/{space}/chat?before=nope"), token).await.error(400);
    let unknown = "6a2f41a3-c54c-4ce8-92d2-0324e1c32e22";
    app.get(&format!("/space/{space}/chat?before={unknown}"), token).await.error(400);
    app.get(&format!("/space/{unknown}/chat"), token).await.error(400);
}

#[tokio::test]
async fn the_log_survives_a_restart_and_goes_with_its_space() {
    let mut app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    {
        let (mut ws, _) = app.ws_join(&space, &alice).await;
        ws.send_chat(json!({"text": "remember me"})).await;
        chat_of(ws.next().await);
    }
    app.restart().await;
    assert_eq!(texts(&history(&app, &space, &alice, "").await), ["remember me"]);
    app.delete(&format!("/space/{space}"), Some(&alice.token), None).await.ok();
    app.get(&format!("/space/{space}/chat"), Some(&alice.token)).await.error(400);
}
