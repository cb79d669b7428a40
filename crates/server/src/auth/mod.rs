//! Who is asking: password hashing, signed tokens, the signing secret, and the extractors
//! that turn an `Authorization: Bearer` header into a user.

mod extract;
mod grants;
mod passwords;
mod secret;
mod sessions;
mod throttle;
mod tokens;

pub use extract::{admin_only, authenticate, is_admin, AdminUser, AuthUser, MaybeAuthUser};
pub use grants::Grants;
pub use passwords::Passwords;
pub use secret::load_or_create_secret;
pub use sessions::{SessionError, SessionGate};
pub use throttle::SigninThrottle;
pub use tokens::{Bearer, Tokens};
