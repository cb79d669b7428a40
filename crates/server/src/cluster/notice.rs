//! News about a space, between the bus's form and the node protocol's.

use gather_bus::{PlacedPiece, SpaceNotice};
use gather_core::{Footprint, Position};
use gather_protocol::node::{Notice, PlacedElement};

pub fn notice_to_node(notice: SpaceNotice) -> Notice {
    match notice {
        SpaceNotice::ElementAdded(piece) => Notice::ElementAdded(PlacedElement {
            id: piece.id,
            element_id: piece.element_id,
            image_url: piece.image_url,
            x: piece.footprint.at.x,
            y: piece.footprint.at.y,
            width: piece.footprint.width,
            height: piece.footprint.height,
            solid: piece.solid,
        }),
        SpaceNotice::ElementRemoved(id) => Notice::ElementRemoved { id },
        SpaceNotice::Closed => Notice::Closed,
        SpaceNotice::EffectsChanged(effects) => Notice::EffectsChanged { effects },
        SpaceNotice::Removed { user, banned } => Notice::Removed { user, banned },
        SpaceNotice::MediaMuted(user) => Notice::MediaMuted { user },
    }
}

pub fn notice_from_node(notice: Notice) -> SpaceNotice {
    match notice {
        Notice::ElementAdded(e) => SpaceNotice::ElementAdded(PlacedPiece {
            id: e.id,
            element_id: e.element_id,
            image_url: e.image_url,
            footprint: Footprint { at: Position::new(e.x, e.y), width: e.width, height: e.height },
            solid: e.solid,
        }),
        Notice::ElementRemoved { id } => SpaceNotice::ElementRemoved(id),
        Notice::Closed => SpaceNotice::Closed,
        Notice::EffectsChanged { effects } => SpaceNotice::EffectsChanged(effects),
        Notice::Removed { user, banned } => SpaceNotice::Removed { user, banned },
        Notice::MediaMuted { user } => SpaceNotice::MediaMuted(user),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gather_core::{ElementId, SpaceElementId};

    #[test]
    fn every_notice_comes_back_as_it_went() {
        let placed = SpaceNotice::ElementAdded(PlacedPiece {
            id: SpaceElementId::new(),
            element_id: ElementId::new(),
            image_url: "https://example.com/chair.png".into(),
            footprint: Footprint { at: Position::new(3, 4), width: 2, height: 1 },
            solid: true,
        });
        let walls = gather_core::EffectsSpec { impassable: vec![Position::new(1, 1)], ..Default::default() };
        let user = gather_core::UserId::new();
        for notice in [
            placed,
            SpaceNotice::ElementRemoved(SpaceElementId::new()),
            SpaceNotice::Closed,
            SpaceNotice::EffectsChanged(walls),
            SpaceNotice::Removed { user, banned: true },
            SpaceNotice::MediaMuted(user),
        ] {
            assert_eq!(notice_from_node(notice_to_node(notice.clone())), notice);
        }
    }
}
