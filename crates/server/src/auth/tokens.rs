//! Sign-in tokens: HS256 JWTs carrying the user id, the session id and an expiry. A valid
//! signature is not enough on its own: callers also check the session is not revoked.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gather_core::{SessionId, UserId};
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

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
}

impl Tokens {
    pub fn new(secret: &[u8], ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.set_required_spec_claims(&["exp", "sub", "sid"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn issue(&self, bearer: Bearer) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims =
            Claims { sub: bearer.user, sid: bearer.session, iat: now, exp: now + self.ttl.as_secs() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of a small struct cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<Bearer, TokenError> {
        match decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(Bearer { user: data.claims.sub, session: data.claims.sid }),
            Err(e) if matches!(e.kind(), jsonwebtoken::errors::ErrorKind::ExpiredSignature) => {
                Err(TokenError::Expired)
            }
            Err(_) => Err(TokenError::Invalid),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_names_its_user_until_it_expires() {
        let tokens = Tokens::new(&[7; 32], Duration::from_secs(60));
        let bearer = Bearer { user: UserId::new(), session: SessionId::new() };
        assert_eq!(tokens.verify(&tokens.issue(bearer)), Ok(bearer));

        let expired = Tokens::new(&[7; 32], Duration::ZERO).issue(bearer);
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(tokens.verify(&expired), Err(TokenError::Expired));
    }

    #[test]
    fn tokens_from_another_secret_or_tampered_are_invalid() {
        let tokens = Tokens::new(&[7; 32], Duration::from_secs(60));
        let bearer = Bearer { user: UserId::new(), session: SessionId::new() };
        let other = Tokens::new(&[8; 32], Duration::from_secs(60)).issue(bearer);
        assert_eq!(tokens.verify(&other), Err(TokenError::Invalid));
        let mut token = tokens.issue(bearer);
        token.push('x');
        assert_eq!(tokens.verify(&token), Err(TokenError::Invalid));
        assert_eq!(tokens.verify("not a token"), Err(TokenError::Invalid));
    }
}
