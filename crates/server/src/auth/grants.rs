//! Space grants: proof that an account gave a password-protected space's password, so it is
//! asked once. HS256 JWTs under a key of their own (a sign-in token is never a grant, nor
//! the other way round), naming the account, the space and the password's version: a new
//! password voids every earlier grant.

use std::time::Duration;

use gather_core::{SpaceId, UserId};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;

/// How long a grant opens its space: a month, like "remember me".
pub const GRANT_TTL: Duration = Duration::from_secs(30 * 24 * 3600);

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: UserId,
    spc: SpaceId,
    ver: i64,
    exp: u64,
}

pub struct Grants {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    clock: Clock,
}

impl Grants {
    pub fn new(secret: &[u8], clock: Clock) -> Self {
        let key = [b"gather space grant\0".as_slice(), secret].concat();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(&key),
            decoding: DecodingKey::from_secret(&key),
            validation,
            clock,
        }
    }

    pub fn issue(&self, user: UserId, space: SpaceId, version: i64) -> String {
        let claims =
            Claims { sub: user, spc: space, ver: version, exp: self.clock.unix_secs() + GRANT_TTL.as_secs() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).expect("HS256 signing cannot fail")
    }

    /// Whether `grant` opens `space` for `user` while its password is at `version`.
    pub fn opens(&self, grant: &str, user: UserId, space: SpaceId, version: i64) -> bool {
        let Ok(data) = decode::<Claims>(grant, &self.decoding, &self.validation) else { return false };
        let c = data.claims;
        c.sub == user && c.spc == space && c.ver == version && c.exp >= self.clock.unix_secs()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{Bearer, Tokens};
    use gather_core::SessionId;

    #[test]
    fn a_grant_opens_one_space_for_one_account_at_one_password_until_it_expires() {
        let clock = Clock::manual();
        let grants = Grants::new(&[7; 32], clock.clone());
        let (user, space) = (UserId::new(), SpaceId::new());
        let grant = grants.issue(user, space, 3);
        assert!(grants.opens(&grant, user, space, 3));
        assert!(!grants.opens(&grant, UserId::new(), space, 3), "someone else's");
        assert!(!grants.opens(&grant, user, SpaceId::new(), 3), "another space");
        assert!(!grants.opens(&grant, user, space, 4), "the password changed");
        assert!(!Grants::new(&[8; 32], clock.clone()).opens(&grant, user, space, 3), "another secret");
        let token =
            Tokens::new(&[7; 32], GRANT_TTL, clock.clone()).issue(Bearer { user, session: SessionId::new() });
        assert!(!grants.opens(&token, user, space, 0), "a sign-in token is no grant");
        clock.advance(GRANT_TTL + Duration::from_secs(1));
        assert!(!grants.opens(&grant, user, space, 3), "expired");
    }
}
