use std::collections::HashMap;

use async_trait::async_trait;
use gather_core::layout::check_placement;
use gather_core::{ElementId, Footprint, MapId, Position, SpaceElementId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::rules::{effects_from, effects_json};
use super::{dims, flag, now_ms, parse, size, SqlStore};
use crate::{Avatar, CatalogStore, Element, Entity, Map, MapElement, NewMap, StoreError, StoreResult};

pub(super) fn element_from(row: &AnyRow) -> StoreResult<Element> {
    Ok(Element {
        id: parse("elements.id", row.try_get("element_id")?)?,
        image_url: row.try_get("image_url")?,
        width: size("elements.width", row.try_get("width")?)?,
        height: size("elements.height", row.try_get("height")?)?,
        solid: flag(row, "is_static")?,
    })
}

/// Columns that [`element_from`] reads, for queries joining `elements e`.
pub(super) const ELEMENT_COLUMNS: &str = "e.id AS element_id, e.image_url, e.width, e.height, e.is_static";

pub(super) const AVATAR_COLUMNS: &str = "id, image_url, name, owner_id";

pub(super) fn avatar_from(row: &AnyRow) -> StoreResult<Avatar> {
    Ok(Avatar {
        id: parse("avatars.id", row.try_get("id")?)?,
        image_url: row.try_get("image_url")?,
        name: row.try_get("name")?,
        owner: row
            .try_get::<Option<String>, _>("owner_id")?
            .map(|o| parse("avatars.owner_id", o))
            .transpose()?,
    })
}

pub(super) async fn insert_avatar(conn: &mut AnyConnection, avatar: &Avatar) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO avatars (id, image_url, name, owner_id, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(avatar.id.to_string())
    .bind(&avatar.image_url)
    .bind(&avatar.name)
    .bind(avatar.owner.map(|o| o.to_string()))
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

pub(super) async fn load_element(conn: &mut AnyConnection, id: ElementId) -> StoreResult<Option<Element>> {
    let sql = format!("SELECT {ELEMENT_COLUMNS} FROM elements e WHERE e.id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await?;
    row.as_ref().map(element_from).transpose()
}

#[async_trait]
impl CatalogStore for SqlStore {
    async fn create_avatar(&self, avatar: &Avatar) -> StoreResult<()> {
        insert_avatar(&mut *self.writer.acquire().await?, avatar).await
    }

    async fn avatars(&self) -> StoreResult<Vec<Avatar>> {
        let sql = format!("SELECT {AVATAR_COLUMNS} FROM avatars WHERE owner_id IS NULL ORDER BY seq");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(avatar_from).collect()
    }

    async fn create_element(&self, element: &Element) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO elements (id, image_url, width, height, is_static, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(element.id.to_string())
        .bind(&element.image_url)
        .bind(i64::from(element.width))
        .bind(i64::from(element.height))
        .bind(i64::from(element.solid))
        .bind(now_ms())
        .execute(&self.writer)
        .await?;
        Ok(())
    }

    async fn element(&self, id: ElementId) -> StoreResult<Option<Element>> {
        let mut conn = self.pool.acquire().await?;
        load_element(&mut conn, id).await
    }

    async fn elements(&self) -> StoreResult<Vec<Element>> {
        let sql = format!("SELECT {ELEMENT_COLUMNS} FROM elements e ORDER BY e.seq");
        let rows = sqlx::query(&sql).fetch_all(&self.pool).await?;
        rows.iter().map(element_from).collect()
    }

    async fn set_element_image(&self, id: ElementId, image_url: &str) -> StoreResult<()> {
        let done = sqlx::query("UPDATE elements SET image_url = $1 WHERE id = $2")
            .bind(image_url)
            .bind(id.to_string())
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::Element));
        }
        Ok(())
    }

    async fn create_map(&self, map: &NewMap) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        let mut placed: Vec<(Footprint, bool)> = Vec::with_capacity(map.elements.len());
        for item in &map.elements {
            let element =
                load_element(&mut tx, item.element_id).await?.ok_or(StoreError::NotFound(Entity::Element))?;
            let footprint = element.footprint_at(item.at);
            check_placement(map.dims, placed.iter().copied(), footprint)?;
            placed.push((footprint, element.solid));
        }
        sqlx::query(
            "INSERT INTO maps (id, name, width, height, thumbnail, created_at, effects, floor_image_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(map.id.to_string())
        .bind(&map.name)
        .bind(i64::from(map.dims.width))
        .bind(i64::from(map.dims.height))
        .bind(&map.thumbnail)
        .bind(now_ms())
        .bind(effects_json(&map.effects))
        .bind(&map.floor_image_url)
        .execute(&mut *tx)
        .await?;
        // Inserted in list order; `seq` keeps that order.
        for item in &map.elements {
            sqlx::query(
                "INSERT INTO map_elements (id, map_id, element_id, x, y) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(SpaceElementId::new().to_string())
            .bind(map.id.to_string())
            .bind(item.element_id.to_string())
            .bind(item.at.x)
            .bind(item.at.y)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn maps(&self) -> StoreResult<Vec<Map>> {
        let rows = sqlx::query(
            "SELECT id, name, width, height, thumbnail, floor_image_url, effects FROM maps ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        let items = sqlx::query("SELECT map_id, element_id, x, y FROM map_elements ORDER BY map_id, seq")
            .fetch_all(&self.pool)
            .await?;
        let mut maps = rows
            .into_iter()
            .map(|row| {
                Ok(Map {
                    id: parse("maps.id", row.try_get("id")?)?,
                    name: row.try_get("name")?,
                    dims: dims(row.try_get("width")?, row.try_get("height")?)?,
                    thumbnail: row.try_get("thumbnail")?,
                    floor_image_url: row.try_get("floor_image_url")?,
                    elements: Vec::new(),
                    effects: effects_from("maps.effects", &row.try_get::<String, _>("effects")?)?,
                })
            })
            .collect::<StoreResult<Vec<Map>>>()?;
        let index: HashMap<MapId, usize> = maps.iter().enumerate().map(|(i, m)| (m.id, i)).collect();
        for row in items {
            let map_id: MapId = parse("map_elements.map_id", row.try_get("map_id")?)?;
            if let Some(&i) = index.get(&map_id) {
                maps[i].elements.push(MapElement {
                    element_id: parse("map_elements.element_id", row.try_get("element_id")?)?,
                    at: Position::new(row.try_get("x")?, row.try_get("y")?),
                });
            }
        }
        Ok(maps)
    }
}
