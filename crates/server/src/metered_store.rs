//! A [`Store`] that times every call into `gather_db_query_duration_seconds{op}` and passes
//! it on. The backends stay free of metrics; this wrapper is the only place that knows both.

use std::future::Future;
use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use gather_core::{
    AvatarId, ChatMessageId, EffectsSpec, ElementId, Position, SessionId, SpaceAccess, SpaceElementId,
    SpaceId, SpaceRole, UserId,
};
use gather_store::{
    AssetRecord, AssetStore, AuditEntry, Avatar, CatalogStore, ChatMessage, ChatStore, Element, Entry, Map,
    NewAuditEntry, NewChatMessage, NewMap, NewSpace, NewUser, PlacedElement, Readiness, RulesStore, Session,
    SessionStore, Space, SpaceBan, SpaceMember, SpaceStore, SpaceSummary, Store, StoreResult, User,
    UserAvatar, UserStore,
};

use crate::metrics::Metrics;

pub struct MeteredStore {
    inner: Arc<dyn Store>,
    metrics: Arc<Metrics>,
}

impl MeteredStore {
    pub fn new(inner: Arc<dyn Store>, metrics: Arc<Metrics>) -> Self {
        Self { inner, metrics }
    }

    async fn timed<T>(&self, op: &str, call: impl Future<Output = T>) -> T {
        let started = Instant::now();
        let result = call.await;
        self.metrics.db_latency.with_label_values(&[op]).observe(started.elapsed().as_secs_f64());
        result
    }
}

#[async_trait]
impl UserStore for MeteredStore {
    async fn create_user(&self, user: NewUser, only_if_first: bool) -> StoreResult<()> {
        self.timed("create_user", self.inner.create_user(user, only_if_first)).await
    }
    async fn user(&self, id: UserId) -> StoreResult<Option<User>> {
        self.timed("user", self.inner.user(id)).await
    }
    async fn user_by_username(&self, username: &str) -> StoreResult<Option<User>> {
        self.timed("user_by_username", self.inner.user_by_username(username)).await
    }
    async fn set_user_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()> {
        self.timed("set_user_avatar", self.inner.set_user_avatar(user, avatar)).await
    }
    async fn user_avatars(&self, ids: &[UserId]) -> StoreResult<Vec<UserAvatar>> {
        self.timed("user_avatars", self.inner.user_avatars(ids)).await
    }
    async fn set_password_hash(&self, user: UserId, password_hash: &str) -> StoreResult<()> {
        self.timed("set_password_hash", self.inner.set_password_hash(user, password_hash)).await
    }
    async fn set_role(&self, user: UserId, role: gather_core::Role) -> StoreResult<()> {
        self.timed("set_role", self.inner.set_role(user, role)).await
    }
}

#[async_trait]
impl CatalogStore for MeteredStore {
    async fn create_avatar(&self, avatar: &Avatar) -> StoreResult<()> {
        self.timed("create_avatar", self.inner.create_avatar(avatar)).await
    }
    async fn avatars(&self) -> StoreResult<Vec<Avatar>> {
        self.timed("avatars", self.inner.avatars()).await
    }
    async fn create_element(&self, element: &Element) -> StoreResult<()> {
        self.timed("create_element", self.inner.create_element(element)).await
    }
    async fn element(&self, id: ElementId) -> StoreResult<Option<Element>> {
        self.timed("element", self.inner.element(id)).await
    }
    async fn elements(&self) -> StoreResult<Vec<Element>> {
        self.timed("elements", self.inner.elements()).await
    }
    async fn set_element_image(&self, id: ElementId, image_url: &str) -> StoreResult<()> {
        self.timed("set_element_image", self.inner.set_element_image(id, image_url)).await
    }
    async fn create_map(&self, map: &NewMap) -> StoreResult<()> {
        self.timed("create_map", self.inner.create_map(map)).await
    }
    async fn maps(&self) -> StoreResult<Vec<Map>> {
        self.timed("maps", self.inner.maps()).await
    }
}

#[async_trait]
impl RulesStore for MeteredStore {
    async fn set_space_effects(&self, effects: &EffectsSpec, audit: &NewAuditEntry) -> StoreResult<()> {
        self.timed("set_space_effects", self.inner.set_space_effects(effects, audit)).await
    }
    async fn entry(&self, space: SpaceId, user: UserId) -> StoreResult<Option<Entry>> {
        self.timed("entry", self.inner.entry(space, user)).await
    }
    async fn set_space_access(
        &self,
        access: SpaceAccess,
        password_hash: Option<&str>,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        self.timed("set_space_access", self.inner.set_space_access(access, password_hash, audit)).await
    }
    async fn space_members(&self, space: SpaceId) -> StoreResult<Vec<SpaceMember>> {
        self.timed("space_members", self.inner.space_members(space)).await
    }
    async fn set_space_role(
        &self,
        user: UserId,
        role: Option<SpaceRole>,
        audit: &NewAuditEntry,
    ) -> StoreResult<()> {
        self.timed("set_space_role", self.inner.set_space_role(user, role, audit)).await
    }
    async fn ban(&self, user: UserId, audit: &NewAuditEntry) -> StoreResult<()> {
        self.timed("ban", self.inner.ban(user, audit)).await
    }
    async fn unban(&self, user: UserId, audit: &NewAuditEntry) -> StoreResult<bool> {
        self.timed("unban", self.inner.unban(user, audit)).await
    }
    async fn bans(&self, space: SpaceId) -> StoreResult<Vec<SpaceBan>> {
        self.timed("bans", self.inner.bans(space)).await
    }
    async fn append_audit(&self, audit: &NewAuditEntry) -> StoreResult<()> {
        self.timed("append_audit", self.inner.append_audit(audit)).await
    }
    async fn audit_log(&self, space: SpaceId, limit: u32) -> StoreResult<Vec<AuditEntry>> {
        self.timed("audit_log", self.inner.audit_log(space, limit)).await
    }
}

#[async_trait]
impl SpaceStore for MeteredStore {
    async fn create_space(&self, space: &NewSpace, max_per_owner: u32) -> StoreResult<()> {
        self.timed("create_space", self.inner.create_space(space, max_per_owner)).await
    }
    async fn space(&self, id: SpaceId) -> StoreResult<Option<Space>> {
        self.timed("space", self.inner.space(id)).await
    }
    async fn space_summary(&self, id: SpaceId) -> StoreResult<Option<SpaceSummary>> {
        self.timed("space_summary", self.inner.space_summary(id)).await
    }
    async fn spaces_of(&self, owner: UserId) -> StoreResult<Vec<SpaceSummary>> {
        self.timed("spaces_of", self.inner.spaces_of(owner)).await
    }
    async fn delete_space(&self, id: SpaceId) -> StoreResult<()> {
        self.timed("delete_space", self.inner.delete_space(id)).await
    }
    async fn place_element(
        &self,
        space: SpaceId,
        element: ElementId,
        at: Position,
        max_per_space: u32,
    ) -> StoreResult<PlacedElement> {
        self.timed("place_element", self.inner.place_element(space, element, at, max_per_space)).await
    }
    async fn space_of_element(&self, id: SpaceElementId) -> StoreResult<Option<SpaceSummary>> {
        self.timed("space_of_element", self.inner.space_of_element(id)).await
    }
    async fn remove_element(&self, id: SpaceElementId) -> StoreResult<()> {
        self.timed("remove_element", self.inner.remove_element(id)).await
    }
}

#[async_trait]
impl SessionStore for MeteredStore {
    async fn create_session(&self, session: &Session) -> StoreResult<()> {
        self.timed("create_session", self.inner.create_session(session)).await
    }
    async fn session(&self, id: SessionId) -> StoreResult<Option<Session>> {
        self.timed("session", self.inner.session(id)).await
    }
    async fn active_sessions(&self, user: UserId) -> StoreResult<Vec<Session>> {
        self.timed("active_sessions", self.inner.active_sessions(user)).await
    }
    async fn revoke_session(&self, id: SessionId) -> StoreResult<()> {
        self.timed("revoke_session", self.inner.revoke_session(id)).await
    }
    async fn revoke_other_sessions(&self, user: UserId, keep: SessionId) -> StoreResult<Vec<SessionId>> {
        self.timed("revoke_other_sessions", self.inner.revoke_other_sessions(user, keep)).await
    }
    async fn touch_sessions(&self, ids: &[SessionId], at: i64) -> StoreResult<()> {
        self.timed("touch_sessions", self.inner.touch_sessions(ids, at)).await
    }
}

#[async_trait]
impl ChatStore for MeteredStore {
    async fn append_chat(&self, message: &NewChatMessage) -> StoreResult<gather_store::ChatAppend> {
        self.timed("append_chat", self.inner.append_chat(message)).await
    }
    async fn chat_page(
        &self,
        space: SpaceId,
        viewer: UserId,
        before: Option<ChatMessageId>,
        limit: u32,
    ) -> StoreResult<Vec<ChatMessage>> {
        self.timed("chat_page", self.inner.chat_page(space, viewer, before, limit)).await
    }
}

#[async_trait]
impl AssetStore for MeteredStore {
    async fn uploaded_bytes(&self, user: UserId) -> StoreResult<u64> {
        self.timed("uploaded_bytes", self.inner.uploaded_bytes(user)).await
    }
    async fn record_upload(&self, user: UserId, asset: &AssetRecord, quota_bytes: u64) -> StoreResult<()> {
        self.timed("record_upload", self.inner.record_upload(user, asset, quota_bytes)).await
    }
    async fn asset(&self, hash: &str) -> StoreResult<Option<AssetRecord>> {
        self.timed("asset", self.inner.asset(hash)).await
    }
    async fn sweep_assets(&self, cutoff: i64) -> StoreResult<Vec<String>> {
        self.timed("sweep_assets", self.inner.sweep_assets(cutoff)).await
    }
    async fn create_own_avatar(&self, avatar: &Avatar, max_per_user: u32) -> StoreResult<()> {
        self.timed("create_own_avatar", self.inner.create_own_avatar(avatar, max_per_user)).await
    }
    async fn own_avatars(&self, user: UserId) -> StoreResult<Vec<Avatar>> {
        self.timed("own_avatars", self.inner.own_avatars(user)).await
    }
    async fn delete_own_avatar(&self, user: UserId, avatar: AvatarId) -> StoreResult<()> {
        self.timed("delete_own_avatar", self.inner.delete_own_avatar(user, avatar)).await
    }
}

#[async_trait]
impl Readiness for MeteredStore {
    async fn ready(&self) -> StoreResult<bool> {
        self.timed("ready", self.inner.ready()).await
    }
}
