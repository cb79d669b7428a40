//! A receiver's fixed set of media slots (say 9 for video, 16 for audio) and which
//! publisher each carries. The relay negotiates the slots once; after that, people coming
//! and going only rebind slots, so walking around needs no renegotiation. Rebinding is
//! stable: a publisher keeps its slot while it stays wanted, and the nearest newcomers
//! take the free ones.

use crate::ids::UserId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slots {
    bound: Vec<Option<UserId>>,
}

/// Slot `slot` now carries `publisher` (None: nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rebind {
    pub slot: usize,
    pub publisher: Option<UserId>,
}

impl Slots {
    pub fn new(count: usize) -> Self {
        Self { bound: vec![None; count] }
    }

    pub fn get(&self, slot: usize) -> Option<UserId> {
        self.bound.get(slot).copied().flatten()
    }

    pub fn slot_of(&self, publisher: UserId) -> Option<usize> {
        self.bound.iter().position(|b| *b == Some(publisher))
    }

    pub fn len(&self) -> usize {
        self.bound.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bound.is_empty()
    }

    /// Binds the slots to `wanted` (nearest first): publishers no longer wanted free their
    /// slot, those still wanted keep it, and free slots go to the nearest of the rest. More
    /// wanted than slots: the farthest go without. Returns what changed.
    pub fn rebind(&mut self, wanted: &[UserId]) -> Vec<Rebind> {
        let keep = &wanted[..wanted.len().min(self.bound.len())];
        let mut changes = Vec::new();
        for (slot, bound) in self.bound.iter_mut().enumerate() {
            if bound.is_some_and(|p| !keep.contains(&p)) {
                *bound = None;
                changes.push(Rebind { slot, publisher: None });
            }
        }
        let newcomers: Vec<UserId> =
            keep.iter().copied().filter(|p| !self.bound.contains(&Some(*p))).collect();
        let mut newcomers = newcomers.into_iter();
        for (slot, bound) in self.bound.iter_mut().enumerate() {
            if bound.is_none() {
                let Some(publisher) = newcomers.next() else { break };
                *bound = Some(publisher);
                match changes.iter_mut().find(|c| c.slot == slot) {
                    Some(change) => change.publisher = Some(publisher),
                    None => changes.push(Rebind { slot, publisher: Some(publisher) }),
                }
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_nearest_take_free_slots_and_the_farthest_go_without() {
        let mut slots = Slots::new(2);
        let (a, b, c) = (UserId::new(), UserId::new(), UserId::new());
        let changes = slots.rebind(&[a, b, c]);
        assert_eq!(changes, [Rebind { slot: 0, publisher: Some(a) }, Rebind { slot: 1, publisher: Some(b) }]);
        assert_eq!(slots.slot_of(c), None);
    }

    #[test]
    fn a_publisher_keeps_its_slot_while_wanted_and_a_freed_slot_is_reused() {
        let mut slots = Slots::new(3);
        let (a, b, c, d) = (UserId::new(), UserId::new(), UserId::new(), UserId::new());
        slots.rebind(&[a, b, c]);
        // b walks away, d comes near (and is now nearer than a): a and c stay put.
        let changes = slots.rebind(&[d, a, c]);
        assert_eq!(changes, [Rebind { slot: 1, publisher: Some(d) }]);
        assert_eq!((slots.get(0), slots.get(1), slots.get(2)), (Some(a), Some(d), Some(c)));
    }

    #[test]
    fn nobody_wanted_frees_everything() {
        let mut slots = Slots::new(2);
        let (a, b) = (UserId::new(), UserId::new());
        slots.rebind(&[a, b]);
        let changes = slots.rebind(&[]);
        assert_eq!(changes, [Rebind { slot: 0, publisher: None }, Rebind { slot: 1, publisher: None }]);
        assert!(slots.rebind(&[]).is_empty(), "nothing changes twice");
    }
}
