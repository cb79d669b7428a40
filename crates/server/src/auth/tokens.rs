//! Sign-in tokens: HS256 JWTs carrying the user id, the session id and an expiry. A valid
//! signature is not enough on its own: callers also check the session is not revoked.
//! Expiry is judged by the server's [`Clock`], not by the library's own reading of time.

use std::time::Duration;

use gather_core::{SessionId, UserId};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::clock::Clock;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: UserId,
    /// The session this token belongs to; revoking the session voids the token.
    sid: SessionId,
    iat: u64,
    exp: u64,
}

/// Who a valid token speaks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bearer {
    pub user: UserId,
    pub session: SessionId,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token has expired; sign in again")]
    Expired,
    #[error("the token is not valid")]
    Invalid,
}

pub struct Tokens {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl: Duration,
    clock: Clock,
}

impl Tokens {
    pub fn new(secret: &[u8], ttl: Duration, clock: Clock) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        // `exp` must be there, but `verify` compares it with our clock.
        validation.validate_exp = false;
        validation.set_required_spec_claims(&["exp", "sub", "sid"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
            clock,
        }
    }

    pub fn issue(&self, bearer: Bearer) -> String {
        let now = self.clock.unix_secs();
        let claims =
            Claims { sub: bearer.user, sid: bearer.session, iat: now, exp: now + self.ttl.as_secs() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of a small struct cannot fail")
    }

    /// The token's bearer while its signature holds and its last second (`exp`) has not
    /// passed.
    pub fn verify(&self, token: &str) -> Result<Bearer, TokenError> {
        let claims = decode::<Claims>(token, &self.decoding, &self.validation)
            .map_err(|_| TokenError::Invalid)?
            .claims;
        if claims.exp < self.clock.unix_secs() {
            return Err(TokenError::Expired);
        }
        Ok(Bearer { user: claims.sub, session: claims.sid })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer(secret: u8, ttl_secs: u64, clock: &Clock) -> Tokens {
        Tokens::new(&[secret; 32], Duration::from_secs(ttl_secs), clock.clone())
    }

    #[test]
    fn a_token_names_its_user_until_it_expires() {
        let clock = Clock::manual();
        let tokens = signer(7, 60, &clock);
        let bearer = Bearer { user: UserId::new(), session: SessionId::new() };
        let token = tokens.issue(bearer);
        assert_eq!(tokens.verify(&token), Ok(bearer));
        // Real time has not moved, but the server's clock has: into the token's last second...
        clock.advance(Duration::from_secs(60));
        assert_eq!(tokens.verify(&token), Ok(bearer));
        // ...and past it.
        clock.advance(Duration::from_secs(1));
        assert_eq!(tokens.verify(&token), Err(TokenError::Expired));
    }

    #[test]
    fn tokens_from_another_secret_or_tampered_are_invalid() {
        let clock = Clock::manual();
        let tokens = signer(7, 60, &clock);
        let bearer = Bearer { user: UserId::new(), session: SessionId::new() };
        let other = signer(8, 60, &clock).issue(bearer);
        assert_eq!(tokens.verify(&other), Err(TokenError::Invalid));
        let mut token = tokens.issue(bearer);
        token.push('x');
        assert_eq!(tokens.verify(&token), Err(TokenError::Invalid));
        assert_eq!(tokens.verify("not a token"), Err(TokenError::Invalid));
    }
}
