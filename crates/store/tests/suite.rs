//! The store contract, run against every backend: a real SQLite file always, and a real
//! PostgreSQL when `GATHER_TEST_DATABASE_URL` names one (each test in a schema of its own).
//! Without it the PostgreSQL half is skipped with a message, unless
//! `GATHER_REQUIRE_SERVICES` is set, as in CI, where that is a failure.

use std::sync::Arc;

use gather_core::{
    AvatarId, Dimensions, ElementId, MapId, PlacementError, Position, Role, SpaceElementId, SpaceId, UserId,
};
use gather_core::{EffectsSpec, SpaceAccess, SpaceRole, Spawn};
use gather_store::{
    AssetRecord, Avatar, Backend, Element, Entity, Limit, MapElement, NewAuditEntry, NewMap, NewSpace,
    PoolSettings, SpaceSource, SqlStore, Store, StoreError,
};
use sqlx::Connection;

struct TestDb {
    url: String,
    _dir: Option<tempfile::TempDir>,
    /// PostgreSQL: the server URL and this test's schema, dropped when the test passes.
    schema: Option<(String, String)>,
}

impl TestDb {
    async fn new(backend: Backend) -> Option<Self> {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let url = format!("sqlite://{}", dir.path().join("gather.db").display());
                Some(Self { url, _dir: Some(dir), schema: None })
            }
            Backend::Postgres => {
                let Ok(server) = std::env::var("GATHER_TEST_DATABASE_URL") else {
                    assert!(
                        std::env::var_os("GATHER_REQUIRE_SERVICES").is_none(),
                        "GATHER_REQUIRE_SERVICES is set but GATHER_TEST_DATABASE_URL is not"
                    );
                    eprintln!("skipping: set GATHER_TEST_DATABASE_URL=postgres://... to test PostgreSQL");
                    return None;
                };
                sqlx::any::install_default_drivers();
                let schema = format!("gather_test_{}", UserId::new().to_string().replace('-', ""));
                let mut conn = sqlx::AnyConnection::connect(&server).await.expect("PostgreSQL reachable");
                sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.unwrap();
                let separator = if server.contains('?') { '&' } else { '?' };
                let url = format!("{server}{separator}options=-c%20search_path%3D{schema}");
                Some(Self { url, _dir: None, schema: Some((server, schema)) })
            }
        }
    }

    async fn open(&self) -> Arc<dyn Store> {
        Arc::new(SqlStore::connect(&self.url, PoolSettings::default()).await.unwrap())
    }

    async fn cleanup(self) {
        if let Some((server, schema)) = self.schema {
            let mut conn = sqlx::AnyConnection::connect(&server).await.unwrap();
            sqlx::query(&format!("DROP SCHEMA {schema} CASCADE")).execute(&mut conn).await.unwrap();
        }
    }
}

macro_rules! suite {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test]
            async fn $test() {
                let db = super::TestDb::new(gather_store::Backend::Sqlite).await.unwrap();
                super::$test(&db).await;
                db.cleanup().await;
            })*
        }
        mod postgres {
            $(#[tokio::test]
            async fn $test() {
                let Some(db) = super::TestDb::new(gather_store::Backend::Postgres).await else { return };
                super::$test(&db).await;
                db.cleanup().await;
            })*
        }
    };
}

suite!(
    usernames_are_unique_ignoring_case,
    caps_on_spaces_per_owner_and_elements_per_space_hold,
    placement_finds_solid_pieces_that_reach_in_from_any_side,
    only_the_first_account_passes_the_first_account_condition,
    avatars_are_listed_and_chosen_and_unknown_ones_refused,
    element_images_change_and_unknown_elements_are_reported,
    maps_validate_their_furniture,
    a_space_from_a_map_gets_its_own_copy_of_the_furniture,
    placement_follows_the_core_rules,
    concurrent_placements_on_one_tile_never_both_succeed,
    deleting_a_space_deletes_its_furniture,
    spaces_are_listed_per_owner_and_survive_reopening,
    sessions_are_listed_newest_first_and_revoked_one_by_one_or_all_but_one,
    chat_pages_go_newest_first_and_hide_other_peoples_direct_messages,
    passwords_can_be_changed,
    concurrent_first_accounts_let_exactly_one_in,
    space_effects_are_replaced_whole_and_logged,
    roles_bans_and_access_decide_entry_and_every_change_is_audited,
    uploads_count_once_per_person_against_their_quota,
    the_sweep_removes_only_old_assets_nothing_refers_to,
    own_avatars_are_their_owners_alone,
    a_message_sent_twice_with_one_client_id_is_stored_once,
);

/// For tests that are not about the per-account and per-space caps.
const NO_CAP: u32 = u32::MAX;

fn new_user(name: &str, role: Role) -> gather_store::NewUser {
    gather_store::NewUser {
        id: UserId::new(),
        username: name.into(),
        password_hash: "$argon2id$fake".into(),
        role,
    }
}

async fn element(store: &dyn Store, width: u32, height: u32, solid: bool) -> Element {
    let e = Element { id: ElementId::new(), image_url: "/e.png".into(), width, height, solid };
    store.create_element(&e).await.unwrap();
    e
}

async fn blank_space(store: &dyn Store, owner: UserId, w: u32, h: u32) -> SpaceId {
    let id = SpaceId::new();
    let source = SpaceSource::Blank(Dimensions::new(w, h).unwrap());
    store.create_space(&NewSpace { id, name: "s".into(), owner, source }, NO_CAP).await.unwrap();
    id
}

async fn owner(store: &dyn Store) -> UserId {
    let user = new_user(&format!("owner-{}", UserId::new()), Role::User);
    store.create_user(user.clone(), false).await.unwrap();
    user.id
}

async fn usernames_are_unique_ignoring_case(db: &TestDb) {
    let store = db.open().await;
    store.create_user(new_user("Alice", Role::User), false).await.unwrap();
    let again = store.create_user(new_user("alice", Role::User), false).await;
    assert!(matches!(again, Err(StoreError::UsernameTaken)), "{again:?}");
    let found = store.user_by_username("ALICE").await.unwrap().unwrap();
    assert_eq!((found.username.as_str(), found.role), ("Alice", Role::User));
    // Beyond ASCII, the same on every backend: full case folding, any normal form.
    store.create_user(new_user("Ärger", Role::User), false).await.unwrap();
    for same in ["ärger", "A\u{308}RGER"] {
        let again = store.create_user(new_user(same, Role::User), false).await;
        assert!(matches!(again, Err(StoreError::UsernameTaken)), "{same}: {again:?}");
    }
    store.create_user(new_user("Straße", Role::User), false).await.unwrap();
    assert_eq!(store.user_by_username("STRASSE").await.unwrap().unwrap().username, "Straße");
    assert!(store.user_by_username("arger").await.unwrap().is_none());
}

async fn caps_on_spaces_per_owner_and_elements_per_space_hold(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let blank = || SpaceSource::Blank(Dimensions::new(5, 5).unwrap());
    let space = |name: &str| NewSpace { id: SpaceId::new(), name: name.into(), owner: user, source: blank() };
    let first = space("a");
    store.create_space(&first, 2).await.unwrap();
    store.create_space(&space("b"), 2).await.unwrap();
    let third = store.create_space(&space("c"), 2).await;
    assert!(matches!(third, Err(StoreError::Limit(Limit::SpacesPerUser(2)))), "{third:?}");
    assert_eq!(store.spaces_of(user).await.unwrap().len(), 2);

    let rug = element(&*store, 1, 1, false).await;
    store.place_element(first.id, rug.id, Position::new(0, 0), 2).await.unwrap();
    store.place_element(first.id, rug.id, Position::new(1, 0), 2).await.unwrap();
    let third = store.place_element(first.id, rug.id, Position::new(2, 0), 2).await;
    assert!(matches!(third, Err(StoreError::Limit(Limit::ElementsPerSpace(2)))), "{third:?}");
    assert_eq!(store.space(first.id).await.unwrap().unwrap().elements.len(), 2);
}

async fn placement_finds_solid_pieces_that_reach_in_from_any_side(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let space = blank_space(&*store, user, 300, 300).await;
    let slab = element(&*store, 100, 100, true).await;
    let chair = element(&*store, 1, 1, true).await;
    store.place_element(space, slab.id, Position::new(100, 100), NO_CAP).await.unwrap();
    // The slab's far corner and each edge block; one tile past them does not.
    for (x, y) in [(199, 199), (100, 150), (199, 150), (150, 100), (150, 199)] {
        let blocked = store.place_element(space, chair.id, Position::new(x, y), NO_CAP).await;
        assert!(matches!(blocked, Err(StoreError::Placement(PlacementError::OverlapsSolid))), "({x}, {y})");
    }
    for (x, y) in [(200, 150), (99, 150), (150, 99), (150, 200)] {
        store.place_element(space, chair.id, Position::new(x, y), NO_CAP).await.unwrap();
    }
    // A big piece overlapping a small one from above and to the left.
    let from_corner = store.place_element(space, slab.id, Position::new(1, 1), NO_CAP).await;
    assert!(matches!(from_corner, Err(StoreError::Placement(PlacementError::OverlapsSolid))));
}

async fn only_the_first_account_passes_the_first_account_condition(db: &TestDb) {
    let store = db.open().await;
    let first = new_user("first", Role::Admin);
    store.create_user(first.clone(), true).await.unwrap();
    let second = store.create_user(new_user("second", Role::Admin), true).await;
    assert!(matches!(second, Err(StoreError::NotFirstUser)), "{second:?}");
    assert!(store.user_by_username("second").await.unwrap().is_none());
    assert_eq!(store.user(first.id).await.unwrap().unwrap().role, Role::Admin);
}

async fn avatars_are_listed_and_chosen_and_unknown_ones_refused(db: &TestDb) {
    let store = db.open().await;
    let user = new_user("bob", Role::User);
    store.create_user(user.clone(), false).await.unwrap();
    let avatar = Avatar { id: AvatarId::new(), image_url: "/a.svg".into(), name: "Fox".into(), owner: None };
    store.create_avatar(&avatar).await.unwrap();
    assert_eq!(store.avatars().await.unwrap(), vec![avatar.clone()]);

    let unknown = store.set_user_avatar(user.id, AvatarId::new()).await;
    assert!(matches!(unknown, Err(StoreError::NotFound(Entity::Avatar))), "{unknown:?}");
    store.set_user_avatar(user.id, avatar.id).await.unwrap();

    let stranger = UserId::new();
    let listed = store.user_avatars(&[user.id, stranger]).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].image_url.as_deref(), Some("/a.svg"));
    assert_eq!(listed[0].username, "bob");
}

async fn element_images_change_and_unknown_elements_are_reported(db: &TestDb) {
    let store = db.open().await;
    let e = element(&*store, 2, 1, true).await;
    store.set_element_image(e.id, "/new.png").await.unwrap();
    assert_eq!(store.element(e.id).await.unwrap().unwrap().image_url, "/new.png");
    let missing = store.set_element_image(ElementId::new(), "/x.png").await;
    assert!(matches!(missing, Err(StoreError::NotFound(Entity::Element))), "{missing:?}");
}

async fn maps_validate_their_furniture(db: &TestDb) {
    let store = db.open().await;
    let desk = element(&*store, 2, 2, true).await;
    let map = |elements: Vec<MapElement>| NewMap {
        effects: EffectsSpec::default(),
        id: MapId::new(),
        name: "office".into(),
        dims: Dimensions::new(10, 10).unwrap(),
        thumbnail: "/t.png".into(),
        floor_image_url: None,
        elements,
    };
    let at = |x, y, element_id| MapElement { element_id, at: Position::new(x, y) };

    let unknown = store.create_map(&map(vec![at(1, 1, ElementId::new())])).await;
    assert!(matches!(unknown, Err(StoreError::NotFound(Entity::Element))), "{unknown:?}");
    let overlapping = store.create_map(&map(vec![at(1, 1, desk.id), at(2, 2, desk.id)])).await;
    assert!(matches!(overlapping, Err(StoreError::Placement(PlacementError::OverlapsSolid))));
    let outside = store.create_map(&map(vec![at(9, 9, desk.id)])).await;
    assert!(matches!(outside, Err(StoreError::Placement(PlacementError::OutsideSpace))));
    assert!(store.maps().await.unwrap().is_empty(), "failed maps must leave nothing behind");

    let good = map(vec![at(1, 1, desk.id), at(3, 1, desk.id)]);
    store.create_map(&good).await.unwrap();
    assert_eq!(store.maps().await.unwrap(), vec![good]);
}

async fn a_space_from_a_map_gets_its_own_copy_of_the_furniture(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let desk = element(&*store, 1, 1, true).await;
    let map = NewMap {
        id: MapId::new(),
        name: "office".into(),
        dims: Dimensions::new(20, 30).unwrap(),
        thumbnail: "/t.png".into(),
        floor_image_url: Some("/assets/floor.png".into()),
        elements: vec![MapElement { element_id: desk.id, at: Position::new(4, 5) }],
        effects: EffectsSpec {
            impassable: vec![Position::new(0, 0)],
            spawns: vec![Spawn { at: Position::new(1, 1), name: Some("door".into()) }],
            ..Default::default()
        },
    };
    store.create_map(&map).await.unwrap();
    assert_eq!(store.maps().await.unwrap()[0].effects, map.effects);
    let id = SpaceId::new();
    let source = SpaceSource::Map(map.id);
    store.create_space(&NewSpace { id, name: "mine".into(), owner: user, source }, NO_CAP).await.unwrap();

    let space = store.space(id).await.unwrap().unwrap();
    assert_eq!(space.summary.dims, map.dims);
    assert_eq!(space.summary.thumbnail.as_deref(), Some("/t.png"));
    assert_eq!(space.elements.len(), 1);
    assert_eq!((space.elements[0].element.id, space.elements[0].at), (desk.id, Position::new(4, 5)));
    assert_eq!(space.effects, map.effects, "the map's effects, copied");
    assert_eq!(space.floor_image_url, map.floor_image_url, "and its floor image");

    // Removing the space's copy leaves the map alone.
    store.remove_element(space.elements[0].id).await.unwrap();
    assert_eq!(store.maps().await.unwrap()[0].elements.len(), 1);

    let unknown = NewSpace {
        id: SpaceId::new(),
        name: "x".into(),
        owner: user,
        source: SpaceSource::Map(MapId::new()),
    };
    assert!(matches!(store.create_space(&unknown, NO_CAP).await, Err(StoreError::NotFound(Entity::Map))));
}

async fn placement_follows_the_core_rules(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let space = blank_space(&*store, user, 10, 10).await;
    let desk = element(&*store, 2, 2, true).await;
    let rug = element(&*store, 3, 3, false).await;

    store.place_element(space, desk.id, Position::new(0, 0), NO_CAP).await.unwrap();
    let on_desk = store.place_element(space, rug.id, Position::new(1, 1), NO_CAP).await;
    assert!(matches!(on_desk, Err(StoreError::Placement(PlacementError::OverlapsSolid))));
    let outside = store.place_element(space, rug.id, Position::new(8, 8), NO_CAP).await;
    assert!(matches!(outside, Err(StoreError::Placement(PlacementError::OutsideSpace))));
    let rug_placed = store.place_element(space, rug.id, Position::new(5, 5), NO_CAP).await.unwrap();
    store.place_element(space, desk.id, Position::new(6, 6), NO_CAP).await.unwrap();

    let unknown_space = store.place_element(SpaceId::new(), rug.id, Position::new(0, 0), NO_CAP).await;
    assert!(matches!(unknown_space, Err(StoreError::NotFound(Entity::Space))));
    let unknown_element = store.place_element(space, ElementId::new(), Position::new(9, 0), NO_CAP).await;
    assert!(matches!(unknown_element, Err(StoreError::NotFound(Entity::Element))));

    assert_eq!(store.space_of_element(rug_placed.id).await.unwrap().unwrap().id, space);
    assert_eq!(store.space(space).await.unwrap().unwrap().elements.len(), 3);
}

async fn concurrent_placements_on_one_tile_never_both_succeed(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let space = blank_space(&*store, user, 10, 10).await;
    let desk = element(&*store, 1, 1, true).await;
    let attempts = (0..8).map(|_| {
        let store = store.clone();
        tokio::spawn(async move { store.place_element(space, desk.id, Position::new(3, 3), NO_CAP).await })
    });
    let mut placed = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(_) => placed += 1,
            Err(StoreError::Placement(PlacementError::OverlapsSolid)) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(placed, 1);
}

async fn deleting_a_space_deletes_its_furniture(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let space = blank_space(&*store, user, 5, 5).await;
    let desk = element(&*store, 1, 1, true).await;
    let placed = store.place_element(space, desk.id, Position::new(1, 1), NO_CAP).await.unwrap();
    store.delete_space(space).await.unwrap();
    assert!(store.space(space).await.unwrap().is_none());
    assert!(store.space_of_element(placed.id).await.unwrap().is_none());
    assert!(matches!(store.delete_space(space).await, Err(StoreError::NotFound(Entity::Space))));
    assert!(matches!(
        store.remove_element(SpaceElementId::new()).await,
        Err(StoreError::NotFound(Entity::SpaceElement))
    ));
}

async fn spaces_are_listed_per_owner_and_survive_reopening(db: &TestDb) {
    let (user, space) = {
        let store = db.open().await;
        let user = owner(&*store).await;
        let other = owner(&*store).await;
        let space = blank_space(&*store, user, 7, 3).await;
        blank_space(&*store, other, 4, 4).await;
        (user, space)
    };
    let store = db.open().await;
    let mine = store.spaces_of(user).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!((mine[0].id, mine[0].dims.to_string()), (space, "7x3".to_string()));
}

fn session_for(user: UserId, created_at: i64) -> gather_store::Session {
    gather_store::Session {
        id: gather_core::SessionId::new(),
        user_id: user,
        created_at,
        last_seen_at: created_at,
        user_agent: "test-agent".into(),
        revoked: false,
    }
}

async fn sessions_are_listed_newest_first_and_revoked_one_by_one_or_all_but_one(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let (old, mid, new) = (session_for(user, 1), session_for(user, 2), session_for(user, 3));
    for s in [&old, &mid, &new] {
        store.create_session(s).await.unwrap();
    }
    let ids = |list: Vec<gather_store::Session>| list.into_iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(store.active_sessions(user).await.unwrap()), vec![new.id, mid.id, old.id]);

    store.revoke_session(mid.id).await.unwrap();
    store.revoke_session(mid.id).await.unwrap();
    assert!(store.session(mid.id).await.unwrap().unwrap().revoked);
    assert_eq!(ids(store.active_sessions(user).await.unwrap()), vec![new.id, old.id]);

    let revoked = store.revoke_other_sessions(user, new.id).await.unwrap();
    assert_eq!(revoked, vec![old.id]);
    assert_eq!(ids(store.active_sessions(user).await.unwrap()), vec![new.id]);

    store.touch_sessions(&[new.id, old.id], 99).await.unwrap();
    store.touch_sessions(&[new.id], 50).await.unwrap();
    store.touch_sessions(&[], 120).await.unwrap();
    assert_eq!(store.session(new.id).await.unwrap().unwrap().last_seen_at, 99, "never moved back");
    assert_eq!(store.session(old.id).await.unwrap().unwrap().last_seen_at, 99, "both in one write");
    // More than one statement's worth, unknown ones among them.
    let mut many: Vec<_> = (0..1200).map(|_| gather_core::SessionId::new()).collect();
    many.push(new.id);
    store.touch_sessions(&many, 150).await.unwrap();
    assert_eq!(store.session(new.id).await.unwrap().unwrap().last_seen_at, 150);
    let missing = store.revoke_session(gather_core::SessionId::new()).await;
    assert!(matches!(missing, Err(StoreError::NotFound(Entity::Session))));
}

fn chat(
    space: SpaceId,
    from: UserId,
    scope: gather_core::ChatScope,
    to: Option<UserId>,
    text: &str,
) -> gather_store::NewChatMessage {
    gather_store::NewChatMessage {
        id: gather_core::ChatMessageId::new(),
        space_id: space,
        user_id: from,
        scope,
        to,
        text: text.into(),
        ts: 1,
        audience: Vec::new(),
        client_id: None,
    }
}

async fn chat_pages_go_newest_first_and_hide_other_peoples_direct_messages(db: &TestDb) {
    use gather_core::ChatScope::{Direct, Nearby, Space};
    let (alice, bob, carol, space) = {
        let store = db.open().await;
        let (alice, bob, carol) = (owner(&*store).await, owner(&*store).await, owner(&*store).await);
        let space = blank_space(&*store, alice, 10, 10).await;
        for message in [
            chat(space, alice, Space, None, "one"),
            gather_store::NewChatMessage {
                audience: vec![carol, alice],
                ..chat(space, bob, Nearby, None, "two")
            },
            chat(space, carol, Nearby, None, "heard by nobody"),
            chat(space, alice, Direct, Some(bob), "psst"),
            chat(space, carol, Space, None, "three"),
        ] {
            store.append_chat(&message).await.unwrap();
        }
        (alice, bob, carol, space)
    };
    let store = db.open().await; // The log survives reopening.
    let texts = |page: Vec<gather_store::ChatMessage>| page.into_iter().map(|m| m.text).collect::<Vec<_>>();
    assert_eq!(texts(store.chat_page(space, bob, None, 10).await.unwrap()), ["three", "psst", "two", "one"]);
    assert_eq!(
        texts(store.chat_page(space, carol, None, 10).await.unwrap()),
        ["three", "heard by nobody", "two", "one"],
        "a nearby message for those it reached and its sender"
    );
    let outsider = owner(&*store).await;
    assert_eq!(
        texts(store.chat_page(space, outsider, None, 10).await.unwrap()),
        ["three", "one"],
        "nobody else"
    );

    let first = store.chat_page(space, alice, None, 2).await.unwrap();
    assert_eq!(texts(first.clone()), ["three", "psst"]);
    let next = store.chat_page(space, alice, Some(first[1].id), 2).await.unwrap();
    assert_eq!(texts(next.clone()), ["two", "one"]);
    assert!(store.chat_page(space, alice, Some(next[1].id), 2).await.unwrap().is_empty());
    let unknown = store.chat_page(space, alice, Some(gather_core::ChatMessageId::new()), 2).await;
    assert!(matches!(unknown, Err(StoreError::NotFound(Entity::ChatMessage))));

    store.delete_space(space).await.unwrap();
    assert!(store.chat_page(space, alice, None, 10).await.unwrap().is_empty());
}

async fn passwords_can_be_changed(db: &TestDb) {
    let store = db.open().await;
    let user = new_user("pat", Role::User);
    store.create_user(user.clone(), false).await.unwrap();
    store.set_password_hash(user.id, "$argon2id$new").await.unwrap();
    assert_eq!(store.user(user.id).await.unwrap().unwrap().password_hash, "$argon2id$new");
    assert!(matches!(
        store.set_password_hash(UserId::new(), "x").await,
        Err(StoreError::NotFound(Entity::User))
    ));
}

async fn concurrent_first_accounts_let_exactly_one_in(db: &TestDb) {
    let store = db.open().await;
    let attempts = (0..6).map(|i| {
        let store = store.clone();
        tokio::spawn(
            async move { store.create_user(new_user(&format!("founder-{i}"), Role::Admin), true).await },
        )
    });
    let mut created = 0;
    for attempt in attempts {
        match attempt.await.unwrap() {
            Ok(()) => created += 1,
            Err(StoreError::NotFirstUser) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created, 1);
}

fn audit(space: SpaceId, actor: UserId, action: &'static str, target: Option<UserId>) -> NewAuditEntry {
    NewAuditEntry {
        space_id: space,
        actor_id: actor,
        action,
        target_id: target,
        detail: format!("{action}!"),
    }
}

async fn space_effects_are_replaced_whole_and_logged(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    let space = blank_space(&*store, user, 10, 10).await;
    assert_eq!(store.space(space).await.unwrap().unwrap().effects, EffectsSpec::default());
    let walls = EffectsSpec {
        impassable: vec![Position::new(2, 3)],
        quiet: vec![Position::new(4, 4)],
        ..Default::default()
    };
    store.set_space_effects(&walls, &audit(space, user, "effects", None)).await.unwrap();
    assert_eq!(store.space(space).await.unwrap().unwrap().effects, walls);
    let none = EffectsSpec::default();
    store.set_space_effects(&none, &audit(space, user, "effects", None)).await.unwrap();
    assert_eq!(store.space(space).await.unwrap().unwrap().effects, none, "replaced, not merged");
    let log = store.audit_log(space, 10).await.unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!((log[0].action.as_str(), log[0].actor_id), ("effects", user));
    let missing = store.set_space_effects(&walls, &audit(SpaceId::new(), user, "effects", None)).await;
    assert!(matches!(missing, Err(StoreError::NotFound(Entity::Space))));
}

async fn roles_bans_and_access_decide_entry_and_every_change_is_audited(db: &TestDb) {
    let store = db.open().await;
    let boss = owner(&*store).await;
    let (mod_, guest) = (owner(&*store).await, owner(&*store).await);
    let space = blank_space(&*store, boss, 10, 10).await;
    let entry = |user| {
        let store = store.clone();
        async move { store.entry(space, user).await.unwrap().unwrap() }
    };
    assert_eq!(entry(boss).await.role, SpaceRole::Owner);
    assert_eq!(entry(guest).await.role, SpaceRole::Guest);
    assert_eq!(entry(guest).await.gate.access, SpaceAccess::Public);
    assert!(store.entry(SpaceId::new(), guest).await.unwrap().is_none());

    store
        .set_space_role(mod_, Some(SpaceRole::Moderator), &audit(space, boss, "role", Some(mod_)))
        .await
        .unwrap();
    assert_eq!(entry(mod_).await.role, SpaceRole::Moderator);
    store
        .set_space_role(mod_, Some(SpaceRole::Builder), &audit(space, boss, "role", Some(mod_)))
        .await
        .unwrap();
    let members = store.space_members(space).await.unwrap();
    assert_eq!(members.len(), 1, "one role per person");
    assert_eq!((members[0].user_id, members[0].role), (mod_, SpaceRole::Builder));
    let nobody =
        store.set_space_role(UserId::new(), Some(SpaceRole::Member), &audit(space, boss, "role", None)).await;
    assert!(matches!(nobody, Err(StoreError::NotFound(Entity::User))));

    store.ban(guest, &audit(space, mod_, "ban", Some(guest))).await.unwrap();
    store.ban(guest, &audit(space, mod_, "ban", Some(guest))).await.unwrap();
    assert!(entry(guest).await.banned);
    assert_eq!(store.bans(space).await.unwrap().len(), 1, "banning twice is one ban");
    assert!(store.unban(guest, &audit(space, boss, "unban", Some(guest))).await.unwrap());
    assert!(!store.unban(guest, &audit(space, boss, "unban", Some(guest))).await.unwrap());
    assert!(!entry(guest).await.banned);

    store
        .set_space_access(SpaceAccess::Password, Some("$argon2id$one"), &audit(space, boss, "access", None))
        .await
        .unwrap();
    let first = entry(guest).await.gate;
    assert_eq!(
        (first.access, first.password_hash.as_deref()),
        (SpaceAccess::Password, Some("$argon2id$one"))
    );
    store
        .set_space_access(SpaceAccess::Password, Some("$argon2id$two"), &audit(space, boss, "access", None))
        .await
        .unwrap();
    assert!(
        entry(guest).await.gate.password_version > first.password_version,
        "a new password, a new version"
    );
    store.set_space_access(SpaceAccess::Members, None, &audit(space, boss, "access", None)).await.unwrap();
    assert_eq!(entry(guest).await.gate.access, SpaceAccess::Members);

    store.append_audit(&audit(space, mod_, "kick", Some(guest))).await.unwrap();
    let log = store.audit_log(space, 100).await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(
        actions,
        ["kick", "access", "access", "access", "unban", "ban", "ban", "role", "role"],
        "newest first; the refused role change and the empty unban left nothing"
    );
    assert_eq!(store.audit_log(space, 2).await.unwrap().len(), 2);
    assert_eq!(log[0].target_id, Some(guest));

    // Deleting the space takes its rules with it.
    store.delete_space(space).await.unwrap();
    assert!(store.audit_log(space, 10).await.unwrap().is_empty());
}

fn asset(hash: &str, bytes: u64) -> AssetRecord {
    AssetRecord { hash: hash.into(), bytes, width: 4, height: 3 }
}

async fn uploads_count_once_per_person_against_their_quota(db: &TestDb) {
    let store = db.open().await;
    let (ann, bob) = (owner(&*store).await, owner(&*store).await);
    store.record_upload(ann, &asset("a1", 600), 1000).await.unwrap();
    // The same image again costs nothing more.
    store.record_upload(ann, &asset("a1", 600), 1000).await.unwrap();
    assert_eq!(store.uploaded_bytes(ann).await.unwrap(), 600);
    let over = store.record_upload(ann, &asset("a2", 401), 1000).await;
    assert!(matches!(over, Err(StoreError::Limit(Limit::AssetQuota(1000)))), "{over:?}");
    assert!(store.asset("a2").await.unwrap().is_none(), "a refused upload is not recorded");
    store.record_upload(ann, &asset("a2", 400), 1000).await.unwrap();
    assert_eq!(store.uploaded_bytes(ann).await.unwrap(), 1000);
    // Someone else uploading the same image pays for it on their own quota.
    store.record_upload(bob, &asset("a1", 600), 1000).await.unwrap();
    assert_eq!(store.uploaded_bytes(bob).await.unwrap(), 600);
    assert_eq!(store.asset("a1").await.unwrap(), Some(asset("a1", 600)));
}

async fn the_sweep_removes_only_old_assets_nothing_refers_to(db: &TestDb) {
    let store = db.open().await;
    let user = owner(&*store).await;
    for hash in ["kept", "unused", "fresh"] {
        store.record_upload(user, &asset(hash, 10), u64::MAX).await.unwrap();
    }
    let avatar =
        Avatar { id: AvatarId::new(), image_url: "/assets/kept.png".into(), name: "K".into(), owner: None };
    store.create_avatar(&avatar).await.unwrap();
    let future = i64::MAX;
    let past = 0;
    assert!(store.sweep_assets(past).await.unwrap().is_empty(), "nothing is older than the cutoff");
    let mut swept = store.sweep_assets(future).await.unwrap();
    swept.sort();
    assert_eq!(swept, vec!["fresh".to_owned(), "unused".to_owned()]);
    assert!(store.asset("kept").await.unwrap().is_some());
    assert!(store.asset("unused").await.unwrap().is_none());
    assert_eq!(store.uploaded_bytes(user).await.unwrap(), 10, "swept assets leave the quota");
}

async fn own_avatars_are_their_owners_alone(db: &TestDb) {
    let store = db.open().await;
    let (ann, bob) = (owner(&*store).await, owner(&*store).await);
    let own = |name: &str| Avatar {
        id: AvatarId::new(),
        image_url: format!("/assets/{name}.png"),
        name: name.into(),
        owner: Some(ann),
    };
    let (first, second) = (own("first"), own("second"));
    store.create_own_avatar(&first, 2).await.unwrap();
    store.create_own_avatar(&second, 2).await.unwrap();
    let third = store.create_own_avatar(&own("third"), 2).await;
    assert!(matches!(third, Err(StoreError::Limit(Limit::AvatarsPerUser(2)))), "{third:?}");
    assert_eq!(store.own_avatars(ann).await.unwrap(), vec![first.clone(), second.clone()]);
    assert!(store.avatars().await.unwrap().is_empty(), "own avatars are not in the shared list");
    assert!(store.own_avatars(bob).await.unwrap().is_empty());

    let taken = store.set_user_avatar(bob, first.id).await;
    assert!(matches!(taken, Err(StoreError::NotFound(Entity::Avatar))), "{taken:?}");
    store.set_user_avatar(ann, first.id).await.unwrap();
    let shown = store.user_avatars(&[ann]).await.unwrap();
    assert_eq!(shown[0].image_url.as_deref(), Some("/assets/first.png"), "others see it on their label");

    let not_bobs = store.delete_own_avatar(bob, first.id).await;
    assert!(matches!(not_bobs, Err(StoreError::NotFound(Entity::Avatar))), "{not_bobs:?}");
    store.delete_own_avatar(ann, first.id).await.unwrap();
    assert_eq!(store.user(ann).await.unwrap().unwrap().avatar_id, None, "the deleted avatar is taken off");
    assert_eq!(store.own_avatars(ann).await.unwrap(), vec![second]);
}

async fn a_message_sent_twice_with_one_client_id_is_stored_once(db: &TestDb) {
    let store = db.open().await;
    let (ann, bob) = (owner(&*store).await, owner(&*store).await);
    let space = blank_space(&*store, ann, 4, 4).await;
    let first = gather_store::NewChatMessage {
        client_id: Some("c-1".into()),
        ..chat(space, ann, gather_core::ChatScope::Space, None, "hello")
    };
    assert_eq!(store.append_chat(&first).await.unwrap(), gather_store::ChatAppend::Stored);
    // The retry has a new server id and time, as a retried send would.
    let retry =
        gather_store::NewChatMessage { id: gather_core::ChatMessageId::new(), ts: 2, ..first.clone() };
    let gather_store::ChatAppend::AlreadyStored(kept) = store.append_chat(&retry).await.unwrap() else {
        panic!("the retry is not stored again");
    };
    assert_eq!((kept.id, kept.ts, kept.text.as_str()), (first.id, 1, "hello"));
    // Another sender, or no client id, is another message.
    let bobs = gather_store::NewChatMessage {
        client_id: Some("c-1".into()),
        ..chat(space, bob, gather_core::ChatScope::Space, None, "hi")
    };
    assert_eq!(store.append_chat(&bobs).await.unwrap(), gather_store::ChatAppend::Stored);
    let plain = chat(space, ann, gather_core::ChatScope::Space, None, "again");
    assert_eq!(store.append_chat(&plain).await.unwrap(), gather_store::ChatAppend::Stored);
    assert_eq!(store.append_chat(&plain_again(&plain)).await.unwrap(), gather_store::ChatAppend::Stored);
    assert_eq!(store.chat_page(space, ann, None, 50).await.unwrap().len(), 4);
}

fn plain_again(message: &gather_store::NewChatMessage) -> gather_store::NewChatMessage {
    gather_store::NewChatMessage { id: gather_core::ChatMessageId::new(), ..message.clone() }
}
