//! A space's own rules through the real server: tile effects (stored, shown, announced and
//! obeyed), statuses, roles, moderation (kick, ban, mute), access (members only, a
//! password) and the audit log.

use gather_protocol::ServerFrame;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp, TestUser, WsClient};

async fn put_effects(app: &TestApp, user: &TestUser, space: &str, effects: Value) -> crate::helpers::Reply {
    app.put(&format!("/space/{space}/effects"), Some(&user.token), effects).await
}

async fn set_role(app: &TestApp, owner: &TestUser, space: &str, user: &TestUser, role: &str) {
    let body = json!({"username": user.username, "role": role});
    app.put(&format!("/space/{space}/members"), Some(&owner.token), body).await.ok();
}

async fn join_frame(ws: &mut WsClient, space: &str, user: &TestUser, extra: Value) {
    let mut payload = json!({"spaceId": space, "token": user.token});
    payload.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    ws.send_json(json!({"type": "join", "payload": payload})).await;
}

/// The `error` code the server answers a join with, or `joined`.
async fn try_join(app: &TestApp, space: &str, user: &TestUser, extra: Value) -> (WsClient, String) {
    let mut ws = app.ws().await;
    join_frame(&mut ws, space, user, extra).await;
    let outcome = match ws.next().await {
        ServerFrame::SpaceJoined { .. } => "joined".to_owned(),
        ServerFrame::Error { code, .. } => code,
        other => panic!("expected space-joined or an error, got {other:?}"),
    };
    (ws, outcome)
}

fn user_id(user: &TestUser) -> gather_core::UserId {
    user.id.parse().unwrap()
}

#[tokio::test]
async fn effects_are_stored_shown_announced_and_obeyed_at_once() {
    let app = spawn_app().await;
    let (owner, guest) = (app.user().await, app.user().await);
    let space = app.create_space(&owner, "3x1").await;
    let spawn = json!({"spawns": [{"x": 0, "y": 0, "name": "door"}]});
    put_effects(&app, &owner, &space, spawn).await.ok();
    let (mut ws, outcome) = try_join(&app, &space, &owner, json!({"spawn": "door"})).await;
    assert_eq!(outcome, "joined");
    assert_eq!(ws.sync_at().await.1, (0, 0), "arrived on the named spawn tile");

    let wall = json!({"impassable": [{"x": 1, "y": 0}], "spawns": [{"x": 0, "y": 0, "name": "door"}]});
    assert_eq!(
        put_effects(&app, &guest, &space, wall.clone()).await.error(403),
        "forbidden",
        "a guest builds nothing"
    );
    put_effects(&app, &owner, &space, wall.clone()).await.ok();
    match ws.next().await {
        ServerFrame::EffectsChanged { effects } => {
            assert_eq!(serde_json::to_value(effects).unwrap()["impassable"], wall["impassable"])
        }
        other => panic!("expected effects-changed, got {other:?}"),
    }
    ws.send_move(1, 0).await;
    assert_eq!(ws.next().await, ServerFrame::MovementRejected { x: 0, y: 0 }, "the wall holds at once");
    let shown = app.get(&format!("/space/{space}"), Some(&guest.token)).await.ok();
    assert_eq!(shown["effects"]["impassable"], wall["impassable"]);
    assert_eq!((shown["access"].as_str(), shown["yourRole"].as_str()), (Some("public"), Some("guest")));
    assert_eq!(shown["elements"], json!([]), "the contract's fields are all still there");

    for bad in [
        json!({"impassable": [{"x": 3, "y": 0}]}),
        json!({"areas": [{"name": "a", "x": 0, "y": 0, "width": 2, "height": 1}, {"name": "b", "x": 1, "y": 0, "width": 2, "height": 1}]}),
        json!({"portals": [{"x": 0, "y": 0}]}),
        json!({"spawns": [{"x": 0, "y": 0, "name": ""}]}),
    ] {
        assert_eq!(
            put_effects(&app, &owner, &space, bad.clone()).await.error(400),
            "invalid-effects",
            "{bad}"
        );
    }
    assert_eq!(put_effects(&app, &owner, &space, json!({"walls": []})).await.error(400), "invalid-body");
    assert_eq!(
        put_effects(&app, &owner, &space, json!({"impassable": "everywhere"})).await.error(400),
        "invalid-body"
    );
    ws.send_move(1, 0).await;
    assert_eq!(
        ws.next().await,
        ServerFrame::MovementRejected { x: 0, y: 0 },
        "refused bodies changed nothing"
    );
}

#[tokio::test]
async fn a_portal_moves_you_once_and_one_to_another_space_says_where_it_leads() {
    let app = spawn_app().await;
    let (owner, watcher) = (app.user().await, app.user().await);
    let space = app.create_space(&owner, "6x1").await;
    let elsewhere = app.create_space(&owner, "4x4").await;
    let effects = json!({
        "spawns": [{"x": 0, "y": 0}, {"x": 5, "y": 0}],
        "portals": [{"x": 1, "y": 0, "to": {"x": 4, "y": 0}},
                    {"x": 3, "y": 0, "spaceId": elsewhere, "spawn": "hall"}],
    });
    put_effects(&app, &owner, &space, effects).await.ok();
    let (mut a, at) = app.ws_join(&space, &owner).await;
    let (mut b, _) = app.ws_join(&space, &watcher).await;
    a.next().await; // user-joined
                    // Whoever arrived on the east spawn goes west first.
    let (mover, mover_id, other_ws) =
        if at.x == 0 { (&mut a, user_id(&owner), &mut b) } else { (&mut b, user_id(&watcher), &mut a) };
    mover.send_move(1, 0).await;
    assert_eq!(mover.next().await, ServerFrame::Teleported { x: 4, y: 0 });
    assert_eq!(
        other_ws.next().await,
        ServerFrame::Movement { user_id: mover_id, x: 4, y: 0 },
        "seen landing, in one move"
    );
    mover.send_move(3, 0).await;
    assert_eq!(
        mover.next().await,
        ServerFrame::PortalReached { space_id: elsewhere.parse().unwrap(), spawn: Some("hall".into()) }
    );
    assert_eq!(mover.sync_at().await.1, (3, 0), "standing on the portal until they choose to go");
}

#[tokio::test]
async fn a_space_made_from_a_map_copies_its_effects() {
    let app = spawn_app().await;
    let (admin, owner) = (app.admin().await, app.user().await);
    let effects = json!({"impassable": [{"x": 2, "y": 2}], "spotlights": [{"x": 1, "y": 1}]});
    let body = json!({"thumbnail": "https://example.com/t.png", "dimensions": "5x5", "name": "stage", "effects": effects});
    let map = app.post("/admin/map", Some(&admin.token), body).await.ok()["id"].as_str().unwrap().to_owned();
    let bad = json!({"thumbnail": "https://example.com/t.png", "dimensions": "5x5", "name": "x", "effects": {"quiet": [{"x": 9, "y": 9}]}});
    assert_eq!(app.post("/admin/map", Some(&admin.token), bad).await.error(400), "invalid-effects");
    let space = app.post("/space", Some(&owner.token), json!({"name": "mine", "mapId": map})).await.ok()
        ["spaceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let shown = app.get(&format!("/space/{space}"), Some(&owner.token)).await.ok();
    assert_eq!(shown["effects"]["impassable"], effects["impassable"]);
    assert_eq!(shown["effects"]["spotlights"], effects["spotlights"]);
}

#[tokio::test]
async fn nearby_chat_stays_inside_a_private_area_and_skips_do_not_disturb() {
    let app = spawn_app().await;
    let owner = app.user().await;
    let space = app.create_space(&owner, "4x1").await;
    // The first three arrive on the spawn tiles: two inside the booth, one just outside.
    let area = json!({
        "areas": [{"name": "booth", "x": 0, "y": 0, "width": 2, "height": 1}],
        "spawns": [{"x": 0, "y": 0}, {"x": 1, "y": 0}, {"x": 2, "y": 0}],
    });
    put_effects(&app, &owner, &space, area).await.ok();
    let mut people = Vec::new();
    for _ in 0..3 {
        let user = app.user().await;
        let (ws, joined) = app.ws_join(&space, &user).await;
        people.push((user, ws, joined.x));
    }
    for (_, ws, _) in people.iter_mut() {
        ws.sync().await;
    }
    people.sort_by_key(|(_, _, x)| *x);
    let [(_, ws_a, _), (_, ws_b, _), (_, ws_out, _)] = &mut people[..] else { unreachable!() };
    ws_a.send_chat(json!({"text": "just us", "scope": "nearby"})).await;
    assert!(matches!(ws_a.next().await, ServerFrame::Chat(c) if c.text == "just us"), "acknowledged");
    assert!(
        matches!(ws_b.next().await, ServerFrame::Chat(c) if c.text == "just us"),
        "the other one inside hears it"
    );
    assert!(ws_out.sync().await.is_empty(), "one tile outside the booth, nothing");
    let log = |user: &TestUser| {
        let url = format!("/space/{space}/chat");
        let token = user.token.clone();
        let app = &app;
        async move {
            let page = app.get(&url, Some(&token)).await.ok();
            page["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["text"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    let (outsider, insider) = (people[2].0.clone(), people[1].0.clone());
    assert!(log(&outsider).await.is_empty(), "nor later, in the log");
    assert_eq!(log(&insider).await, ["just us"], "those who heard it may read it again");
    let [(_, ws_a, _), (user_b, ws_b, _), (_, ws_out, _)] = &mut people[..] else { unreachable!() };

    ws_b.send_json(json!({"type": "set-status", "payload": {"status": "do-not-disturb", "text": "focus"}}))
        .await;
    let status = ServerFrame::UserStatus {
        user_id: user_id(user_b),
        status: gather_protocol::Status::DoNotDisturb,
        text: "focus".into(),
    };
    for ws in [&mut *ws_a, &mut *ws_b, &mut *ws_out] {
        assert_eq!(ws.next().await, status, "everyone sees the status");
    }
    ws_a.send_chat(json!({"text": "still there?", "scope": "nearby"})).await;
    ws_a.next().await;
    assert!(ws_b.sync().await.is_empty(), "do-not-disturb hears no nearby chat");
    ws_a.send_chat(json!({"text": "everyone", "scope": "space"})).await;
    ws_a.next().await;
    assert!(
        matches!(ws_b.next().await, ServerFrame::Chat(c) if c.text == "everyone"),
        "space-wide still reaches them"
    );
    ws_b.send_json(json!({"type": "set-status", "payload": {"status": "busy", "text": "x".repeat(65)}}))
        .await;
    assert!(matches!(ws_b.next().await, ServerFrame::Error { code, .. } if code == "invalid-status"));

    let late = app.user().await;
    let (mut ws_late, _) = app.ws_join(&space, &late).await;
    assert!(
        matches!(
            ws_late.next().await,
            ServerFrame::UserStatus { status: gather_protocol::Status::DoNotDisturb, .. }
        ),
        "a newcomer learns the statuses already set"
    );
}

#[tokio::test]
async fn roles_decide_who_builds_moderates_and_administers() {
    let app = spawn_app().await;
    let (owner, builder, moderator, member) =
        (app.user().await, app.user().await, app.user().await, app.user().await);
    let space = app.create_space(&owner, "10x10").await;
    set_role(&app, &owner, &space, &builder, "builder").await;
    set_role(&app, &owner, &space, &moderator, "moderator").await;
    set_role(&app, &owner, &space, &member, "member").await;
    let members = format!("/space/{space}/members");
    let bad_role = json!({"username": member.username, "role": "owner"});
    assert_eq!(app.put(&members, Some(&owner.token), bad_role).await.error(400), "invalid-role");
    let nobody = json!({"username": "nobody-at-all", "role": "member"});
    assert_eq!(app.put(&members, Some(&owner.token), nobody).await.error(400), "unknown-user");
    let promote = json!({"username": member.username, "role": "moderator"});
    assert_eq!(app.put(&members, Some(&moderator.token), promote).await.error(403), "forbidden");

    let wall = json!({"impassable": [{"x": 0, "y": 0}]});
    put_effects(&app, &builder, &space, wall.clone()).await.ok();
    assert_eq!(put_effects(&app, &member, &space, wall).await.error(403), "forbidden");
    let admin = app.admin().await;
    let chair = app.create_element(&admin, 1, 1, false).await;
    app.place(&builder, &space, &chair, 5, 5).await.ok();
    assert_eq!(app.place(&member, &space, &chair, 6, 6).await.error(403), "forbidden");

    let settings = format!("/space/{space}/settings");
    let seen = app.get(&settings, Some(&moderator.token)).await.ok();
    let roles: Vec<(&str, &str)> = seen["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["username"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(
        roles,
        [
            (builder.username.as_str(), "builder"),
            (moderator.username.as_str(), "moderator"),
            (member.username.as_str(), "member")
        ]
    );
    assert_eq!(seen["yourRole"], "moderator");
    assert_eq!(app.get(&settings, Some(&builder.token)).await.error(403), "forbidden");
    let shown = app.get(&format!("/space/{space}"), Some(&builder.token)).await.ok();
    assert_eq!(shown["yourRole"], "builder");

    let audit = format!("/space/{space}/audit");
    assert_eq!(
        app.get(&audit, Some(&moderator.token)).await.error(403),
        "forbidden",
        "the audit log is the owner's"
    );
    let log = app.get(&audit, Some(&owner.token)).await.ok();
    let actions: Vec<&str> =
        log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["effects", "role", "role", "role"], "newest first, refused changes not logged");
    assert_eq!(log["entries"][0]["actor"], builder.username.as_str());

    app.put(&members, Some(&owner.token), json!({"username": member.username, "role": "none"})).await.ok();
    let seen = app.get(&settings, Some(&owner.token)).await.ok();
    assert_eq!(seen["members"].as_array().unwrap().len(), 2, "a role taken away");
}

#[tokio::test]
async fn a_kick_removes_someone_who_may_come_back_and_a_ban_keeps_them_out() {
    let app = spawn_app().await;
    let (owner, moderator, guest) = (app.user().await, app.user().await, app.user().await);
    let space = app.create_space(&owner, "10x10").await;
    set_role(&app, &owner, &space, &moderator, "moderator").await;
    let (mut ws_owner, _) = app.ws_join(&space, &owner).await;
    let (mut ws_guest, _) = app.ws_join(&space, &guest).await;
    ws_owner.next().await; // user-joined

    let target = json!({"userId": guest.id});
    let kick = format!("/space/{space}/kick");
    assert_eq!(
        app.post(&kick, Some(&guest.token), json!({"userId": owner.id})).await.error(403),
        "forbidden"
    );
    assert_eq!(
        app.post(&kick, Some(&moderator.token), json!({"userId": owner.id})).await.error(403),
        "forbidden",
        "nobody kicks the owner"
    );
    app.post(&kick, Some(&moderator.token), target.clone()).await.ok();
    assert_eq!(ws_guest.next().await, ServerFrame::Removed { reason: "kicked".into() });
    assert_eq!(ws_guest.expect_close().await, Some(4006));
    assert_eq!(ws_owner.next().await, ServerFrame::UserLeft { user_id: user_id(&guest) });
    let (mut ws_guest, outcome) = try_join(&app, &space, &guest, json!({})).await;
    assert_eq!(outcome, "joined", "a kick is not a ban");
    ws_owner.next().await; // user-joined

    let ban = format!("/space/{space}/ban");
    app.post(&ban, Some(&moderator.token), target.clone()).await.ok();
    assert_eq!(ws_guest.next().await, ServerFrame::Removed { reason: "banned".into() });
    assert_eq!(ws_guest.expect_close().await, Some(4006));
    assert_eq!(try_join(&app, &space, &guest, json!({})).await.1, "banned");
    assert_eq!(app.get(&format!("/space/{space}"), Some(&guest.token)).await.error(403), "banned");
    assert_eq!(app.get(&format!("/space/{space}/chat"), Some(&guest.token)).await.error(403), "banned");
    let bans = app.get(&format!("/space/{space}/settings"), Some(&owner.token)).await.ok()["bans"].clone();
    assert_eq!(bans[0]["username"], guest.username.as_str());

    let unban = format!("/space/{space}/ban/{}", guest.id);
    app.call(Method::DELETE, &unban, Some(&moderator.token), None).await.ok();
    assert_eq!(app.call(Method::DELETE, &unban, Some(&moderator.token), None).await.error(400), "not-banned");
    assert_eq!(try_join(&app, &space, &guest, json!({})).await.1, "joined");

    let unknown = json!({"userId": gather_core::UserId::new().to_string()});
    assert_eq!(app.post(&kick, Some(&moderator.token), unknown).await.error(400), "unknown-user");
    let log = app.get(&format!("/space/{space}/audit"), Some(&owner.token)).await.ok();
    let actions: Vec<&str> =
        log["entries"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["unban", "ban", "kick", "role"]);
    assert!(log["entries"].as_array().unwrap()[..3].iter().all(|e| e["targetId"] == guest.id.as_str()));
}

#[tokio::test]
async fn members_only_and_password_spaces_let_in_only_whom_they_should() {
    let app = spawn_app().await;
    let (owner, member, guest) = (app.user().await, app.user().await, app.user().await);
    let space = app.create_space(&owner, "10x10").await;
    let access = format!("/space/{space}/access");
    set_role(&app, &owner, &space, &member, "member").await;
    app.put(&access, Some(&owner.token), json!({"access": "members"})).await.ok();
    assert_eq!(try_join(&app, &space, &guest, json!({})).await.1, "members-only");
    assert_eq!(app.get(&format!("/space/{space}"), Some(&guest.token)).await.error(403), "members-only");
    assert_eq!(try_join(&app, &space, &member, json!({})).await.1, "joined");
    assert_eq!(try_join(&app, &space, &owner, json!({})).await.1, "joined");

    assert_eq!(
        app.put(&access, Some(&owner.token), json!({"access": "password"})).await.error(400),
        "invalid-access"
    );
    assert_eq!(
        app.put(&access, Some(&member.token), json!({"access": "public"})).await.error(403),
        "forbidden"
    );
    app.put(&access, Some(&owner.token), json!({"access": "password", "password": "open sesame"})).await.ok();
    assert_eq!(try_join(&app, &space, &guest, json!({})).await.1, "password-required");
    assert_eq!(
        app.get(&format!("/space/{space}/chat"), Some(&guest.token)).await.error(403),
        "password-required"
    );
    let grant_url = format!("/space/{space}/grant");
    assert_eq!(
        app.post(&grant_url, Some(&guest.token), json!({"password": "guess"})).await.error(403),
        "forbidden"
    );
    let grant = app.post(&grant_url, Some(&guest.token), json!({"password": "open sesame"})).await.ok()
        ["grant"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(try_join(&app, &space, &guest, json!({"grant": "forged"})).await.1, "password-required");
    assert_eq!(try_join(&app, &space, &member, json!({})).await.1, "joined", "members need no password");
    let (_, outcome) = try_join(&app, &space, &guest, json!({"grant": grant})).await;
    assert_eq!(outcome, "joined");
    let with_grant = app
        .http
        .get(app.url(&format!("/space/{space}")))
        .bearer_auth(&guest.token)
        .header("x-gather-grant", &grant)
        .send()
        .await
        .unwrap();
    assert_eq!(with_grant.status(), 200);
    let other = app.user().await;
    assert_eq!(
        try_join(&app, &space, &other, json!({"grant": grant})).await.1,
        "password-required",
        "a grant is personal"
    );

    app.put(&access, Some(&owner.token), json!({"access": "password", "password": "new words"})).await.ok();
    assert_eq!(
        try_join(&app, &space, &guest, json!({"grant": grant})).await.1,
        "password-required",
        "a new password voids grants"
    );
    app.put(&access, Some(&owner.token), json!({"access": "public"})).await.ok();
    assert_eq!(try_join(&app, &space, &other, json!({})).await.1, "joined");
    let public = app.post(&grant_url, Some(&guest.token), json!({"password": "x"})).await.error(400);
    assert_eq!(public, "no-password");
}

#[tokio::test]
async fn a_locked_area_hears_the_knock_and_lets_in_whom_those_inside_admit() {
    let app = spawn_app().await;
    let (owner, host, knocker) = (app.user().await, app.user().await, app.user().await);
    let space = app.create_space(&owner, "5x1").await;
    let office = json!({
        "areas": [{"name": "office", "x": 0, "y": 0, "width": 2, "height": 1, "locked": true}],
        "spawns": [{"x": 1, "y": 0}],
    });
    put_effects(&app, &owner, &space, office).await.ok();
    let (mut ws_host, at) = app.ws_join(&space, &host).await;
    assert_eq!((at.x, at.y), (1, 0), "the first one in needs nobody");
    let (mut ws_knocker, at) = app.ws_join(&space, &knocker).await;
    assert!(at.x >= 2, "nobody arrives inside a locked area someone holds: {at:?}");
    ws_host.next().await; // user-joined
    for x in (2..at.x).rev() {
        ws_knocker.send_move(x, 0).await;
        ws_host.next().await; // movement
    }
    ws_knocker.send_move(1, 0).await;
    assert_eq!(ws_knocker.next().await, ServerFrame::MovementRejected { x: 2, y: 0 });
    ws_host.send_move(0, 0).await;
    ws_knocker.next().await; // the host's movement
    ws_knocker.send_move(1, 0).await;
    assert_eq!(ws_knocker.next().await, ServerFrame::MovementRejected { x: 2, y: 0 }, "locked");
    assert_eq!(
        ws_host.next().await,
        ServerFrame::Knock { user_id: user_id(&knocker), area: "office".into() }
    );
    ws_knocker.send_json(json!({"type": "admit", "payload": {"userId": owner.id}})).await;
    assert!(ws_knocker.sync().await.is_empty(), "from outside, admitting does nothing");
    ws_host.send_json(json!({"type": "admit", "payload": {"userId": knocker.id}})).await;
    assert_eq!(ws_knocker.next().await, ServerFrame::Admitted { area: "office".into() });
    ws_knocker.send_move(1, 0).await;
    assert_eq!(ws_knocker.sync_at().await.1, (1, 0), "let in");

    // The owner holds a key to every locked area.
    assert_eq!(ws_host.next().await, ServerFrame::Movement { user_id: user_id(&knocker), x: 1, y: 0 });
    ws_host.send_move(1, 0).await;
    assert_eq!(
        ws_host.next().await,
        ServerFrame::MovementRejected { x: 0, y: 0 },
        "the knocker stands there"
    );
    ws_host.send_json(json!({"type": "leave"})).await;
    ws_knocker.next().await; // user-left
    ws_knocker.send_move(0, 0).await;
    assert_eq!(ws_knocker.sync_at().await.1, (0, 0), "the knocker, alone inside now");
    let (mut ws_owner, at) = app.ws_join(&space, &owner).await;
    assert!(at.x >= 2, "not on the spawn tile inside the held area: {at:?}");
    for x in (1..at.x).rev() {
        ws_owner.send_move(x, 0).await;
    }
    assert_eq!(ws_owner.sync_at().await.1, (1, 0), "the owner holds a key to every locked area");
}
