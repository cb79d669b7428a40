//! Sign-in tokens: HS256 JWTs carrying the user id and an expiry.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use gather_core::UserId;
use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: UserId,
    iat: u64,
    exp: u64,
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
        validation.set_required_spec_claims(&["exp", "sub"]);
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            ttl,
        }
    }

    pub fn issue(&self, user: UserId) -> String {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default().as_secs();
        let claims = Claims { sub: user, iat: now, exp: now + self.ttl.as_secs() };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .expect("HS256 signing of a small struct cannot fail")
    }

    pub fn verify(&self, token: &str) -> Result<UserId, TokenError> {
        match decode::<Claims>(token, &self.decoding, &self.validation) {
            Ok(data) => Ok(data.claims.sub),
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
        let user = UserId::new();
        assert_eq!(tokens.verify(&tokens.issue(user)), Ok(user));

        let expired = Tokens::new(&[7; 32], Duration::ZERO).issue(user);
        std::thread::sleep(Duration::from_millis(1100));
        assert_eq!(tokens.verify(&expired), Err(TokenError::Expired));
    }

    #[test]
    fn tokens_from_another_secret_or_tampered_are_invalid() {
        let tokens = Tokens::new(&[7; 32], Duration::from_secs(60));
        let other = Tokens::new(&[8; 32], Duration::from_secs(60)).issue(UserId::new());
        assert_eq!(tokens.verify(&other), Err(TokenError::Invalid));
        let mut token = tokens.issue(UserId::new());
        token.push('x');
        assert_eq!(tokens.verify(&token), Err(TokenError::Invalid));
        assert_eq!(tokens.verify("not a token"), Err(TokenError::Invalid));
    }
}
