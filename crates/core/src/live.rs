//! A space as a room runs it: the rules ([`Space`]) and who hears what ([`Visibility`])
//! behind one entry, [`LiveSpace::apply`]. Visibility needs to know where someone stood
//! before a move or a leave; reading it here, inside `apply`, means no caller can forget.

use crate::chat::{ChatError, ChatScope};
use crate::geometry::{Footprint, Position};
use crate::ids::{SpaceElementId, UserId};
use crate::interest::Interest;
use crate::layout::Layout;
use crate::space::{Audience, Command, Event, JoinError, Outgoing, Space};
use crate::visibility::Visibility;

pub struct LiveSpace {
    space: Space,
    visibility: Visibility,
}

impl LiveSpace {
    pub fn new(layout: Layout, interest: Interest) -> Self {
        Self { space: Space::new(layout), visibility: Visibility::new(interest) }
    }

    pub fn is_empty(&self) -> bool {
        self.space.is_empty()
    }

    pub fn population(&self) -> usize {
        self.space.population()
    }

    pub fn position_of(&self, user: UserId) -> Option<Position> {
        self.space.position_of(user)
    }

    pub fn dims(&self) -> crate::geometry::Dimensions {
        self.space.layout().dims()
    }

    /// `by`, inside a locked private area, lets `user` in; false when `by` is in none.
    pub fn admit(&mut self, by: UserId, user: UserId) -> bool {
        self.space.admit(by, user)
    }

    /// Lets a moderator into every locked area.
    pub fn set_keyholder(&mut self, user: UserId, on: bool) {
        self.space.set_keyholder(user, on);
    }

    /// Do-not-disturb on or off: they hear no `nearby` chat meanwhile.
    pub fn set_do_not_disturb(&mut self, user: UserId, on: bool) {
        self.space.set_do_not_disturb(user, on);
    }

    pub fn effects(&self) -> &crate::effects::Effects {
        self.space.effects()
    }

    /// Swaps in the tile effects; everyone stays where they stand.
    pub fn set_effects(&mut self, effects: crate::effects::Effects) {
        self.space.set_effects(effects);
    }

    /// Applies a command and returns what must be told to whom, audiences already narrowed
    /// to who can see it.
    pub fn apply(&mut self, command: Command) -> Result<Vec<Outgoing>, JoinError> {
        let before = match &command {
            Command::Move { user, .. } | Command::Leave { user } => self.space.position_of(*user),
            Command::Join { .. } | Command::Return { .. } => None,
        };
        let outgoing = self.space.apply(command)?;
        // A return to a free tile is the one placement without an `Entered`, which is where
        // visibility learns of a newcomer.
        if let [Outgoing { event: Event::Joined { user, at }, .. }] = outgoing.as_slice() {
            self.visibility.track(*user, *at);
        }
        Ok(outgoing.into_iter().flat_map(|out| self.visibility.route(&self.space, out, before)).collect())
    }

    /// Puts back someone as a previous owner of the space last saw them, telling nobody
    /// (everyone already sees them there). False when `at` is not free or they are here.
    pub fn restore(&mut self, user: UserId, at: Position) -> bool {
        let placed = self.space.restore(user, at);
        if placed {
            self.visibility.track(user, at);
        }
        placed
    }

    /// What `user`, already here, is shown now, as the `Entered` of a join would show it,
    /// told to them alone: for a new socket that takes over their place (after the node it
    /// was on died with the space's owner). None when they are not here.
    pub fn resync(&self, user: UserId) -> Option<Outgoing> {
        let spawn = self.space.position_of(user)?;
        let others = self.visibility.seen_from(spawn, self.space.users().filter(|(other, _)| *other != user));
        Some(Outgoing { audience: Audience::Only(user), event: Event::Entered { user, spawn, others } })
    }

    pub fn chat_audience(
        &self,
        sender: UserId,
        scope: ChatScope,
        to: Option<UserId>,
        radius: u32,
    ) -> Result<Vec<UserId>, ChatError> {
        self.space.chat_audience(sender, scope, to, radius)
    }

    pub fn place_element(&mut self, id: SpaceElementId, footprint: Footprint, solid: bool) {
        self.space.place_element(id, footprint, solid);
    }

    pub fn remove_element(&mut self, id: SpaceElementId) -> bool {
        self.space.remove_element(id)
    }

    pub fn replace_layout(&mut self, layout: Layout) {
        self.space.replace_layout(layout);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Dimensions;

    fn live(threshold: usize) -> LiveSpace {
        let layout = Layout::new(Dimensions::new(50, 50).unwrap());
        LiveSpace::new(layout, Interest { threshold, radius: 3 })
    }

    /// Joins at exactly `at`: the seed is the tile's index, row by row.
    fn join_at(live: &mut LiveSpace, user: UserId, at: Position) -> Vec<Outgoing> {
        let seed = (at.y * 50 + at.x) as u64;
        let out = live.apply(Command::Join { user, spawn_seed: seed, spawn: None }).unwrap();
        assert_eq!(live.position_of(user), Some(at));
        out
    }

    #[test]
    fn in_a_crowd_a_move_reaches_only_those_near_it_without_the_caller_saying_where_it_started() {
        let mut live = live(1);
        let (walker, near, far) = (UserId::new(), UserId::new(), UserId::new());
        join_at(&mut live, walker, Position::new(10, 10));
        join_at(&mut live, near, Position::new(11, 11));
        join_at(&mut live, far, Position::new(40, 40));
        let out = live.apply(Command::Move { user: walker, to: Position::new(10, 11) }).unwrap();
        let moved = out.iter().find(|o| matches!(o.event, Event::Moved { .. })).expect("a move event");
        assert_eq!(moved.audience, Audience::Users(vec![near]));
    }

    #[test]
    fn a_leave_in_a_crowd_is_told_to_those_who_saw_the_leaver() {
        let mut live = live(1);
        let (leaver, near, far) = (UserId::new(), UserId::new(), UserId::new());
        join_at(&mut live, leaver, Position::new(10, 10));
        join_at(&mut live, near, Position::new(10, 12));
        join_at(&mut live, far, Position::new(40, 40));
        let out = live.apply(Command::Leave { user: leaver }).unwrap();
        assert_eq!(
            out[0],
            Outgoing { audience: Audience::Users(vec![near]), event: Event::Left { user: leaver } }
        );
    }

    #[test]
    fn a_return_to_a_free_tile_is_announced_to_the_others_only() {
        let mut live = live(100);
        let (back, other) = (UserId::new(), UserId::new());
        join_at(&mut live, other, Position::new(1, 1));
        let at = Position::new(5, 5);
        let out = live.apply(Command::Return { user: back, at: Some(at), spawn_seed: 0 }).unwrap();
        assert_eq!(
            out,
            [Outgoing { audience: Audience::AllExcept(back), event: Event::Joined { user: back, at } }]
        );
        assert_eq!(live.position_of(back), Some(at));
    }

    #[test]
    fn a_return_to_a_taken_tile_joins_afresh_elsewhere() {
        let mut live = live(100);
        let (back, other) = (UserId::new(), UserId::new());
        let taken = Position::new(2, 2);
        join_at(&mut live, other, taken);
        let out = live.apply(Command::Return { user: back, at: Some(taken), spawn_seed: 0 }).unwrap();
        assert!(matches!(out[0].event, Event::Entered { user, .. } if user == back));
        assert_ne!(live.position_of(back), Some(taken));
    }

    #[test]
    fn a_restored_person_is_seen_by_visibility_when_they_move() {
        let mut live = live(1);
        let (restored, near, far) = (UserId::new(), UserId::new(), UserId::new());
        assert!(live.restore(restored, Position::new(20, 20)));
        assert!(live.restore(near, Position::new(21, 20)));
        join_at(&mut live, far, Position::new(45, 45));
        let out = live.apply(Command::Move { user: near, to: Position::new(21, 21) }).unwrap();
        let moved = out.iter().find(|o| matches!(o.event, Event::Moved { .. })).expect("a move event");
        assert_eq!(moved.audience, Audience::Users(vec![restored]));
    }

    #[test]
    fn a_resync_shows_someone_restored_what_a_join_would_have_and_tells_nobody_else() {
        let mut live = live(100);
        let (restored, other) = (UserId::new(), UserId::new());
        assert!(live.restore(restored, Position::new(3, 4)));
        join_at(&mut live, other, Position::new(7, 7));
        let told = live.resync(restored).expect("they are here");
        assert_eq!(told.audience, Audience::Only(restored));
        assert_eq!(
            told.event,
            Event::Entered {
                user: restored,
                spawn: Position::new(3, 4),
                others: vec![(other, Position::new(7, 7))]
            }
        );
        assert_eq!(live.position_of(restored), Some(Position::new(3, 4)), "nobody moved");
        assert_eq!(live.resync(UserId::new()), None, "nobody to show it to");
    }

    #[test]
    fn in_a_crowd_a_resync_shows_only_those_near() {
        let mut live = live(1);
        let (restored, near, far) = (UserId::new(), UserId::new(), UserId::new());
        assert!(live.restore(restored, Position::new(20, 20)));
        join_at(&mut live, near, Position::new(21, 20));
        join_at(&mut live, far, Position::new(45, 45));
        let told = live.resync(restored).expect("they are here");
        assert!(
            matches!(told.event, Event::Entered { others, .. } if others == vec![(near, Position::new(21, 20))])
        );
    }
}
