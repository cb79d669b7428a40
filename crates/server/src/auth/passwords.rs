//! argon2id password hashing, off the async threads and limited to one hash per core, so a
//! burst of sign-ins cannot starve the runtime or exhaust memory.

use std::sync::Arc;

use anyhow::Context;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use tokio::sync::Semaphore;

#[derive(Clone)]
pub struct Passwords {
    permits: Arc<Semaphore>,
    /// Verified against when the username is unknown, so that "no such user" takes as long
    /// as "wrong password" and usernames cannot be probed by timing.
    decoy: Arc<str>,
}

impl Passwords {
    pub fn new() -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let decoy = hash_now("decoy password")?;
        Ok(Self { permits: Arc::new(Semaphore::new(cores)), decoy: decoy.into() })
    }

    pub async fn hash(&self, password: &str) -> anyhow::Result<String> {
        let password = password.to_owned();
        self.blocking(move || hash_now(&password)).await?
    }

    /// True when `password` matches `stored`; with no `stored`, checks the decoy and is false.
    pub async fn verify(&self, password: &str, stored: Option<&str>) -> anyhow::Result<bool> {
        let (password, known) = (password.to_owned(), stored.is_some());
        let stored = stored.map_or_else(|| self.decoy.to_string(), str::to_owned);
        let matches = self.blocking(move || verify_now(&password, &stored)).await??;
        Ok(matches && known)
    }

    async fn blocking<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self.permits.acquire().await.context("password hashing stopped")?;
        tokio::task::spawn_blocking(work).await.context("password hashing task failed")
    }
}

fn hash_now(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    let hash = Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| anyhow::anyhow!("argon2 hashing failed: {e}"))?;
    Ok(hash.to_string())
}

fn verify_now(password: &str, stored: &str) -> anyhow::Result<bool> {
    let parsed = PasswordHash::new(stored).map_err(|e| anyhow::anyhow!("stored hash is malformed: {e}"))?;
    Ok(Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_salted_and_verify() {
        let passwords = Passwords::new().unwrap();
        let a = passwords.hash("correct horse").await.unwrap();
        let b = passwords.hash("correct horse").await.unwrap();
        assert!(a.starts_with("$argon2id$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(passwords.verify("correct horse", Some(&a)).await.unwrap());
        assert!(!passwords.verify("wrong horse", Some(&a)).await.unwrap());
        assert!(!passwords.verify("decoy password", None).await.unwrap());
    }
}
