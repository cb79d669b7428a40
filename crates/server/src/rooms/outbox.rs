//! A connection's mailbox: a bounded queue of encoded frames plus a close signal. Rooms hold
//! a clone per member and never wait on it.
//!
//! The slow-reader policy lives here. While the writer keeps up, frames simply queue. Once it
//! falls behind (`coalesce_from` frames waiting), a newer movement of someone whose earlier
//! movement is still waiting replaces it in place: the reader only needs where people are
//! now. If the queue still fills up to its capacity, the reader is too slow and
//! [`Undelivered::Full`] tells the room to cut it off.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use gather_core::{Event, UserId};
use tokio::sync::{watch, Notify};

use super::close_reason::CloseReason;

/// What a frame is about, which decides whether a later frame may replace it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameKind {
    /// Someone's new position: may replace their earlier movement still in the queue.
    Movement(UserId),
    /// Other news about one person (joined, left, appeared, ...): a later movement of theirs
    /// must not jump ahead of it.
    About(UserId),
    /// Anything else: nothing queued before it is replaced any more.
    Other,
}

impl From<&Event> for FrameKind {
    fn from(event: &Event) -> Self {
        match event {
            Event::Moved { user, .. } => Self::Movement(*user),
            Event::Joined { user, .. }
            | Event::Left { user }
            | Event::Appeared { user, .. }
            | Event::Disappeared { user }
            | Event::MoveRejected { user, .. }
            | Event::Teleported { user, .. }
            | Event::PortalReached { user, .. }
            | Event::Knocked { user, .. } => Self::About(*user),
            // Tells the joiner where everyone stands: nothing before it may be replaced.
            Event::Entered { .. } => Self::Other,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Queued {
    Appended,
    /// Replaced the same person's movement that was still waiting.
    Coalesced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undelivered {
    /// The queue is full: the client is not reading.
    Full,
    /// The connection is gone.
    Closed,
}

pub struct Outbox {
    shared: Arc<Shared>,
}

/// The connection's end of its [`Outbox`].
pub struct OutboxReceiver {
    pub frames: Frames,
    pub closing: watch::Receiver<Option<CloseReason>>,
}

/// The queued frames, as the writer takes them.
pub struct Frames {
    shared: Arc<Shared>,
}

struct Shared {
    queue: Mutex<Queue>,
    /// Woken when the queue stops being empty or the last sender goes.
    ready: Notify,
    closer: watch::Sender<Option<CloseReason>>,
    capacity: usize,
    coalesce_from: usize,
}

struct Queue {
    frames: VecDeque<Bytes>,
    /// Where each person's waiting movement sits in `frames`, for those that may be replaced.
    movements: foldhash::HashMap<UserId, usize>,
    senders: usize,
    receiver_alive: bool,
}

impl Outbox {
    /// A queue of at most `capacity` frames that starts coalescing movement once
    /// `coalesce_from` frames are waiting.
    pub fn new(capacity: usize, coalesce_from: usize) -> (Self, OutboxReceiver) {
        let (closer, closing) = watch::channel(None);
        let queue = Queue {
            frames: VecDeque::new(),
            movements: foldhash::HashMap::default(),
            senders: 1,
            receiver_alive: true,
        };
        let shared = Arc::new(Shared {
            queue: Mutex::new(queue),
            ready: Notify::new(),
            closer,
            capacity,
            coalesce_from,
        });
        (Self { shared: shared.clone() }, OutboxReceiver { frames: Frames { shared }, closing })
    }

    /// Queues a frame without waiting.
    pub fn try_send(&self, frame: Bytes, kind: FrameKind) -> Result<Queued, Undelivered> {
        let mut queue = self.shared.lock();
        if !queue.receiver_alive {
            return Err(Undelivered::Closed);
        }
        match kind {
            FrameKind::Movement(user) => {
                if let Some(&slot) = queue.movements.get(&user) {
                    queue.frames[slot] = frame;
                    return Ok(Queued::Coalesced);
                }
            }
            FrameKind::About(user) => {
                queue.movements.remove(&user);
            }
            FrameKind::Other => queue.movements.clear(),
        }
        if queue.frames.len() >= self.shared.capacity {
            return Err(Undelivered::Full);
        }
        if let FrameKind::Movement(user) = kind {
            if queue.frames.len() >= self.shared.coalesce_from {
                let slot = queue.frames.len();
                queue.movements.insert(user, slot);
            }
        }
        queue.frames.push_back(frame);
        let was_empty = queue.frames.len() == 1;
        drop(queue);
        if was_empty {
            self.shared.ready.notify_one();
        }
        Ok(Queued::Appended)
    }

    /// Asks the connection to close after the frames already queued. The first reason wins.
    pub fn close(&self, reason: CloseReason) {
        self.shared.closer.send_if_modified(|current| {
            let first = current.is_none();
            if first {
                *current = Some(reason);
            }
            first
        });
    }

    /// Resolves once someone has asked this connection to close.
    pub fn closing(&self) -> watch::Receiver<Option<CloseReason>> {
        self.shared.closer.subscribe()
    }
}

impl Clone for Outbox {
    fn clone(&self) -> Self {
        self.shared.lock().senders += 1;
        Self { shared: self.shared.clone() }
    }
}

impl Drop for Outbox {
    fn drop(&mut self) {
        let mut queue = self.shared.lock();
        queue.senders -= 1;
        let last = queue.senders == 0;
        drop(queue);
        if last {
            self.shared.ready.notify_one();
        }
    }
}

impl Frames {
    /// Waits until frames are queued (true) or every sender is gone and none are left
    /// (false). Takes nothing: see [`Frames::take_now`]. Cancel-safe.
    pub async fn ready(&self) -> bool {
        loop {
            {
                let queue = self.shared.lock();
                if !queue.frames.is_empty() {
                    return true;
                }
                if queue.senders == 0 {
                    return false;
                }
            }
            // A wake-up between the check and here is kept as a permit, so none is missed.
            self.shared.ready.notified().await;
        }
    }

    /// Why the connection was asked to close, once it was.
    pub fn close_reason(&self) -> Option<CloseReason> {
        *self.shared.closer.borrow()
    }

    /// Moves whatever is queued right now into `batch`.
    pub fn take_now(&self, batch: &mut VecDeque<Bytes>) {
        take_all(&mut self.shared.lock(), batch);
    }
}

fn take_all(queue: &mut Queue, batch: &mut VecDeque<Bytes>) {
    if batch.is_empty() {
        // Swapping keeps both buffers' capacity: no allocation per batch.
        std::mem::swap(&mut queue.frames, batch);
    } else {
        batch.extend(queue.frames.drain(..));
    }
    queue.movements.clear();
}

#[cfg(test)]
impl Frames {
    /// Everything queued right now, for tests to look at.
    pub(crate) fn take_all_now(&self) -> Vec<Bytes> {
        let mut batch = VecDeque::new();
        self.take_now(&mut batch);
        batch.into()
    }
}

impl Drop for Frames {
    fn drop(&mut self) {
        let mut queue = self.shared.lock();
        queue.receiver_alive = false;
        queue.frames.clear();
        queue.movements.clear();
    }
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // Nothing panics while holding the lock, so a poisoned queue is still consistent.
        self.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(text: &'static str) -> Bytes {
        Bytes::from_static(text.as_bytes())
    }

    fn drain(rx: &OutboxReceiver) -> Vec<Bytes> {
        rx.frames.take_all_now()
    }

    #[test]
    fn a_full_outbox_says_so_instead_of_waiting() {
        let (outbox, rx) = Outbox::new(1, 1);
        assert_eq!(outbox.try_send(frame("1"), FrameKind::Other), Ok(Queued::Appended));
        assert_eq!(outbox.try_send(frame("2"), FrameKind::Other), Err(Undelivered::Full));
        assert_eq!(drain(&rx), [frame("1")]);
        drop(rx);
        assert_eq!(outbox.try_send(frame("3"), FrameKind::Other), Err(Undelivered::Closed));
    }

    #[test]
    fn the_first_close_reason_wins() {
        let (outbox, rx) = Outbox::new(1, 1);
        outbox.close(CloseReason::TOO_SLOW);
        outbox.close(CloseReason::SHUTDOWN);
        assert_eq!(*rx.closing.borrow(), Some(CloseReason::TOO_SLOW));
    }

    #[test]
    fn a_backed_up_queue_keeps_only_the_latest_movement_of_each_person() {
        let (outbox, rx) = Outbox::new(8, 0);
        let (ann, bob) = (UserId::new(), UserId::new());
        let sent = [
            outbox.try_send(frame("ann 1"), FrameKind::Movement(ann)),
            outbox.try_send(frame("bob 1"), FrameKind::Movement(bob)),
            outbox.try_send(frame("ann 2"), FrameKind::Movement(ann)),
            outbox.try_send(frame("ann 3"), FrameKind::Movement(ann)),
        ];
        assert_eq!(
            sent,
            [Ok(Queued::Appended), Ok(Queued::Appended), Ok(Queued::Coalesced), Ok(Queued::Coalesced)]
        );
        assert_eq!(drain(&rx), [frame("ann 3"), frame("bob 1")]);
    }

    #[test]
    fn movement_coalesces_only_once_the_writer_is_behind() {
        let (outbox, rx) = Outbox::new(8, 2);
        let ann = UserId::new();
        for text in ["ann 1", "ann 2", "ann 3", "ann 4"] {
            outbox.try_send(frame(text), FrameKind::Movement(ann)).unwrap();
        }
        // The first two queued while the writer could still keep up; from the third on,
        // the latest replaces the waiting one.
        assert_eq!(drain(&rx), [frame("ann 1"), frame("ann 2"), frame("ann 4")]);
    }

    #[test]
    fn a_movement_never_jumps_ahead_of_other_news_about_the_same_person() {
        let (outbox, rx) = Outbox::new(8, 0);
        let (ann, bob) = (UserId::new(), UserId::new());
        outbox.try_send(frame("ann moved"), FrameKind::Movement(ann)).unwrap();
        outbox.try_send(frame("bob moved"), FrameKind::Movement(bob)).unwrap();
        outbox.try_send(frame("ann left"), FrameKind::About(ann)).unwrap();
        outbox.try_send(frame("ann joined"), FrameKind::About(ann)).unwrap();
        outbox.try_send(frame("ann moved again"), FrameKind::Movement(ann)).unwrap();
        outbox.try_send(frame("bob moved again"), FrameKind::Movement(bob)).unwrap();
        assert_eq!(
            drain(&rx),
            [
                frame("ann moved"),
                frame("bob moved again"),
                frame("ann left"),
                frame("ann joined"),
                frame("ann moved again")
            ]
        );
    }

    #[test]
    fn any_other_frame_ends_coalescing_across_it() {
        let (outbox, rx) = Outbox::new(8, 0);
        let ann = UserId::new();
        outbox.try_send(frame("ann 1"), FrameKind::Movement(ann)).unwrap();
        outbox.try_send(frame("chat"), FrameKind::Other).unwrap();
        outbox.try_send(frame("ann 2"), FrameKind::Movement(ann)).unwrap();
        assert_eq!(drain(&rx), [frame("ann 1"), frame("chat"), frame("ann 2")]);
    }

    #[test]
    fn a_full_queue_still_takes_a_movement_that_replaces_a_waiting_one() {
        let (outbox, rx) = Outbox::new(2, 0);
        let (ann, bob, cid) = (UserId::new(), UserId::new(), UserId::new());
        outbox.try_send(frame("ann 1"), FrameKind::Movement(ann)).unwrap();
        outbox.try_send(frame("bob 1"), FrameKind::Movement(bob)).unwrap();
        assert_eq!(outbox.try_send(frame("ann 2"), FrameKind::Movement(ann)), Ok(Queued::Coalesced));
        assert_eq!(outbox.try_send(frame("cid 1"), FrameKind::Movement(cid)), Err(Undelivered::Full));
        assert_eq!(drain(&rx), [frame("ann 2"), frame("bob 1")]);
    }

    #[test]
    fn frames_taken_by_the_writer_are_never_replaced() {
        let (outbox, rx) = Outbox::new(8, 0);
        let ann = UserId::new();
        outbox.try_send(frame("ann 1"), FrameKind::Movement(ann)).unwrap();
        assert_eq!(drain(&rx), [frame("ann 1")]);
        assert_eq!(outbox.try_send(frame("ann 2"), FrameKind::Movement(ann)), Ok(Queued::Appended));
        assert_eq!(drain(&rx), [frame("ann 2")]);
    }

    #[tokio::test]
    async fn the_receiver_wakes_for_frames_and_ends_when_every_sender_is_gone() {
        let (outbox, rx) = Outbox::new(8, 8);
        let second = outbox.clone();
        let reader = tokio::spawn(async move {
            let mut got = Vec::new();
            let mut batch = VecDeque::new();
            while rx.frames.ready().await {
                rx.frames.take_now(&mut batch);
                got.extend(batch.drain(..));
            }
            got
        });
        outbox.try_send(frame("1"), FrameKind::Other).unwrap();
        tokio::task::yield_now().await;
        second.try_send(frame("2"), FrameKind::Other).unwrap();
        drop(outbox);
        second.try_send(frame("3"), FrameKind::Other).unwrap();
        drop(second);
        let got = tokio::time::timeout(std::time::Duration::from_secs(5), reader).await.unwrap().unwrap();
        assert_eq!(got, [frame("1"), frame("2"), frame("3")]);
    }
}
