//! The wire types as TypeScript, for the browser client's `web/src/generated/wire.ts`.
//! Built only with the `ts` feature: the server never needs it. The `typescript` test
//! fails when the checked-in file differs from [`wire_ts`].

use std::any::TypeId;
use std::collections::HashSet;
use std::path::PathBuf;

use gather_core::{ChatScope, Role};
use ts_rs::{Config, TS};

use crate::assets::*;
use crate::close::CloseReason;
use crate::http::*;
use crate::rules::*;
use crate::ws::{
    AdmitPayload, ChatPayload, ClientFrameBody, JoinPayload, MediaSending, MediaSignal, Point, Sdp,
    ServerFrame, Status, StatusPayload, UserAt,
};

/// The whole of `wire.ts`.
pub fn wire_ts() -> String {
    // Every integer on the wire fits a JavaScript number: positions, sizes, Unix milliseconds.
    let cfg = Config::new().with_large_int("number");
    let mut file = File::new(&cfg);
    file.push_str(concat!(
        "// Generated from the Rust wire types in crates/protocol; do not edit by hand.\n",
        "// Refresh with: GATHER_UPDATE_WIRE=1 cargo test -p gather-protocol --test typescript\n",
    ));

    file.section("WebSocket frames (crates/protocol/src/ws.rs)");
    file.decl::<ServerFrame>();
    file.decl::<ClientFrameBody>();
    file.decl::<JoinPayload>();
    file.decl::<ChatPayload>();
    file.decl::<Point>();
    file.decl::<UserAt>();
    file.decl::<ChatScopeWire>();
    file.decl::<MediaSignal>();
    file.decl::<Sdp>();
    file.decl::<MediaSending>();
    file.decl::<StatusPayload>();
    file.decl::<AdmitPayload>();
    file.decl::<Status>();

    file.section("WebSocket close codes (crates/protocol/src/close.rs)");
    file.push_str(&close_reasons());

    file.section("HTTP bodies under /api/v1 (crates/protocol/src/http.rs)");
    file.decl::<ErrorBody>();
    file.decl::<ErrorDetail>();
    file.decl::<Empty>();
    file.decl::<RoleWire>();
    file.decl::<SignupRequest>();
    file.decl::<SignupResponse>();
    file.decl::<SigninRequest>();
    file.decl::<SigninResponse>();
    file.decl::<ChangePasswordRequest>();
    file.decl::<SessionBody>();
    file.decl::<SessionsResponse>();
    file.decl::<ChatBody>();
    file.decl::<ChatPageResponse>();
    file.decl::<MeResponse>();
    file.decl::<MediaConfigResponse>();
    file.decl::<IceServerBody>();
    file.decl::<UpdateMetadataRequest>();
    file.decl::<AvatarBody>();
    file.decl::<AvatarsResponse>();
    file.decl::<UserAvatarBody>();
    file.decl::<BulkMetadataResponse>();
    file.decl::<ElementBody>();
    file.decl::<ElementsResponse>();
    file.decl::<CreateSpaceRequest>();
    file.decl::<CreateSpaceResponse>();
    file.decl::<SpaceSummaryBody>();
    file.decl::<SpacesResponse>();
    file.decl::<SpaceElementBody>();
    file.decl::<SpaceResponse>();
    file.decl::<AddSpaceElementRequest>();
    file.decl::<DeleteSpaceElementRequest>();
    file.decl::<IdResponse<String>>();
    file.decl::<CreateElementRequest>();
    file.decl::<UpdateElementRequest>();
    file.decl::<CreateAvatarRequest>();
    file.decl::<CreateAvatarResponse>();
    file.decl::<MapElementBody>();
    file.decl::<CreateMapRequest>();
    file.decl::<MapBody>();
    file.decl::<MapsResponse>();

    file.section("A space's own rules (crates/protocol/src/rules.rs)");
    file.decl::<EffectsBody>();
    file.decl::<SpawnBody>();
    file.decl::<PortalBody>();
    file.decl::<AreaBody>();
    file.decl::<SetAccessRequest>();
    file.decl::<GrantRequest>();
    file.decl::<GrantResponse>();
    file.decl::<SpaceSettingsResponse>();
    file.decl::<MemberBody>();
    file.decl::<SetMemberRequest>();
    file.decl::<BanBody>();
    file.decl::<ModerationRequest>();
    file.decl::<AuditResponse>();
    file.decl::<AuditEntryBody>();

    file.section("Uploaded images and imported maps (crates/protocol/src/assets.rs)");
    file.decl::<AssetBody>();
    file.decl::<ImportMapResponse>();
    file.decl::<SweepResponse>();
    file.finish()
}

/// The declarations written so far, and the types they use, to check that none is left out.
struct File<'a> {
    cfg: &'a Config,
    text: String,
    declared: HashSet<TypeId>,
    used: Vec<(String, TypeId, String)>,
}

impl<'a> File<'a> {
    fn new(cfg: &'a Config) -> Self {
        Self { cfg, text: String::new(), declared: HashSet::new(), used: Vec::new() }
    }

    fn push_str(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn section(&mut self, title: &str) {
        self.text.push_str(&format!("\n// {title}\n"));
    }

    fn decl<T: TS + 'static>(&mut self) {
        self.text.push('\n');
        if let Some(docs) = T::docs() {
            self.text.push_str(&docs);
        }
        // One line per variant of a tagged union, so a diff shows which frame changed.
        let decl = T::decl(self.cfg).replace(" | { \"type\": ", "\n  | { \"type\": ");
        self.text.push_str("export ");
        self.text.push_str(&decl.replacen(" = { \"type\": ", " =\n  | { \"type\": ", 1));
        self.text.push('\n');
        self.declared.insert(TypeId::of::<T::WithoutGenerics>());
        for dependency in T::dependencies(self.cfg) {
            self.used.push((T::ident(self.cfg), dependency.type_id, dependency.ts_name));
        }
    }

    fn finish(self) -> String {
        for (user, type_id, name) in &self.used {
            assert!(
                self.declared.contains(type_id),
                "{user} uses {name}, which wire.ts does not declare: add it to wire_ts() in crates/protocol/src/typescript.rs"
            );
        }
        // ts-rs leaves a space at the end of some lines.
        self.text.lines().map(|line| format!("{}\n", line.trim_end())).collect()
    }
}

/// `CloseReason`'s constants as one TypeScript object, named after their reasons.
fn close_reasons() -> String {
    let mut text = String::from(concat!(
        "\n/** Why the server closed a socket: its close code and reason. */\n",
        "export const CloseReason = {\n",
    ));
    for CloseReason { code, reason } in CloseReason::ALL {
        let name = reason.to_uppercase().replace('-', "_");
        text.push_str(&format!("  {name}: {{ code: {code}, reason: \"{reason}\" }},\n"));
    }
    text.push_str("} as const;\n");
    text.push_str("export type CloseReason = (typeof CloseReason)[keyof typeof CloseReason];\n");
    text
}

/// Core's enums stay free of TypeScript derives (as of schema ones): these stand for them
/// on the wire, spelled by their own `as_str`.
macro_rules! string_union {
    ($wire:ident, $name:literal, $doc:literal, [$($value:expr),+ $(,)?]) => {
        #[doc = $doc]
        pub struct $wire;

        impl TS for $wire {
            type WithoutGenerics = Self;
            type OptionInnerType = Self;

            fn docs() -> Option<String> {
                Some(format!("/** {} */\n", $doc))
            }

            fn name(_: &Config) -> String {
                $name.to_owned()
            }

            fn inline(_: &Config) -> String {
                [$($value),+].map(|value| format!("\"{value}\"")).join(" | ")
            }

            fn decl(cfg: &Config) -> String {
                format!("type {} = {};", $name, Self::inline(cfg))
            }

            fn decl_concrete(cfg: &Config) -> String {
                Self::decl(cfg)
            }

            fn output_path() -> Option<PathBuf> {
                Some(PathBuf::from(concat!($name, ".ts")))
            }
        }
    };
}

string_union!(RoleWire, "Role", "An account's role.", [Role::Admin.as_str(), Role::User.as_str()]);
string_union!(
    ChatScopeWire,
    "ChatScope",
    "Who hears a chat message: everyone in the space, people nearby, or one person.",
    [ChatScope::Space.as_str(), ChatScope::Nearby.as_str(), ChatScope::Direct.as_str()]
);
