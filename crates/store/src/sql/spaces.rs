use async_trait::async_trait;
use gather_core::geometry::MAX_ELEMENT_SIDE;
use gather_core::{ElementId, Footprint, PlacementError, Position, SpaceElementId, SpaceId, UserId};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use super::catalog::{element_from, load_element, ELEMENT_COLUMNS};
use super::rules::effects_from;
use super::{dims, now_ms, parse, Lock, SqlStore};
use crate::{
    Entity, Limit, NewSpace, PlacedElement, Space, SpaceSource, SpaceStore, SpaceSummary, StoreError,
    StoreResult,
};

const SUMMARY_COLUMNS: &str = "s.id, s.name, s.width, s.height, s.thumbnail, s.owner_id";

fn summary_from(row: AnyRow) -> StoreResult<SpaceSummary> {
    Ok(SpaceSummary {
        id: parse("spaces.id", row.try_get("id")?)?,
        name: row.try_get("name")?,
        dims: dims(row.try_get("width")?, row.try_get("height")?)?,
        thumbnail: row.try_get("thumbnail")?,
        owner: parse("spaces.owner_id", row.try_get("owner_id")?)?,
    })
}

async fn load_summary(conn: &mut AnyConnection, id: SpaceId) -> StoreResult<Option<SpaceSummary>> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM spaces s WHERE s.id = $1");
    let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(conn).await?;
    row.map(summary_from).transpose()
}

async fn load_placed(conn: &mut AnyConnection, space: SpaceId) -> StoreResult<Vec<PlacedElement>> {
    let sql = format!(
        "SELECT se.id, se.x, se.y, {ELEMENT_COLUMNS} FROM space_elements se
         JOIN elements e ON e.id = se.element_id WHERE se.space_id = $1 ORDER BY se.seq"
    );
    let rows = sqlx::query(&sql).bind(space.to_string()).fetch_all(conn).await?;
    rows.iter()
        .map(|row| {
            Ok(PlacedElement {
                id: parse("space_elements.id", row.try_get("id")?)?,
                element: element_from(row)?,
                at: Position::new(row.try_get("x")?, row.try_get("y")?),
            })
        })
        .collect()
}

/// Whether a solid piece already in the space overlaps `new`. One query over the
/// rectangle, whatever the space holds: a piece is at most `MAX_ELEMENT_SIDE` wide and tall,
/// so only pieces whose corner lies that close to `new` can reach it, and the position index
/// finds those by range.
async fn overlaps_solid(conn: &mut AnyConnection, space: SpaceId, new: Footprint) -> StoreResult<bool> {
    let reach = i64::from(MAX_ELEMENT_SIDE);
    let (left, top) = (new.at.x, new.at.y);
    let (right, bottom) = (left + i64::from(new.width), top + i64::from(new.height));
    let row = sqlx::query(
        "SELECT 1 AS hit FROM space_elements se JOIN elements e ON e.id = se.element_id
         WHERE se.space_id = $1 AND se.x > $2 AND se.x < $3 AND se.y > $4 AND se.y < $5
           AND e.is_static = 1 AND se.x + e.width > $6 AND se.y + e.height > $7
         LIMIT 1",
    )
    .bind(space.to_string())
    .bind(left - reach)
    .bind(right)
    .bind(top - reach)
    .bind(bottom)
    .bind(left)
    .bind(top)
    .fetch_optional(conn)
    .await?;
    Ok(row.is_some())
}

async fn count(conn: &mut AnyConnection, sql: &str, id: String) -> StoreResult<u32> {
    let n: i64 = sqlx::query(sql).bind(id).fetch_one(conn).await?.try_get("n")?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

async fn insert_placed(
    conn: &mut AnyConnection,
    space: SpaceId,
    id: SpaceElementId,
    element: ElementId,
    at: Position,
) -> StoreResult<()> {
    sqlx::query(
        "INSERT INTO space_elements (id, space_id, element_id, x, y, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(id.to_string())
    .bind(space.to_string())
    .bind(element.to_string())
    .bind(at.x)
    .bind(at.y)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(())
}

#[async_trait]
impl SpaceStore for SqlStore {
    async fn create_space(&self, space: &NewSpace, max_per_owner: u32) -> StoreResult<()> {
        let mut tx = self.write_tx().await?;
        // Serialises one owner's creations on PostgreSQL, so the count below stays true.
        self.lock(&mut tx, Lock::User(&space.owner.to_string())).await?;
        let owned =
            count(&mut tx, "SELECT COUNT(*) AS n FROM spaces WHERE owner_id = $1", space.owner.to_string())
                .await?;
        if owned >= max_per_owner {
            return Err(StoreError::Limit(Limit::SpacesPerUser(max_per_owner)));
        }
        let (size, thumbnail, floor, map_id, effects) = match &space.source {
            SpaceSource::Blank(size) => (*size, None, None, None, "{}".to_owned()),
            SpaceSource::Map(map_id) => {
                let row = sqlx::query(
                    "SELECT width, height, thumbnail, floor_image_url, effects FROM maps WHERE id = $1",
                )
                .bind(map_id.to_string())
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(StoreError::NotFound(Entity::Map))?;
                let size = dims(row.try_get("width")?, row.try_get("height")?)?;
                // The map's effects, copied like its furniture.
                let effects: String = row.try_get("effects")?;
                let thumbnail = row.try_get::<String, _>("thumbnail")?;
                let floor = row.try_get::<Option<String>, _>("floor_image_url")?;
                (size, Some(thumbnail), floor, Some(map_id.to_string()), effects)
            }
        };
        sqlx::query(
            "INSERT INTO spaces (id, name, width, height, thumbnail, owner_id, map_id, created_at, effects,
                                 floor_image_url)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(space.id.to_string())
        .bind(&space.name)
        .bind(i64::from(size.width))
        .bind(i64::from(size.height))
        .bind(thumbnail)
        .bind(space.owner.to_string())
        .bind(&map_id)
        .bind(now_ms())
        .bind(effects)
        .bind(floor)
        .execute(&mut *tx)
        .await?;
        if let Some(map_id) = map_id {
            // A copy, not a reference: later edits to the map leave this space as it is.
            let rows =
                sqlx::query("SELECT element_id, x, y FROM map_elements WHERE map_id = $1 ORDER BY seq")
                    .bind(&map_id)
                    .fetch_all(&mut *tx)
                    .await?;
            for row in rows {
                let element = parse("map_elements.element_id", row.try_get("element_id")?)?;
                let at = Position::new(row.try_get("x")?, row.try_get("y")?);
                insert_placed(&mut tx, space.id, SpaceElementId::new(), element, at).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn space(&self, id: SpaceId) -> StoreResult<Option<Space>> {
        // One read transaction, so the summary and the furniture are the same snapshot.
        let mut tx = self.pool.begin().await?;
        let Some(summary) = load_summary(&mut tx, id).await? else {
            return Ok(None);
        };
        let elements = load_placed(&mut tx, id).await?;
        let row = sqlx::query("SELECT effects, floor_image_url FROM spaces WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *tx)
            .await?;
        let effects = effects_from("spaces.effects", &row.try_get::<String, _>("effects")?)?;
        let floor_image_url = row.try_get("floor_image_url")?;
        tx.commit().await?;
        Ok(Some(Space { summary, floor_image_url, elements, effects }))
    }

    async fn space_summary(&self, id: SpaceId) -> StoreResult<Option<SpaceSummary>> {
        let mut conn = self.pool.acquire().await?;
        load_summary(&mut conn, id).await
    }

    async fn spaces_of(&self, owner: UserId) -> StoreResult<Vec<SpaceSummary>> {
        let sql = format!("SELECT {SUMMARY_COLUMNS} FROM spaces s WHERE s.owner_id = $1 ORDER BY s.seq");
        let rows = sqlx::query(&sql).bind(owner.to_string()).fetch_all(&self.pool).await?;
        rows.into_iter().map(summary_from).collect()
    }

    async fn delete_space(&self, id: SpaceId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM spaces WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::Space));
        }
        Ok(())
    }

    async fn place_element(
        &self,
        space: SpaceId,
        element: ElementId,
        at: Position,
        max_per_space: u32,
    ) -> StoreResult<PlacedElement> {
        // Everything inside the write transaction takes time independent of how much
        // furniture the space holds (an indexed count and a range query), so writers never
        // queue behind a big space.
        let mut tx = self.write_tx().await?;
        // Two placements in one space must not both pass the check against the same furniture.
        self.lock(&mut tx, Lock::Space(&space.to_string())).await?;
        let summary = load_summary(&mut tx, space).await?.ok_or(StoreError::NotFound(Entity::Space))?;
        let element = load_element(&mut tx, element).await?.ok_or(StoreError::NotFound(Entity::Element))?;
        let footprint = element.footprint_at(at);
        if !footprint.fits_in(summary.dims) {
            return Err(PlacementError::OutsideSpace.into());
        }
        let held =
            count(&mut tx, "SELECT COUNT(*) AS n FROM space_elements WHERE space_id = $1", space.to_string())
                .await?;
        if held >= max_per_space {
            return Err(StoreError::Limit(Limit::ElementsPerSpace(max_per_space)));
        }
        if overlaps_solid(&mut tx, space, footprint).await? {
            return Err(PlacementError::OverlapsSolid.into());
        }
        let placed = PlacedElement { id: SpaceElementId::new(), element, at };
        insert_placed(&mut tx, space, placed.id, placed.element.id, at).await?;
        tx.commit().await?;
        Ok(placed)
    }

    async fn space_of_element(&self, id: SpaceElementId) -> StoreResult<Option<SpaceSummary>> {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM spaces s
             JOIN space_elements se ON se.space_id = s.id WHERE se.id = $1"
        );
        let row = sqlx::query(&sql).bind(id.to_string()).fetch_optional(&self.pool).await?;
        row.map(summary_from).transpose()
    }

    async fn remove_element(&self, id: SpaceElementId) -> StoreResult<()> {
        let done = sqlx::query("DELETE FROM space_elements WHERE id = $1")
            .bind(id.to_string())
            .execute(&self.writer)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound(Entity::SpaceElement));
        }
        Ok(())
    }
}
