//! HTTP bodies for a space's own rules, an addition to the contract: tile effects (walls,
//! spawn tiles, portals, private areas, spotlights, quiet zones), roles, moderation,
//! access and the audit log. Effects are sent whole, in the same form over HTTP and in the
//! `effects-changed` frame.

use gather_core::{EffectsSpec, Footprint, Portal, Position, PrivateArea, SpaceId, Spawn, UserId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::ws::Point;

/// A space's or a map's tile effects. Every list may be left out (empty).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default, deny_unknown_fields)]
pub struct EffectsBody {
    /// Tiles nobody may stand on (walls without furniture).
    #[schema(value_type = Vec<Object>)]
    pub impassable: Vec<Point>,
    /// Where people arrive; a named one is reached by `/space/<id>#<name>`.
    pub spawns: Vec<SpawnBody>,
    pub portals: Vec<PortalBody>,
    pub areas: Vec<AreaBody>,
    /// Someone standing here reaches everyone in the space (up to 100 people).
    #[schema(value_type = Vec<Object>)]
    pub spotlights: Vec<Point>,
    /// Voice and chat here carry only to the neighbouring tiles.
    #[schema(value_type = Vec<Object>)]
    pub quiet: Vec<Point>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SpawnBody {
    pub x: i64,
    pub y: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub name: Option<String>,
}

/// A portal on tile (`x`, `y`): either to tile `to` of the same space, or to space
/// `spaceId` (at its spawn tile `spawn`, when named).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PortalBody {
    pub x: i64,
    pub y: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub to: Option<Point>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub space_id: Option<SpaceId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub spawn: Option<String>,
}

/// A private area: a named rectangle whose people hear only each other.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AreaBody {
    pub name: String,
    pub x: i64,
    pub y: i64,
    pub width: u32,
    pub height: u32,
    #[serde(default)]
    pub locked: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub max_occupancy: Option<u32>,
}

/// Why a body is not a set of effects, before the core checks it against the space.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a portal leads either to a tile (`to`) or to a space (`spaceId`), not both and not neither")]
pub struct PortalShapeError;

fn position(p: Point) -> Position {
    Position::new(p.x, p.y)
}

impl TryFrom<EffectsBody> for EffectsSpec {
    type Error = PortalShapeError;

    fn try_from(body: EffectsBody) -> Result<Self, Self::Error> {
        let portals = body
            .portals
            .into_iter()
            .map(|p| {
                let target = match (p.to, p.space_id) {
                    (Some(to), None) if p.spawn.is_none() => Portal::Tile(position(to)),
                    (None, Some(space)) => Portal::Space { space, spawn: p.spawn },
                    _ => return Err(PortalShapeError),
                };
                Ok((Position::new(p.x, p.y), target))
            })
            .collect::<Result<_, _>>()?;
        Ok(EffectsSpec {
            impassable: body.impassable.into_iter().map(position).collect(),
            spawns: body
                .spawns
                .into_iter()
                .map(|s| Spawn { at: Position::new(s.x, s.y), name: s.name })
                .collect(),
            portals,
            areas: body
                .areas
                .into_iter()
                .map(|a| PrivateArea {
                    name: a.name,
                    region: Footprint::new(Position::new(a.x, a.y), a.width, a.height),
                    locked: a.locked,
                    max_occupancy: a.max_occupancy,
                })
                .collect(),
            spotlights: body.spotlights.into_iter().map(position).collect(),
            quiet: body.quiet.into_iter().map(position).collect(),
        })
    }
}

impl From<&EffectsSpec> for EffectsBody {
    fn from(spec: &EffectsSpec) -> Self {
        let points = |tiles: &[Position]| tiles.iter().map(|p| Point::from(*p)).collect();
        Self {
            impassable: points(&spec.impassable),
            spawns: spec
                .spawns
                .iter()
                .map(|s| SpawnBody { x: s.at.x, y: s.at.y, name: s.name.clone() })
                .collect(),
            portals: spec
                .portals
                .iter()
                .map(|(at, portal)| match portal {
                    Portal::Tile(to) => {
                        PortalBody { x: at.x, y: at.y, to: Some((*to).into()), space_id: None, spawn: None }
                    }
                    Portal::Space { space, spawn } => PortalBody {
                        x: at.x,
                        y: at.y,
                        to: None,
                        space_id: Some(*space),
                        spawn: spawn.clone(),
                    },
                })
                .collect(),
            areas: spec
                .areas
                .iter()
                .map(|a| AreaBody {
                    name: a.name.clone(),
                    x: a.region.at.x,
                    y: a.region.at.y,
                    width: a.region.width,
                    height: a.region.height,
                    locked: a.locked,
                    max_occupancy: a.max_occupancy,
                })
                .collect(),
            spotlights: points(&spec.spotlights),
            quiet: points(&spec.quiet),
        }
    }
}

/// `PUT /api/v1/space/{id}/access`: who may enter. A password is needed to switch to
/// `password` (and replaces the old one); it is stored as an argon2id hash.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SetAccessRequest {
    /// `public`, `members` or `password`.
    pub access: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub password: Option<String>,
}

/// `POST /api/v1/space/{id}/grant`: the space's password, for a grant to join with.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GrantRequest {
    pub password: String,
}

/// A signed proof that this account gave the space's password; send it as `grant` in the
/// `join` frame. It expires, and changing the password voids it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct GrantResponse {
    pub grant: String,
}

/// `GET /api/v1/space/{id}/settings`: what the space's settings page shows.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct SpaceSettingsResponse {
    pub access: String,
    /// Your role: `owner`, `moderator`, `builder`, `member` or `guest`.
    pub your_role: String,
    pub members: Vec<MemberBody>,
    pub bans: Vec<BanBody>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct MemberBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
    pub username: String,
    pub role: String,
}

/// `PUT /api/v1/space/{id}/members`: give `username` a role (`moderator`, `builder`,
/// `member`), or take it away with `none`.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SetMemberRequest {
    pub username: String,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct BanBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
    pub username: String,
    /// Unix milliseconds.
    pub at: i64,
}

/// The person a moderation request (`kick`, `ban`, `mute`) is about.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ModerationRequest {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub user_id: UserId,
}

/// `GET /api/v1/space/{id}/audit`, newest first.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditResponse {
    pub entries: Vec<AuditEntryBody>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "camelCase")]
pub struct AuditEntryBody {
    #[schema(value_type = String, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "String"))]
    pub actor_id: UserId,
    pub actor: String,
    /// `kick`, `ban`, `unban`, `mute`, `role`, `access`, `effects`.
    pub action: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = "uuid")]
    #[cfg_attr(feature = "ts", ts(as = "Option<String>", optional))]
    pub target_id: Option<UserId>,
    pub detail: String,
    /// Unix milliseconds.
    pub at: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn effects_read_back_as_written_and_portals_have_one_target() {
        let body: EffectsBody = serde_json::from_value(serde_json::json!({
            "impassable": [{"x": 1, "y": 0}],
            "spawns": [{"x": 2, "y": 2, "name": "door"}],
            "portals": [{"x": 3, "y": 3, "to": {"x": 9, "y": 9}},
                        {"x": 4, "y": 4, "spaceId": SpaceId::new().to_string(), "spawn": "hall"}],
            "areas": [{"name": "booth", "x": 0, "y": 5, "width": 2, "height": 2, "maxOccupancy": 2}],
            "spotlights": [{"x": 5, "y": 5}],
        }))
        .unwrap();
        let spec = EffectsSpec::try_from(body.clone()).unwrap();
        assert_eq!(EffectsBody::from(&spec), body);
        let both = PortalBody {
            x: 0,
            y: 0,
            to: Some(Point { x: 1, y: 1 }),
            space_id: Some(SpaceId::new()),
            spawn: None,
        };
        let neither = PortalBody { x: 0, y: 0, to: None, space_id: None, spawn: None };
        for portal in [both, neither] {
            let body = EffectsBody { portals: vec![portal], ..Default::default() };
            assert_eq!(EffectsSpec::try_from(body), Err(PortalShapeError));
        }
        let typo = serde_json::json!({"walls": []});
        assert!(serde_json::from_value::<EffectsBody>(typo).is_err(), "an unknown list is an error");
    }
}
