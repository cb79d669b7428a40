//! Proximity voice and video through the real server: str0m clients signal over the
//! space's WebSocket, send synthetic audio and video to the node's media port on
//! 127.0.0.1, and the tests assert who receives whom as people walk. Every wait has a
//! deadline, so a missing packet fails the test instead of hanging it.

use std::time::Duration;

use gather_media::MediaKind;
use gather_server::config::MediaConfig;
use serde_json::json;

use crate::client::RtcClient;
use crate::helpers::{spawn_app_with, TestApp, TestUser};
use crate::media_person::{both_in_media, hear_each_other, pump, run_for, Person, CONNECT_WAIT};
use crate::socket::send;

async fn media_app(adjust: impl FnOnce(&mut MediaConfig)) -> TestApp {
    spawn_app_with(|config| {
        config.media = MediaConfig::at("127.0.0.1:0".parse().unwrap());
        adjust(&mut config.media);
    })
    .await
}

async fn person(app: &TestApp, space: &str, user: &TestUser) -> Person {
    let (ws, joined) = app.ws_join(space, user).await;
    Person::new(user.id.clone(), ws.stream, (joined.x, joined.y)).await
}

/// Two people in a 30x1 corridor, `a` at its west end and `b` at its east end: 29 tiles
/// apart, far beyond hearing.
async fn corridor(app: &TestApp) -> (Person, Person) {
    let owner = app.user().await;
    let space = app.create_space(&owner, "30x1").await;
    let other = app.user().await;
    let mut first = person(app, &space, &owner).await;
    let mut second = person(app, &space, &other).await;
    if first.x > second.x {
        std::mem::swap(&mut first, &mut second);
    }
    // West one west first, so neither has to pass the other.
    first.walk_to(0).await;
    second.walk_to(29).await;
    (first, second)
}

#[tokio::test]
async fn people_hear_each_other_when_near_and_stop_when_apart() {
    let app = media_app(|_| {}).await;
    let (mut a, mut b) = corridor(&app).await;
    both_in_media(&mut a, &mut b).await;
    run_for(&mut [&mut a, &mut b], Duration::from_millis(500)).await;
    assert_eq!((a.from(&b), b.from(&a)), (0, 0), "29 tiles apart, nothing may be forwarded");

    b.walk_to(3).await;
    let hear = hear_each_other(&mut a, &mut b).await;
    assert!(hear, "3 tiles apart they should hear each other: {} and {} frames", a.from(&b), b.from(&a));
    assert!(a.rtc.video_in > 0 && b.rtc.video_in > 0, "video too, not only audio");
    assert_eq!(
        (a.peers.clone(), b.peers.clone()),
        (vec![b.id.clone()], vec![a.id.clone()]),
        "told whom they hear"
    );

    b.walk_to(29).await;
    // Forwarding stops when the move is handled; what was in flight lands at once.
    run_for(&mut [&mut a, &mut b], Duration::from_millis(300)).await;
    let (heard_a, heard_b) = (b.from(&a), a.from(&b));
    run_for(&mut [&mut a, &mut b], Duration::from_secs(1)).await;
    assert_eq!((b.from(&a), a.from(&b)), (heard_a, heard_b), "apart again, forwarding must stop");
    assert!(a.peers.is_empty() && b.peers.is_empty(), "told they hear nobody: {:?} {:?}", a.peers, b.peers);
    assert!(a.errors.is_empty() && b.errors.is_empty(), "{:?} {:?}", a.errors, b.errors);
}

#[tokio::test]
async fn a_muted_person_is_not_forwarded_and_hysteresis_holds_at_the_edge() {
    let app = media_app(|_| {}).await;
    let (mut a, mut b) = corridor(&app).await;
    both_in_media(&mut a, &mut b).await;
    b.walk_to(5).await; // Exactly the radius: connected.
    let hear = pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[0].from(p[1]) > 20).await;
    assert!(hear, "at the radius they connect");
    b.walk_to(6).await; // Inside radius + hysteresis: still connected.
    run_for(&mut [&mut a, &mut b], Duration::from_millis(300)).await;
    let before = a.from(&b);
    run_for(&mut [&mut a, &mut b], Duration::from_millis(500)).await;
    assert!(a.from(&b) > before, "one tile past the radius, hysteresis keeps them connected");

    b.sending(false, false).await;
    run_for(&mut [&mut a, &mut b], Duration::from_millis(300)).await;
    let muted_at = a.from(&b);
    run_for(&mut [&mut a, &mut b], Duration::from_secs(1)).await;
    assert_eq!(a.from(&b), muted_at, "nothing of a muted person is forwarded");
    assert!(b.from(&a) > 0, "the other direction still flows");
    b.sending(true, true).await;
    let back = pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[0].from(p[1]) > muted_at + 10).await;
    assert!(back, "unmuted, forwarding resumes");
}

#[tokio::test]
async fn media_refusals_are_clear_errors() {
    let app = media_app(|media| media.max_per_space = 1).await;
    let (mut a, mut b) = corridor(&app).await;
    // An answer or mute before any offer.
    send(&mut b.ws, json!({"type": "media-answer", "payload": {"sdp": "v=0"}})).await;
    b.sending(false, true).await;
    // Garbage SDP and a wrongly typed payload.
    send(&mut a.ws, json!({"type": "media-offer", "payload": {"sdp": "not sdp"}})).await;
    send(&mut a.ws, json!({"type": "media-offer", "payload": {"sdp": 42}})).await;
    run_for(&mut [&mut a, &mut b], Duration::from_millis(300)).await;
    assert_eq!(b.errors, ["media-not-started", "media-not-started"]);
    assert_eq!(a.errors, ["bad-sdp", "bad-payload"]);
    // A takes the space's one place in media (a refused offer takes none); B is refused.
    a.errors.clear();
    b.errors.clear();
    a.start_media(&[MediaKind::Audio]).await;
    b.start_media(&[MediaKind::Audio]).await;
    let refused =
        pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[0].rtc.connected && !p[1].errors.is_empty()).await;
    assert!(refused, "a connects, b is refused: {:?} {:?}", a.errors, b.errors);
    assert_eq!(b.errors, ["media-full"]);
    // Once A leaves media, B may start. The barrier: the room has handled A's leave.
    send(&mut a.ws, json!({"type": "media-leave"})).await;
    a.sync().await;
    b.errors.clear();
    b.rtc = RtcClient::new(b.rtc.marker).await;
    b.start_media(&[MediaKind::Audio]).await;
    let joined = pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[1].rtc.connected).await;
    assert!(joined, "after a left, b gets its place: {:?}", b.errors);
}

#[tokio::test]
async fn a_server_without_media_says_so() {
    let app = spawn_app_with(|_| {}).await;
    let owner = app.user().await;
    let space = app.create_space(&owner, "5x5").await;
    let mut alone = person(&app, &space, &owner).await;
    alone.start_media(&[MediaKind::Audio]).await;
    alone.sync().await;
    assert_eq!(alone.errors, ["media-off"]);
    let config = app.get("/media", Some(&owner.token)).await.ok();
    assert_eq!(config, json!({"enabled": false, "iceServers": []}));
}

#[tokio::test]
async fn the_media_config_hands_out_turn_credentials_to_signed_in_people() {
    let app = media_app(|media| {
        media.turn_urls = vec!["turn:127.0.0.1:3478".into()];
        media.turn_secret = Some("shared".into());
        media.turn_ttl_secs = 600;
    })
    .await;
    app.get("/media", None).await.error(403);
    let user = app.user().await;
    let config = app.get("/media", Some(&user.token)).await.ok();
    assert_eq!(config["enabled"], true);
    let server = &config["iceServers"][0];
    assert_eq!(server["urls"], json!(["turn:127.0.0.1:3478"]));
    let username = server["username"].as_str().unwrap();
    let (expiry, id) = username.split_once(':').unwrap();
    assert_eq!(id, user.id);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let expiry: u64 = expiry.parse().unwrap();
    assert!(expiry > now && expiry <= now + 600, "expires within the ttl: {expiry} vs now {now}");
    assert!(!server["credential"].as_str().unwrap().is_empty());
}

#[tokio::test]
async fn metrics_count_media() {
    let app = media_app(|_| {}).await;
    let (mut a, mut b) = corridor(&app).await;
    both_in_media(&mut a, &mut b).await;
    b.walk_to(2).await;
    assert!(pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[0].from(p[1]) > 5).await);
    let text =
        app.http.get(format!("http://{}/metrics", app.addr)).send().await.unwrap().text().await.unwrap();
    let value = |name: &str| -> f64 {
        let line =
            text.lines().find(|l| l.starts_with(name)).unwrap_or_else(|| panic!("no {name} in /metrics"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value("gather_media_peer_connections "), 2.0);
    assert!(value("gather_media_frames_forwarded_total ") > 5.0);
    assert_eq!(value("gather_media_links_total{change=\"connected\"}"), 1.0);
    // Each has the other's camera and microphone in a slot.
    assert_eq!(value("gather_media_forwarded_tracks "), 4.0);
    assert!(value("gather_media_datagrams_out_total ") > 5.0);
}

#[tokio::test]
async fn slots_go_to_the_nearest_and_are_rebound_without_renegotiating() {
    let app = media_app(|media| {
        media.audio_slots = 2;
        media.camera_slots = 2;
    })
    .await;
    let owner = app.user().await;
    let space = app.create_space(&owner, "30x1").await;
    let mut people = Vec::new();
    for user in [owner, app.user().await, app.user().await, app.user().await] {
        people.push(person(&app, &space, &user).await);
    }
    // In a row from the west end: each walks west to its place without passing another.
    people.sort_by_key(|p| p.x);
    for (x, person) in people.iter_mut().enumerate() {
        person.walk_to(x as i64).await;
    }
    for person in &mut people {
        person.start_media(&[MediaKind::Audio]).await;
    }
    let [a, b, c, d] = &mut people[..] else { unreachable!() };
    let up = pump(&mut [a, b, c, d], CONNECT_WAIT, |p| p.iter().all(|p| p.rtc.connected)).await;
    assert!(up, "the media sessions did not connect");
    // A, at the west end, has two slots: they carry the two nearest, B and C, not D.
    let hear = pump(&mut [a, b, c, d], CONNECT_WAIT, |p| p[0].from(p[1]) > 20 && p[0].from(p[2]) > 20).await;
    assert!(hear, "A should hear B and C: {} and {} frames", a.from(b), a.from(c));
    assert_eq!(a.audio_slots, [Some(b.id.clone()), Some(c.id.clone())]);
    assert_eq!(a.peers, [b.id.clone(), c.id.clone(), d.id.clone()], "connected to all three, nearest first");
    assert_eq!(a.from(d), 0, "the farthest gets no slot");
    let offers = a.server_offers;

    // B leaves media: its slot goes to D, with no new offer to A.
    send(&mut b.ws, json!({"type": "media-leave"})).await;
    let rebound = pump(&mut [a, b, c, d], CONNECT_WAIT, |p| p[0].from(p[3]) > 20).await;
    assert!(rebound, "D did not get B's slot: slots {:?}", a.audio_slots);
    assert_eq!(a.audio_slots, [Some(d.id.clone()), Some(c.id.clone())], "C keeps its slot");
    assert_eq!(a.server_offers, offers, "rebinding needs no renegotiation");
    assert!(a.errors.is_empty(), "{:?}", a.errors);
}

#[tokio::test]
async fn a_moderator_mutes_someone_and_do_not_disturb_is_heard_by_nobody() {
    let app = media_app(|_| {}).await;
    let owner = app.user().await;
    let space = app.create_space(&owner, "30x1").await;
    let guest = app.user().await;
    let mut a = person(&app, &space, &owner).await;
    let mut b = person(&app, &space, &guest).await;
    {
        // West one west first, so neither passes the other; then the east one comes close.
        let (west, east) = if a.x < b.x { (&mut a, &mut b) } else { (&mut b, &mut a) };
        west.walk_to(0).await;
        east.walk_to(29).await;
        east.walk_to(2).await;
    }
    both_in_media(&mut a, &mut b).await;
    assert!(hear_each_other(&mut a, &mut b).await, "near, they hear each other");

    let mute =
        app.post(&format!("/space/{space}/mute"), Some(&owner.token), json!({"userId": guest.id})).await;
    mute.ok();
    let told = pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[1].muted_by_moderator == 1).await;
    assert!(told, "the muted person is told");
    run_for(&mut [&mut a, &mut b], Duration::from_millis(300)).await;
    let muted_at = a.from(&b);
    run_for(&mut [&mut a, &mut b], Duration::from_secs(1)).await;
    assert_eq!(a.from(&b), muted_at, "nothing of theirs is forwarded once muted");
    let refused =
        app.post(&format!("/space/{space}/mute"), Some(&guest.token), json!({"userId": owner.id})).await;
    assert_eq!(refused.error(403), "forbidden", "a guest mutes nobody");

    b.sending(true, true).await; // They may speak again, by their own choice.
    let back = pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[0].from(p[1]) > muted_at + 10).await;
    assert!(back, "unmuted by themselves, forwarding resumes");

    send(&mut b.ws, json!({"type": "set-status", "payload": {"status": "do-not-disturb"}})).await;
    let parted =
        pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| p[0].peers.is_empty() && p[1].peers.is_empty()).await;
    assert!(parted, "do-not-disturb is connected to nobody: {:?} {:?}", a.peers, b.peers);
    run_for(&mut [&mut a, &mut b], Duration::from_millis(300)).await;
    let (heard_a, heard_b) = (a.from(&b), b.from(&a));
    run_for(&mut [&mut a, &mut b], Duration::from_secs(1)).await;
    assert_eq!((a.from(&b), b.from(&a)), (heard_a, heard_b), "nothing flows either way");
    send(&mut b.ws, json!({"type": "set-status", "payload": {"status": "available"}})).await;
    let again = pump(&mut [&mut a, &mut b], CONNECT_WAIT, |p| {
        p[0].from(p[1]) > heard_a + 10 && p[1].from(p[0]) > heard_b + 10
    })
    .await;
    assert!(again, "available again, connected again");
}
