//! Who may do what in one space. A space's owner may do everything; moderators keep order
//! (mute, kick, ban); builders edit furniture and effects; members may enter a members-only
//! space; everyone else is a guest. Pure rules: the HTTP and WebSocket adapters ask them
//! before acting, and the store keeps the roles.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpaceRole {
    Owner,
    Moderator,
    Builder,
    Member,
    Guest,
}

/// Something a role may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpaceAction {
    /// Place and remove furniture, paint effects.
    Build,
    /// Mute someone's media, kick and ban.
    Moderate,
    /// Change who holds which role, the access rule and the password; read the audit log.
    Administer,
}

impl SpaceRole {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Owner => "owner",
            Self::Moderator => "moderator",
            Self::Builder => "builder",
            Self::Member => "member",
            Self::Guest => "guest",
        }
    }

    /// The roles an owner may hand out (there is one owner, and "guest" is no row).
    pub fn parse_grantable(text: &str) -> Option<Self> {
        match text {
            "moderator" => Some(Self::Moderator),
            "builder" => Some(Self::Builder),
            "member" => Some(Self::Member),
            _ => None,
        }
    }

    pub fn may(self, action: SpaceAction) -> bool {
        match action {
            SpaceAction::Build => matches!(self, Self::Owner | Self::Moderator | Self::Builder),
            SpaceAction::Moderate => matches!(self, Self::Owner | Self::Moderator),
            SpaceAction::Administer => self == Self::Owner,
        }
    }

    /// Whether someone in this role may moderate (mute, kick, ban) someone in `target`:
    /// only those below them, so moderators cannot remove each other or the owner.
    pub fn outranks(self, target: Self) -> bool {
        self.may(SpaceAction::Moderate) && self.rank() > target.rank()
    }

    fn rank(self) -> u8 {
        match self {
            Self::Owner => 4,
            Self::Moderator => 3,
            Self::Builder | Self::Member => 2,
            Self::Guest => 1,
        }
    }
}

/// Who may enter a space.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SpaceAccess {
    /// Anyone with the link (the public contract's only kind).
    #[default]
    Public,
    /// Only the owner and those given a role.
    Members,
    /// Anyone who knows the password (asked once, then remembered by a signed grant), and
    /// those given a role without it.
    Password,
}

impl SpaceAccess {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Public => "public",
            Self::Members => "members",
            Self::Password => "password",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "public" => Some(Self::Public),
            "members" => Some(Self::Members),
            "password" => Some(Self::Password),
            _ => None,
        }
    }
}

/// Why someone may not enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum EntryRefusal {
    #[error("you are banned from this space")]
    Banned,
    #[error("this space is for its members only")]
    MembersOnly,
    #[error("this space asks for a password")]
    PasswordRequired,
}

/// Whether someone in `role` may enter a space with `access`; `banned` and `granted` (they
/// gave the password, proven by a signed grant) are facts the caller looked up.
pub fn may_enter(
    access: SpaceAccess,
    role: SpaceRole,
    banned: bool,
    granted: bool,
) -> Result<(), EntryRefusal> {
    if banned && role != SpaceRole::Owner {
        return Err(EntryRefusal::Banned);
    }
    match (access, role) {
        (SpaceAccess::Public, _) => Ok(()),
        (_, SpaceRole::Owner | SpaceRole::Moderator | SpaceRole::Builder | SpaceRole::Member) => Ok(()),
        (SpaceAccess::Members, SpaceRole::Guest) => Err(EntryRefusal::MembersOnly),
        (SpaceAccess::Password, SpaceRole::Guest) if granted => Ok(()),
        (SpaceAccess::Password, SpaceRole::Guest) => Err(EntryRefusal::PasswordRequired),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SpaceRole::*;

    #[test]
    fn each_role_may_what_it_is_for() {
        assert!(Owner.may(SpaceAction::Administer) && !Moderator.may(SpaceAction::Administer));
        assert!(Moderator.may(SpaceAction::Moderate) && !Builder.may(SpaceAction::Moderate));
        assert!(
            Builder.may(SpaceAction::Build)
                && !Member.may(SpaceAction::Build)
                && !Guest.may(SpaceAction::Build)
        );
        assert!(Moderator.outranks(Guest) && Moderator.outranks(Member) && !Moderator.outranks(Moderator));
        assert!(Owner.outranks(Moderator) && !Moderator.outranks(Owner) && !Builder.outranks(Guest));
        for text in ["moderator", "builder", "member"] {
            assert_eq!(SpaceRole::parse_grantable(text).map(SpaceRole::as_str), Some(text));
        }
        assert_eq!(SpaceRole::parse_grantable("owner"), None, "one owner, not handed out");
    }

    #[test]
    fn entry_follows_the_access_rule_and_bans_beat_it() {
        use SpaceAccess::*;
        assert_eq!(may_enter(Public, Guest, false, false), Ok(()));
        assert_eq!(may_enter(Public, Member, true, false), Err(EntryRefusal::Banned));
        assert_eq!(may_enter(Members, Guest, false, true), Err(EntryRefusal::MembersOnly));
        assert_eq!(may_enter(Members, Builder, false, false), Ok(()));
        assert_eq!(may_enter(Password, Guest, false, false), Err(EntryRefusal::PasswordRequired));
        assert_eq!(may_enter(Password, Guest, false, true), Ok(()));
        assert_eq!(may_enter(Password, Member, false, false), Ok(()), "members need no password");
        assert_eq!(may_enter(Members, Owner, true, false), Ok(()), "an owner cannot be locked out");
    }
}
