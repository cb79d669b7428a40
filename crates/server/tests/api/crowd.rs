//! Interest management: in a crowded space people hear only the moves of those near them,
//! and are told as others come into or go out of their view.

use std::collections::HashMap;
use std::time::Duration;

use gather_protocol::ServerFrame;

use crate::helpers::{neighbour, spawn_app_on_manual_clock, spawn_app_with, Joined, TestUser, WsClient};

const RADIUS: i64 = 2;

fn sees(a: i64, b: i64) -> bool {
    (a - b).abs() <= RADIUS
}

#[tokio::test]
async fn in_a_crowd_only_the_near_hear_a_move_and_crossings_are_announced() {
    let app = spawn_app_on_manual_clock(|c| {
        c.interest_threshold = 2;
        c.interest_radius = RADIUS as u32;
    })
    .await;
    let admin = app.admin().await;
    // A corridor 40 tiles long, walled off in the middle: two rooms of five tiles each.
    let wall = app.create_element(&admin, 30, 1, true).await;
    let space = app.create_space(&admin, "40x1").await;
    app.place(&admin, &space, &wall, 5, 0).await.ok();

    let mut people: Vec<(TestUser, WsClient, i64)> = Vec::new();
    for _ in 0..4 {
        let user = app.user().await;
        let (ws, Joined { x, .. }) = app.ws_join(&space, &user).await;
        people.push((user, ws, x));
    }
    for (_, ws, _) in &mut people {
        ws.sync().await; // Whom each was shown on joining: not what this test is about.
    }

    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut rng = 0x2545_F491_4F6C_DD1Du64;
    for _ in 0..60 {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let mover = (rng % 4) as usize;
        let from = people[mover].2;
        let to = if rng & 16 == 0 { from + 1 } else { from - 1 };
        let free = |x: i64| (0..5).contains(&x) || (35..40).contains(&x);
        if !free(to) || people.iter().any(|(_, _, x)| *x == to) {
            continue;
        }
        // About a step a second, which keeps every socket (a step and a barrier a round)
        // within its frame rate.
        app.clock.advance(Duration::from_secs(1));
        people[mover].1.send_move(to, 0).await;
        // The mover's barrier first: then the step has been dealt with, and each other
        // socket's barrier comes after it. (The mover may be shown those coming into view.)
        assert_eq!(people[mover].1.sync_at().await.1, (to, 0), "{from}->{to} accepted");
        people[mover].2 = to;
        let mover_id = people[mover].0.id.parse().unwrap();
        for (i, (_, ws, at)) in people.iter_mut().enumerate() {
            if i == mover {
                continue;
            }
            let frames = ws.sync().await;
            let expected = match (sees(from, *at), sees(to, *at)) {
                (true, true) => Some(ServerFrame::Movement { user_id: mover_id, x: to, y: 0 }),
                (false, true) => Some(ServerFrame::UserAppeared { user_id: mover_id, x: to, y: 0 }),
                (true, false) => Some(ServerFrame::UserDisappeared { user_id: mover_id }),
                (false, false) => None,
            };
            let kind = match &expected {
                Some(ServerFrame::Movement { .. }) => "movement",
                Some(ServerFrame::UserAppeared { .. }) => "appeared",
                Some(_) => "disappeared",
                None => "silence",
            };
            *seen.entry(kind).or_default() += 1;
            assert_eq!(frames, expected.into_iter().collect::<Vec<_>>(), "{from}->{to} seen from {at}");
        }
    }
    for kind in ["movement", "silence"] {
        assert!(seen.get(kind).copied().unwrap_or(0) > 0, "never saw {kind}: {seen:?}");
    }
}

#[tokio::test]
async fn below_the_threshold_everyone_hears_every_move() {
    let app = spawn_app_with(|c| {
        c.interest_threshold = 10;
        c.interest_radius = 1;
    })
    .await;
    let (a, b) = (app.user().await, app.user().await);
    // Two rows: whoever stands next to a, a always has a free tile to step to.
    let space = app.create_space(&a, "40x2").await;
    let (mut on_a, at) = app.ws_join(&space, &a).await;
    let (mut on_b, b_at) = app.ws_join(&space, &b).await;
    on_a.next().await; // user-joined
    let (to_x, to_y) = neighbour(at.x, at.y, 40, 2, &[(b_at.x, b_at.y)]);
    on_a.send_move(to_x, to_y).await;
    assert_eq!(on_b.next().await, ServerFrame::Movement { user_id: a.id.parse().unwrap(), x: to_x, y: to_y });
}
