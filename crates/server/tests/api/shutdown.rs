use gather_protocol::ServerFrame;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn stopping_tells_every_socket_and_keeps_every_acknowledged_write() {
    let mut app = spawn_app().await;
    let alice = app.user().await;
    let space = app.create_space(&alice, "5x5").await;
    let (mut ws, _) = app.ws_join(&space, &alice).await;
    ws.send_chat(json!({"text": "said just before the stop"})).await;
    assert!(matches!(ws.next().await, ServerFrame::Chat(_)));

    let (_, (frame, close)) = tokio::join!(app.restart(), async {
        let frame = ws.next().await;
        (frame, ws.expect_close().await)
    });
    assert_eq!(frame, ServerFrame::ServerShutdown {});
    assert_eq!(close, Some(1001));

    let history = app.get(&format!("/space/{space}/chat"), Some(&alice.token)).await.ok();
    assert_eq!(history["messages"][0]["text"], "said just before the stop");
}
