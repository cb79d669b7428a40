use gather_protocol::ServerFrame;

use crate::helpers::{neighbour, spawn_app, TestApp, TestUser, WsClient};

async fn two_in_a_room(
    app: &TestApp,
    dims: &str,
) -> (TestUser, WsClient, (i64, i64), TestUser, WsClient, (i64, i64), String) {
    let (alice, bob) = (app.user().await, app.user().await);
    let space = app.create_space(&alice, dims).await;
    let (mut a, a_at) = app.ws_join(&space, &alice).await;
    let (b, b_at) = app.ws_join(&space, &bob).await;
    assert!(matches!(a.next().await, ServerFrame::UserJoined { .. }));
    (alice, a, (a_at.x, a_at.y), bob, b, (b_at.x, b_at.y), space)
}

#[tokio::test]
async fn a_valid_step_is_seen_by_the_others_and_not_echoed() {
    let app = spawn_app().await;
    let (alice, mut a, (ax, ay), _bob, mut b, b_at, _) = two_in_a_room(&app, "10x10").await;
    let (nx, ny) = neighbour(ax, ay, 10, 10, &[b_at]);
    a.send_move(nx, ny).await;
    assert_eq!(b.next().await, ServerFrame::Movement { user_id: alice.id.parse().unwrap(), x: nx, y: ny });
    assert_eq!(a.sync_at().await, (vec![], (nx, ny)), "not echoed to the mover");

    // And back again: the server tracked the new position.
    a.send_move(ax, ay).await;
    assert_eq!(b.next().await, ServerFrame::Movement { user_id: alice.id.parse().unwrap(), x: ax, y: ay });
}

#[tokio::test]
async fn jumps_diagonals_and_standing_still_are_rejected_to_the_mover_alone() {
    let app = spawn_app().await;
    let (_alice, mut a, (ax, ay), _bob, mut b, _, _) = two_in_a_room(&app, "50x50").await;
    let toward_middle = |v: i64, by: i64| if v < 25 { v + by } else { v - by };
    let (jump_x, jump_y) = (toward_middle(ax, 2), toward_middle(ay, 2));
    let diagonal = (toward_middle(ax, 1), toward_middle(ay, 1));
    for (x, y) in [(jump_x, ay), (ax, jump_y), diagonal, (ax, ay), (1_000_000, 1_000_000), (-1, ay), (ax, -1)]
    {
        a.send_move(x, y).await;
        assert_eq!(a.next().await, ServerFrame::MovementRejected { x: ax, y: ay }, "move to {x},{y}");
    }
    assert_eq!(b.sync().await, [], "the others hear nothing of refused moves");
}

#[tokio::test]
async fn the_edge_of_the_space_is_a_wall() {
    let app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "1x1").await;
    let (mut a, at) = app.ws_join(&space, &alice).await;
    assert_eq!((at.x, at.y), (0, 0));
    for (x, y) in [(1, 0), (0, 1), (-1, 0), (0, -1)] {
        a.send_move(x, y).await;
        assert_eq!(a.next().await, ServerFrame::MovementRejected { x: 0, y: 0 });
    }
}

#[tokio::test]
async fn solid_furniture_cannot_be_walked_into_but_rugs_can() {
    let app = spawn_app().await;
    let admin = app.admin().await;
    let alice = app.user().await;
    let desk = app.create_element(&admin, 1, 1, true).await;
    let rug = app.create_element(&admin, 1, 1, false).await;
    // [rug][free][desk]: alice can only spawn on the rug or the free tile.
    let space = app.create_space(&alice, "3x1").await;
    app.place(&alice, &space, &rug, 0, 0).await.ok();
    app.place(&alice, &space, &desk, 2, 0).await.ok();
    let (mut a, at) = app.ws_join(&space, &alice).await;
    assert!(at.x < 2);
    if at.x == 0 {
        a.send_move(1, 0).await;
    }
    a.send_move(2, 0).await;
    assert_eq!(a.next().await, ServerFrame::MovementRejected { x: 1, y: 0 });
    a.send_move(0, 0).await;
    assert_eq!(a.sync_at().await, (vec![], (0, 0)), "onto the rug");
}

#[tokio::test]
async fn nobody_steps_onto_someone_elses_tile() {
    let app = spawn_app().await;
    let (_, mut a, a_at, _, mut b, b_at, _) = two_in_a_room(&app, "2x1").await;
    a.send_move(b_at.0, b_at.1).await;
    assert_eq!(a.next().await, ServerFrame::MovementRejected { x: a_at.0, y: a_at.1 });
    b.send_move(a_at.0, a_at.1).await;
    assert_eq!(b.next().await, ServerFrame::MovementRejected { x: b_at.0, y: b_at.1 });
    assert_eq!(a.sync().await, []);
}

#[tokio::test]
async fn a_tile_frees_up_when_its_occupant_leaves() {
    let app = spawn_app().await;
    let (_alice, mut a, _, bob, b, b_at, _) = two_in_a_room(&app, "2x1").await;
    drop(b);
    assert_eq!(a.next().await, ServerFrame::UserLeft { user_id: bob.id.parse().unwrap() });
    a.send_move(b_at.0, b_at.1).await;
    assert_eq!(a.sync_at().await, (vec![], b_at));
}

#[tokio::test]
async fn moving_before_joining_is_an_error() {
    let app = spawn_app().await;
    let mut ws = app.ws().await;
    ws.send_move(1, 1).await;
    assert!(matches!(ws.next().await, ServerFrame::Error { code, .. } if code == "not-joined"));
}

#[tokio::test]
async fn racing_for_one_tile_lets_exactly_one_in() {
    let app = spawn_app().await;
    let (alice, bob) = (app.user().await, app.user().await);
    for _ in 0..20 {
        // Three tiles in a row; the two stand at the ends and both step into the middle.
        let space = app.create_space(&alice, "3x1").await;
        let (mut a, a_at) = app.ws_join(&space, &alice).await;
        let (mut b, b_at) = app.ws_join(&space, &bob).await;
        a.next().await; // user-joined
        if a_at.x == 1 {
            a.send_move(2 - b_at.x, 0).await;
            b.next().await;
        } else if b_at.x == 1 {
            b.send_move(2 - a_at.x, 0).await;
            a.next().await;
        }
        tokio::join!(a.send_move(1, 0), b.send_move(1, 0));
        // Each socket's first refusal answers its step if that was refused, else the barrier.
        let ((fa, at_a), (fb, at_b)) = tokio::join!(a.sync_at(), b.sync_at());
        assert!((at_a == (1, 0)) ^ (at_b == (1, 0)), "exactly one stands in the middle: {at_a:?} / {at_b:?}");
        let (winner, (mut loser, loser_frames, loser_at)) =
            if at_a == (1, 0) { (fa, (b, fb, at_b)) } else { (fb, (a, fa, at_a)) };
        assert_eq!(winner, [], "the winner hears nothing");
        assert!(
            matches!(loser_frames[..], [ServerFrame::Movement { x: 1, y: 0, .. }]),
            "the loser sees the winner step in, then is refused: {loser_frames:?}"
        );
        let barrier = ServerFrame::MovementRejected { x: loser_at.0, y: loser_at.1 };
        assert_eq!(loser.next().await, barrier, "the loser's barrier follows");
    }
}
