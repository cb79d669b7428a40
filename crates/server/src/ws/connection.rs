//! One WebSocket connection: reads frames, turns them into room commands, and answers bad
//! input with `error` frames. Nothing a client sends ends the connection except an
//! oversized frame, silence past the idle timeout, or closing it; the server ends it when
//! its session is revoked, its space is deleted, or the server shuts down.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket};
use bytes::Bytes;
use futures_util::StreamExt;
use gather_core::{ChatError, ChatMessageId, ChatScope, ChatText, SessionId, UserId};
use gather_protocol::ws::{AdmitPayload, ResumePayload, MAX_CLIENT_KEY_CHARS, MAX_STATUS_CHARS};
use gather_protocol::{parse_client_frame, ClientFrame, ServerFrame, StatusPayload};
use gather_store::{ChatAppend, ChatMessage, NewChatMessage};
use tokio::sync::broadcast::{self, error::RecvError};
use tokio::sync::watch;

use super::parked::Parked;
use super::quota::SocketSlot;
use super::rate::TokenBucket;
use super::writer::{Detached, SentLog, Writer};
use crate::auth::SessionError;
use crate::auth::{authenticate, Bearer};
use crate::entry::EntryError;
use crate::error::ApiError;
use crate::http::chat::chat_body;
use crate::metrics::Metrics;
use crate::rooms::{CloseReason, FrameKind, Membership, Outbox, OutboxReceiver, RoomJoinError};
use crate::state::AppState;

/// Frames a connection may have queued for it before it counts as too slow to keep up.
/// Coalescing keeps a lagging reader's queue to about one movement per person, so this is
/// reached by a reader that has stopped (after the kernel's buffers filled), not by one
/// that merely waits on a saturated server.
const OUTBOX_CAPACITY: usize = 2048;
/// Frames waiting after which the writer counts as behind and a person's newer movement
/// replaces their older one still in the queue. Below it, every frame is delivered.
const COALESCE_FROM: usize = 32;
/// Inbound frames: a generous burst, then a steady rate well above human key repeat.
const FRAME_BURST: u32 = 60;
const FRAMES_PER_SECOND: u32 = 30;
/// How long a closing connection waits for its writer to say goodbye.
const WRITER_GRACE: Duration = Duration::from_secs(5);

pub async fn run(socket: WebSocket, state: AppState) {
    let counted = OpenConnection::count(&state);
    let (sink, mut stream) = socket.split();
    let (outbox, outbox_rx) = Outbox::new(OUTBOX_CAPACITY, COALESCE_FROM);
    let idle_timeout = state.config.ws_idle_timeout();
    let log = SentLog::new(state.metrics.ws_replay_kept.clone());
    let replay_keep = log.keeping();
    let writer = Writer::start(sink, outbox_rx, log, Vec::new(), idle_timeout / 3, state.saturation.clone());
    let mut shutdown = state.shutdown.clone();
    let mut revocations = Some(state.sessions.revocations());
    let mut conn = Connection {
        limiter: TokenBucket::new(FRAME_BURST, FRAMES_PER_SECOND, state.clock.now()),
        closing: outbox.closing(),
        state,
        outbox,
        writer: Some(writer),
        slot: None,
        membership: None,
        signed_in: None,
        resume_key: None,
        grant: None,
        replay_keep,
    };
    if *shutdown.borrow_and_update() {
        conn.shut_down();
    }
    let end = loop {
        tokio::select! {
            _ = conn.closing.changed() => break End::Closed,
            // Changed (to true) or the server's sender is gone: either way, we are stopping.
            _ = shutdown.changed() => {
                conn.shut_down();
                break End::Closed;
            }
            revoked = next_revocation(&mut revocations) => match revoked {
                Ok(session) => conn.on_revoked(session),
                // Missed some announcements: ask about our own session directly.
                Err(RecvError::Lagged(_)) => conn.recheck_session().await,
                Err(RecvError::Closed) => revocations = None,
            },
            read = tokio::time::timeout(idle_timeout, stream.next()) => match read {
                // Silent past the timeout, or gone without a word: the network, most likely.
                Err(_) => break End::Lost { idle: true },
                Ok(None) => break End::Lost { idle: false },
                Ok(Some(Ok(Message::Close(_)))) => break End::Left,
                // The transport refused a frame far beyond the size limit.
                Ok(Some(Err(e))) if is_too_large(&e) => {
                    conn.reply_error("frame-too-large", format!("the frame could not be read: {e}"));
                    conn.outbox.close(CloseReason::TOO_BIG);
                }
                // Reset, or cut off mid-frame: the network again.
                Ok(Some(Err(_))) => break End::Lost { idle: false },
                Ok(Some(Ok(Message::Text(text)))) => conn.on_text(text.as_str()).await,
                Ok(Some(Ok(Message::Binary(bytes)))) => conn.on_binary(bytes.len()),
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => {}
            },
        }
    };
    // No longer counted once it has stopped reading, and before the others hear it left,
    // so whoever is told `user-left` finds the gauge lowered too.
    drop(counted);
    let writer = conn.writer.take().expect("a connection always has a writer");
    if let End::Lost { idle } = end {
        if conn.may_park() {
            if let Some(detached) = writer.detach(WRITER_GRACE).await {
                return conn.park(detached);
            }
            // The writer had already closed: nothing to come back to.
            return;
        }
        if !idle {
            // Nobody is there to read a goodbye: stop writing at once.
            drop(conn);
            drop(writer.detach(WRITER_GRACE).await);
            return;
        }
        // Silent, but perhaps still reading: worth telling why the socket closes.
        conn.outbox.close(CloseReason::IDLE);
    }
    // Leaving before the writer finishes means the others hear `user-left` promptly.
    drop(conn);
    writer.finish(WRITER_GRACE).await;
}

fn is_too_large(error: &axum::Error) -> bool {
    let source = std::error::Error::source(error);
    source
        .and_then(|e| e.downcast_ref::<tungstenite::Error>())
        .is_some_and(|e| matches!(e, tungstenite::Error::Capacity(_)))
}

/// How a connection's read loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The client closed the socket: it meant to go.
    Left,
    /// The server closed it (revoked, removed, shutting down, too slow, ...).
    Closed,
    /// The socket broke (`idle: false`) or fell silent past the idle timeout: a network
    /// blip, perhaps, worth waiting out.
    Lost { idle: bool },
}

/// Counts this connection in `gather_ws_connections_open` while `run` serves it.
struct OpenConnection(Arc<Metrics>);

impl OpenConnection {
    fn count(state: &AppState) -> Self {
        state.metrics.ws_connections.inc();
        Self(state.metrics.clone())
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.0.ws_connections.dec();
    }
}

async fn next_revocation(
    revocations: &mut Option<broadcast::Receiver<SessionId>>,
) -> Result<SessionId, RecvError> {
    match revocations {
        Some(receiver) => receiver.recv().await,
        None => std::future::pending().await,
    }
}

struct Connection {
    state: AppState,
    outbox: Outbox,
    /// Fires when someone asks `outbox` to close.
    closing: watch::Receiver<Option<CloseReason>>,
    /// Writes `outbox` to the socket; replaced when a `resume` takes over a parked queue.
    writer: Option<Writer>,
    /// Held while `membership` is: this socket's place in its account's socket cap.
    /// Declared first so it is dropped first: once the space hears the socket has left,
    /// its place is free for another.
    slot: Option<SocketSlot>,
    membership: Option<Membership>,
    limiter: TokenBucket,
    /// Set by the first successful join: who this socket speaks for.
    signed_in: Option<SignedIn>,
    /// The key the client gave to resume this membership after a dropped socket.
    resume_key: Option<String>,
    /// The password grant the join gave, for a fresh join in its place after a resume.
    grant: Option<String>,
    /// How many sent frames the writer keeps to send again: none until a resumable join.
    replay_keep: Arc<std::sync::atomic::AtomicUsize>,
}

/// A socket's queue: where the room puts frames, where the writer takes them, and the log
/// of what was written.
struct Queue {
    outbox: Outbox,
    frames: OutboxReceiver,
    log: SentLog,
}

impl Queue {
    fn fresh(metrics: &Metrics) -> Self {
        let (outbox, frames) = Outbox::new(OUTBOX_CAPACITY, COALESCE_FROM);
        Self { outbox, frames, log: SentLog::new(metrics.ws_replay_kept.clone()) }
    }
}

/// What a resume brings to [`Connection::adopt`] from a parked membership, if any.
struct Held {
    slot: Option<SocketSlot>,
    grant: Option<String>,
    /// The `ws_resumes_total` outcome when it works.
    outcome: &'static str,
}

struct SignedIn {
    bearer: Bearer,
    username: String,
}

impl Connection {
    /// The size and rate limits every inbound frame passes, whatever its kind; false when
    /// the frame is refused (and the client told why).
    fn admit(&mut self, len: usize) -> bool {
        if len > self.state.config.ws_max_frame_bytes {
            let limit = self.state.config.ws_max_frame_bytes;
            self.reply_error("frame-too-large", format!("frames may be at most {limit} bytes"));
            self.outbox.close(CloseReason::TOO_BIG);
            return false;
        }
        if !self.limiter.try_take(self.state.clock.now()) {
            let wait = self.limiter.wait_time().as_millis();
            self.reply_error("rate-limited", format!("too many frames; slow down (next in {wait} ms)"));
            return false;
        }
        true
    }

    /// The contract speaks only JSON text; a binary frame is refused, after counting
    /// against the same limits as text so it is no way around them.
    fn on_binary(&mut self, len: usize) {
        if self.admit(len) {
            self.state.metrics.frames_in.with_label_values(&["invalid"]).inc();
            self.reply_error("bad-json", "send JSON text frames, not binary ones");
        }
    }

    async fn on_text(&mut self, text: &str) {
        if !self.admit(text.len()) {
            return;
        }
        match parse_client_frame(text) {
            Ok(frame) => {
                self.state.metrics.frames_in.with_label_values(&[frame.kind()]).inc();
                self.on_frame(frame).await;
            }
            Err(e) => {
                self.state.metrics.frames_in.with_label_values(&["invalid"]).inc();
                self.reply_error(e.code(), e.message());
            }
        }
    }

    async fn on_frame(&mut self, frame: ClientFrame) {
        // Joining, resuming and chat go through the store and the node link: their futures
        // are large, and boxed they take that room only while they run, instead of in
        // every idle connection's task.
        match frame {
            ClientFrame::Join { space_id, token, spawn, grant, resume_key } => {
                Box::pin(self.join(space_id, &token, spawn, grant.as_deref(), resume_key)).await;
            }
            ClientFrame::Resume(resume) => Box::pin(self.resume(resume)).await,
            ClientFrame::Move { to } => match &self.membership {
                Some(membership) => membership.step(to).await,
                None => self.reply_error("not-joined", "join a space before moving"),
            },
            ClientFrame::Leave => match self.membership.take() {
                Some(membership) => {
                    membership.leave().await;
                    self.slot = None;
                }
                None => self.reply_error("not-joined", "you are not in a space"),
            },
            ClientFrame::Chat { text, scope, to, client_id } => {
                Box::pin(self.on_chat(&text, scope, to, client_id)).await
            }
            ClientFrame::SetStatus(StatusPayload { status, text }) => {
                let Some(membership) = &self.membership else {
                    return self.reply_error("not-joined", "join a space before setting a status");
                };
                let text = text.trim();
                if text.chars().count() > MAX_STATUS_CHARS || text.chars().any(char::is_control) {
                    let message =
                        format!("a status text is at most {MAX_STATUS_CHARS} characters, on one line");
                    return self.reply_error("invalid-status", message);
                }
                membership.set_status(status, text.to_owned()).await;
            }
            ClientFrame::Admit(AdmitPayload { user_id }) => match &self.membership {
                Some(membership) => membership.admit(user_id).await,
                None => self.reply_error("not-joined", "join a space before letting anyone in"),
            },
            ClientFrame::Media(signal) => match &self.membership {
                Some(membership) => membership.media(signal).await,
                None => self.reply_error("not-joined", "join a space before starting voice or video"),
            },
        }
    }

    async fn join(
        &mut self,
        space_id: gather_core::SpaceId,
        token: &str,
        spawn: Option<String>,
        grant: Option<&str>,
        resume_key: Option<String>,
    ) {
        if let Some(current) = &self.membership {
            let message = format!("this socket is already in space {}; leave first", current.space());
            return self.reply_error("already-joined", message);
        }
        if let Err(message) = check_client_key("resumeKey", resume_key.as_deref()) {
            return self.reply_error("invalid-resume-key", message);
        }
        let signed_in = match self.sign_in(token).await {
            Ok(signed_in) => signed_in,
            Err(ApiError::Forbidden(message)) => return self.reply_error("invalid-token", message),
            Err(e) => return self.reply_error("unavailable", e.to_string()),
        };
        let user = signed_in.bearer.user;
        self.signed_in = Some(signed_in);
        let max = self.state.config.max_sockets_per_user;
        let Some(slot) = self.state.joined_sockets.try_hold(user, max) else {
            let message = format!("this account already has {max} sockets in spaces; close one first");
            return self.reply_error("too-many-sockets", message);
        };
        let role = match self.check_entry(space_id, user, grant).await {
            Ok(role) => role,
            Err((code, message)) => return self.reply_error(code, message),
        };
        // Moderators and the owner walk into locked areas without knocking.
        let keyholder = role.may(gather_core::SpaceAction::Moderate);
        if resume_key.is_some() {
            // Before the join, so that `space-joined` is among the frames kept.
            self.keep_for_replay(&self.replay_keep);
        }
        match self.state.rooms.join(space_id, user, spawn, keyholder, self.outbox.clone()).await {
            Ok(membership) => {
                self.membership = Some(membership);
                self.slot = Some(slot);
                self.resume_key = resume_key;
                self.grant = grant.map(str::to_owned);
            }
            Err(e) => self.reply_error(join_error_code(e), e.to_string()),
        }
    }

    /// Takes back a membership parked when its socket dropped: the frames the client
    /// missed first, then on as if nothing happened. Must be the socket's first frame.
    async fn resume(&mut self, resume: ResumePayload) {
        if self.membership.is_some() || self.signed_in.is_some() {
            return self.reply_error("already-joined", "resume must be the first frame on a new socket");
        }
        if let Err(message) = check_client_key("resumeKey", Some(&resume.resume_key)) {
            return self.reply_error("invalid-resume-key", message);
        }
        // A revoked session, or a banned account, cannot come back.
        let signed_in = match self.sign_in(&resume.token).await {
            Ok(signed_in) => signed_in,
            Err(ApiError::Forbidden(message)) => return self.reply_error("invalid-token", message),
            Err(e) => return self.reply_error("unavailable", e.to_string()),
        };
        let user = signed_in.bearer.user;
        let outcome = |outcome: &str| self.state.metrics.ws_resumes.with_label_values(&[outcome]).inc();
        let Some(parked) = self.state.parked.take(user, &resume.resume_key) else {
            let held = Held { slot: None, grant: None, outcome: "adopted" };
            return self.adopt(resume, signed_in, held).await;
        };
        let refused_since = parked.outbox.closing().borrow().is_some();
        if parked.space != resume.space_id || refused_since {
            outcome("refused");
            drop(parked);
            return self.reply_error("resume-failed", "that membership has ended: join again");
        }
        let Some(missed) = parked.detached.log.since(resume.last_seq) else {
            // Too much was missed to send again: the same place in the space on a fresh
            // queue, with a fresh picture. The parked membership, no longer the current one,
            // then goes without a word to anyone.
            let mut parked = parked;
            let held = Held { slot: parked.slot.take(), grant: parked.grant.clone(), outcome: "snapshot" };
            self.adopt(resume, signed_in, held).await;
            drop(parked);
            return;
        };
        outcome("replayed");
        self.state.metrics.ws_replayed.inc_by(missed.len() as u64);
        let resumed = ServerFrame::Resumed { replayed: missed.len() as u64, snapshot: false }.to_json();
        let mut first = vec![Bytes::from(resumed)];
        first.extend(missed);
        let Parked { membership, slot, outbox, detached, username, grant, .. } = parked;
        self.restart_writer(Queue { outbox, frames: detached.outbox, log: detached.log }, first).await;
        self.membership = Some(membership);
        self.slot = slot;
        self.signed_in = Some(SignedIn { bearer: signed_in.bearer, username });
        self.resume_key = Some(resume.resume_key);
        self.grant = grant;
    }

    /// Takes the person's place in the space again on a fresh queue, with a fresh picture
    /// of it: for a gap too long to replay (`held` has the parked membership's socket slot
    /// and grant), or a resume this node holds nothing for. The socket may have been on a
    /// node that died with the space's owner: the new owner then holds the person where
    /// they stood, for a while. Either way nobody else sees a thing. Otherwise the wait is
    /// over: the client joins afresh.
    async fn adopt(&mut self, resume: ResumePayload, signed_in: SignedIn, held: Held) {
        let user = signed_in.bearer.user;
        let outcome = |outcome: &str| self.state.metrics.ws_resumes.with_label_values(&[outcome]).inc();
        let nothing_to_resume = |this: &Self| {
            outcome("expired");
            this.reply_error(
                "resume-failed",
                "there is nothing to resume (the wait is over, or this is another server): join again",
            );
        };
        let max = self.state.config.max_sockets_per_user;
        let Some(slot) = held.slot.or_else(|| self.state.joined_sockets.try_hold(user, max)) else {
            return nothing_to_resume(self);
        };
        // Who may enter is checked again, as for a join. A grant that stayed with a dead
        // node is not here: such a client joins again, with its grant.
        let Ok(role) = self.check_entry(resume.space_id, user, held.grant.as_deref()).await else {
            return nothing_to_resume(self);
        };
        let keyholder = role.may(gather_core::SpaceAction::Moderate);
        let queue = Queue::fresh(&self.state.metrics);
        // Before the room is asked, so that its `space-joined` is among the frames kept.
        self.keep_for_replay(&queue.log.keeping());
        match self.state.rooms.adopt(resume.space_id, user, keyholder, queue.outbox.clone()).await {
            Ok(membership) => {
                outcome(held.outcome);
                let resumed = ServerFrame::Resumed { replayed: 0, snapshot: true }.to_json();
                self.restart_writer(queue, vec![Bytes::from(resumed)]).await;
                self.membership = Some(membership);
                self.slot = Some(slot);
                self.signed_in = Some(signed_in);
                self.resume_key = Some(resume.resume_key);
                self.grant = held.grant;
            }
            Err(RoomJoinError::NothingToAdopt) => nothing_to_resume(self),
            // The owner did not answer (it may just have died, its lease not yet lapsed): the
            // client tries the resume again shortly.
            Err(e) => self.reply_error(join_error_code(e), e.to_string()),
        }
    }

    /// Stops this socket's writer and starts another on the same socket, on `queue`,
    /// writing `first` before anything queued.
    async fn restart_writer(&mut self, queue: Queue, first: Vec<Bytes>) {
        let Some(mine) =
            self.writer.take().expect("a connection always has a writer").detach(WRITER_GRACE).await
        else {
            // This socket's writer had already closed it; nothing more can be written.
            return;
        };
        let ping_every = self.state.config.ws_idle_timeout() / 3;
        let saturation = self.state.saturation.clone();
        let Queue { outbox, frames, log } = queue;
        self.closing = outbox.closing();
        self.outbox = outbox;
        self.replay_keep = log.keeping();
        self.writer = Some(Writer::start(mine.sink, frames, log, first, ping_every, saturation));
    }

    /// Has a writer's log keep the frames a resume may send again (`--ws-replay-frames`).
    fn keep_for_replay(&self, keep: &std::sync::atomic::AtomicUsize) {
        keep.store(self.state.config.ws_replay_frames, std::sync::atomic::Ordering::Relaxed);
    }

    fn may_park(&self) -> bool {
        self.state.parked.enabled()
            && self.membership.is_some()
            && self.resume_key.is_some()
            && self.signed_in.is_some()
            && self.closing.borrow().is_none()
    }

    /// Keeps the membership and its queue for the grace period, for a `resume`.
    fn park(mut self, detached: Detached) {
        let (Some(membership), Some(key), Some(me)) =
            (self.membership.take(), self.resume_key.take(), self.signed_in.take())
        else {
            return;
        };
        let parked = Parked {
            space: membership.space(),
            membership,
            slot: self.slot.take(),
            outbox: self.outbox.clone(),
            detached,
            username: me.username,
            grant: self.grant.take(),
        };
        self.state.parked.clone().park(me.bearer.user, key, parked);
    }

    /// Whether this account may enter the space (bans, members-only, password); the
    /// `error` frame's code and message when not.
    async fn check_entry(
        &self,
        space: gather_core::SpaceId,
        user: UserId,
        grant: Option<&str>,
    ) -> Result<gather_core::SpaceRole, (&'static str, String)> {
        match crate::entry::check(&self.state, space, user, grant).await {
            Ok(entry) => Ok(entry.role),
            Err(EntryError::UnknownSpace) => Err(("unknown-space", "there is no space with that id".into())),
            Err(EntryError::Refused(refusal)) => {
                Err((crate::entry::refusal_code(refusal), refusal.to_string()))
            }
            Err(EntryError::Store(e)) => {
                tracing::warn!(error = %e, "could not check who may enter a space");
                Err(("unavailable", "the server could not check access to the space; try again".into()))
            }
        }
    }

    async fn sign_in(&self, token: &str) -> Result<SignedIn, ApiError> {
        let bearer = authenticate(&self.state, token).await?;
        let user = self.state.store.user(bearer.user).await?;
        let user = user.ok_or_else(|| ApiError::forbidden("the account no longer exists"))?;
        Ok(SignedIn { bearer, username: user.username })
    }

    /// Stores the message, then hands it to its audience and acknowledges it to the sender:
    /// nothing acknowledged is ever lost.
    async fn on_chat(&mut self, text: &str, scope: ChatScope, to: Option<UserId>, client_id: Option<String>) {
        let (Some(membership), Some(me)) = (&self.membership, &self.signed_in) else {
            return self.reply_error("not-joined", "join a space before chatting");
        };
        if let Err(message) = check_client_key("clientId", client_id.as_deref()) {
            return self.reply_error("invalid-chat", message);
        }
        let text = match ChatText::parse(text) {
            Ok(text) => text,
            Err(e) => return self.reply_error("invalid-chat", e.to_string()),
        };
        if let Err(wait) = self.state.chat_limits.try_take(me.bearer.user, self.state.clock.now()) {
            let message = format!("you are sending messages too fast; wait {} ms", wait.as_millis());
            return self.reply_error("rate-limited", message);
        }
        let recipients = match membership.chat_audience(scope, to).await {
            Ok(recipients) => recipients,
            Err(e) => return self.reply_error(chat_error_code(e), e.to_string()),
        };
        let message = NewChatMessage {
            id: ChatMessageId::new(),
            space_id: membership.space(),
            user_id: me.bearer.user,
            scope,
            to: to.filter(|_| scope == ChatScope::Direct),
            text: text.into_string(),
            ts: self.state.clock.unix_ms(),
            // Who heard it may read it again; nobody else (a private area's talk stays there).
            audience: if scope == ChatScope::Nearby { recipients.clone() } else { Vec::new() },
            client_id,
        };
        match self.state.store.append_chat(&message).await {
            Ok(ChatAppend::Stored) => {}
            // A retry of a message already stored (and so delivered): acknowledged again,
            // delivered to nobody else.
            Ok(ChatAppend::AlreadyStored(kept)) => {
                return self.reply(ServerFrame::Chat(chat_body(kept)).to_json());
            }
            Err(e) => {
                tracing::error!(error = %e, "could not store a chat message");
                return self.reply_error("unavailable", "the message could not be saved; try again");
            }
        }
        let sent = ChatMessage {
            id: message.id,
            user_id: message.user_id,
            username: me.username.clone(),
            scope: message.scope,
            to: message.to,
            text: message.text,
            ts: message.ts,
        };
        let frame = Bytes::from(ServerFrame::Chat(chat_body(sent)).to_json());
        membership.deliver(recipients, frame.clone(), "chat").await;
        self.reply(frame);
    }

    fn shut_down(&self) {
        self.reply(ServerFrame::ServerShutdown {}.to_json());
        self.outbox.close(CloseReason::SHUTDOWN);
    }

    fn on_revoked(&mut self, session: SessionId) {
        if self.signed_in.as_ref().is_some_and(|s| s.bearer.session == session) {
            self.reply(ServerFrame::SessionRevoked {}.to_json());
            self.outbox.close(CloseReason::SESSION_REVOKED);
        }
    }

    async fn recheck_session(&mut self) {
        let Some(bearer) = self.signed_in.as_ref().map(|s| s.bearer) else {
            return;
        };
        if let Err(SessionError::Revoked) = self.state.sessions.check(bearer).await {
            self.on_revoked(bearer.session);
        }
    }

    fn reply_error(&self, code: &str, message: impl Into<String>) {
        self.reply(ServerFrame::error(code, message).to_json());
    }

    /// Queues a frame for this socket alone. One it cannot take (queue full) is not worth
    /// more than the frame: the room cuts off readers that far behind.
    fn reply(&self, frame: impl Into<Bytes>) {
        let _ = self.outbox.try_send(frame.into(), FrameKind::Other);
    }
}

/// A `resumeKey` or chat `clientId`: 1 to 64 printable characters, when given.
fn check_client_key(field: &str, key: Option<&str>) -> Result<(), String> {
    match key {
        Some(key)
            if key.is_empty()
                || key.chars().count() > MAX_CLIENT_KEY_CHARS
                || key.chars().any(char::is_control) =>
        {
            Err(format!("{field} must be 1 to {MAX_CLIENT_KEY_CHARS} printable characters"))
        }
        _ => Ok(()),
    }
}

fn chat_error_code(error: ChatError) -> &'static str {
    match error {
        ChatError::SenderAbsent => "not-joined",
        ChatError::NoRecipient | ChatError::ToSelf => "no-recipient",
        ChatError::RecipientAbsent => "recipient-absent",
    }
}

fn join_error_code(error: RoomJoinError) -> &'static str {
    match error {
        RoomJoinError::UnknownSpace => "unknown-space",
        RoomJoinError::Full => "space-full",
        RoomJoinError::Unavailable => "unavailable",
        // Only an adopting resume asks for it, and answers it with `resume-failed` itself.
        RoomJoinError::NothingToAdopt => "resume-failed",
    }
}
