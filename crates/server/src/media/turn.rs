//! Short-lived TURN credentials in the shared-secret scheme coturn implements
//! (`use-auth-secret`): the username is `<expiry unix seconds>:<user id>` and the password
//! is base64(HMAC-SHA1(secret, username)). The TURN server checks both without asking
//! Gather, and refuses the credentials once the expiry has passed.

use base64::Engine;
use gather_core::UserId;
use gather_protocol::http::IceServerBody;
use hmac::{Hmac, Mac};
use sha1::Sha1;

#[derive(Clone)]
pub struct Turn {
    urls: Vec<String>,
    secret: String,
    ttl_secs: u64,
}

impl std::fmt::Debug for Turn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Turn").field("urls", &self.urls).field("ttl_secs", &self.ttl_secs).finish()
    }
}

impl Turn {
    pub fn new(urls: Vec<String>, secret: String, ttl_secs: u64) -> Self {
        Self { urls, secret, ttl_secs }
    }

    /// Credentials for `user`, valid until `now_unix + ttl`.
    pub fn credentials(&self, user: UserId, now_unix: u64) -> IceServerBody {
        let username = format!("{}:{user}", now_unix.saturating_add(self.ttl_secs));
        IceServerBody {
            urls: self.urls.clone(),
            credential: Some(password(&self.secret, &username)),
            username: Some(username),
        }
    }
}

fn password(secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(username.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_is_the_hmac_coturn_computes() {
        // RFC 2202's second HMAC-SHA1 test case, base64-encoded.
        assert_eq!(password("Jefe", "what do ya want for nothing?"), "7/zfauXrL6LSdBbV8YTfnCWafHk=");
    }

    #[test]
    fn credentials_name_the_user_and_expire_after_the_ttl() {
        let user = UserId::new();
        let turn = Turn::new(vec!["turn:127.0.0.1:3478".into()], "s3cret".into(), 600);
        let body = turn.credentials(user, 1_000);
        let username = body.username.unwrap();
        assert_eq!(username, format!("1600:{user}"));
        assert_eq!(body.credential.unwrap(), password("s3cret", &username));
        assert_eq!(body.urls, ["turn:127.0.0.1:3478"]);
    }
}
