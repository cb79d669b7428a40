//! How many sockets each account has in spaces at once, so that one account cannot hold
//! hundreds of live places (each costs a room slot and a writer). Counted per node.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gather_core::UserId;

#[derive(Default)]
pub struct JoinedSockets {
    // std Mutex: one map update per join and per leave.
    counts: Mutex<HashMap<UserId, usize>>,
}

impl JoinedSockets {
    /// A slot for one more joined socket of `user`, or `None` when they already hold `max`.
    pub fn try_hold(self: &Arc<Self>, user: UserId, max: usize) -> Option<SocketSlot> {
        let mut counts = self.counts.lock().expect("socket counts poisoned");
        let held = counts.entry(user).or_insert(0);
        if *held >= max {
            return None;
        }
        *held += 1;
        Some(SocketSlot { owner: self.clone(), user })
    }

    #[cfg(test)]
    fn held(&self, user: UserId) -> usize {
        self.counts.lock().expect("socket counts poisoned").get(&user).copied().unwrap_or(0)
    }
}

/// One joined socket; gives its place back when dropped, however the socket ends.
pub struct SocketSlot {
    owner: Arc<JoinedSockets>,
    user: UserId,
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut counts = self.owner.counts.lock().expect("socket counts poisoned");
        if let Some(held) = counts.get_mut(&self.user) {
            *held -= 1;
            if *held == 0 {
                counts.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_are_capped_per_user_and_given_back_on_drop() {
        let sockets = Arc::new(JoinedSockets::default());
        let (alice, bob) = (UserId::new(), UserId::new());
        let held: Vec<_> = (0..2).map(|_| sockets.try_hold(alice, 2).unwrap()).collect();
        assert!(sockets.try_hold(alice, 2).is_none());
        assert!(sockets.try_hold(bob, 2).is_some());
        drop(held);
        assert_eq!(sockets.held(alice), 0);
        assert!(sockets.try_hold(alice, 2).is_some());
    }
}
