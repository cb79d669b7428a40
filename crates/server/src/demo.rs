//! Demo content, so a new server shows something at once: a few avatars, a few pieces of
//! furniture and a small office map. Seeded only into an empty catalogue; the images are
//! compiled in and served from `/demo/`, never fetched from elsewhere.

use gather_core::{
    AvatarId, Dimensions, EffectsSpec, ElementId, Footprint, MapId, Position, PrivateArea, Spawn,
};
use gather_store::{Avatar, Element, MapElement, NewMap, Store, StoreError};

/// `(file name, SVG)` for every demo image.
pub const IMAGES: &[(&str, &[u8])] = &[
    ("avatar-fox.svg", include_bytes!("../assets/demo/avatar-fox.svg")),
    ("avatar-sky.svg", include_bytes!("../assets/demo/avatar-sky.svg")),
    ("avatar-leaf.svg", include_bytes!("../assets/demo/avatar-leaf.svg")),
    ("avatar-plum.svg", include_bytes!("../assets/demo/avatar-plum.svg")),
    ("desk.svg", include_bytes!("../assets/demo/desk.svg")),
    ("plant.svg", include_bytes!("../assets/demo/plant.svg")),
    ("chair.svg", include_bytes!("../assets/demo/chair.svg")),
    ("rug.svg", include_bytes!("../assets/demo/rug.svg")),
    ("bookshelf.svg", include_bytes!("../assets/demo/bookshelf.svg")),
    ("sofa.svg", include_bytes!("../assets/demo/sofa.svg")),
];

pub fn image(name: &str) -> Option<&'static [u8]> {
    IMAGES.iter().find(|(file, _)| *file == name).map(|(_, bytes)| *bytes)
}

const AVATARS: &[(&str, &str)] = &[
    ("Fox", "avatar-fox.svg"),
    ("Sky", "avatar-sky.svg"),
    ("Leaf", "avatar-leaf.svg"),
    ("Plum", "avatar-plum.svg"),
];

/// `(image, width, height, solid)`.
const ELEMENTS: &[(&str, u32, u32, bool)] = &[
    ("desk.svg", 2, 1, true),
    ("plant.svg", 1, 1, true),
    ("chair.svg", 1, 1, false),
    ("rug.svg", 3, 2, false),
    ("bookshelf.svg", 3, 1, true),
    ("sofa.svg", 2, 1, true),
];

/// `(index into ELEMENTS, x, y)` of the demo office's furniture.
const OFFICE: &[(usize, i64, i64)] = &[
    (4, 1, 0),
    (4, 5, 0),
    (1, 0, 0),
    (1, 19, 0),
    (1, 0, 13),
    (1, 19, 13),
    (0, 3, 4),
    (2, 3, 5),
    (0, 7, 4),
    (2, 7, 5),
    (0, 11, 4),
    (2, 11, 5),
    (3, 14, 9),
    (5, 14, 12),
    (5, 17, 9),
    (0, 3, 10),
    (0, 6, 10),
];

/// The demo office's rules: people arrive by the door, the lounge is a private area (its
/// own conversation), and the tile in front of the bookshelves is a stage whose speaker the
/// whole office hears.
fn office_effects() -> EffectsSpec {
    let door = |x, name: Option<&str>| Spawn { at: Position::new(x, 13), name: name.map(Into::into) };
    EffectsSpec {
        spawns: vec![door(9, Some("door")), door(10, None), door(11, None)],
        areas: vec![PrivateArea {
            name: "Lounge".into(),
            region: Footprint::new(Position::new(13, 8), 7, 5),
            locked: false,
            max_occupancy: None,
        }],
        spotlights: vec![Position::new(4, 1)],
        ..EffectsSpec::default()
    }
}

/// Seeds the demo catalogue and map when there is no avatar, element or map yet.
/// Returns whether it seeded.
pub async fn seed_if_empty(store: &dyn Store) -> Result<bool, StoreError> {
    let empty = store.avatars().await?.is_empty()
        && store.elements().await?.is_empty()
        && store.maps().await?.is_empty();
    if !empty {
        return Ok(false);
    }
    for (name, file) in AVATARS {
        let avatar = Avatar {
            id: AvatarId::new(),
            image_url: format!("/demo/{file}"),
            name: (*name).into(),
            owner: None,
        };
        store.create_avatar(&avatar).await?;
    }
    let mut element_ids = Vec::with_capacity(ELEMENTS.len());
    for (file, width, height, solid) in ELEMENTS {
        let element = Element {
            id: ElementId::new(),
            image_url: format!("/demo/{file}"),
            width: *width,
            height: *height,
            solid: *solid,
        };
        store.create_element(&element).await?;
        element_ids.push(element.id);
    }
    let map = NewMap {
        effects: office_effects(),
        id: MapId::new(),
        name: "Demo office".into(),
        dims: Dimensions::new(20, 14).expect("demo size is valid"),
        thumbnail: "/demo/rug.svg".into(),
        floor_image_url: None,
        elements: OFFICE
            .iter()
            .map(|(kind, x, y)| MapElement { element_id: element_ids[*kind], at: Position::new(*x, *y) })
            .collect(),
    };
    store.create_map(&map).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_office_effects_fit_the_office() {
        let dims = Dimensions::new(20, 14).unwrap();
        let effects = gather_core::Effects::new(dims, office_effects()).expect("valid demo effects");
        assert_eq!(effects.named_spawn("door"), Some(Position::new(9, 13)));
        assert!(effects.area_of(Position::new(15, 10)).is_some(), "the lounge holds the rug");
    }
}
