//! Input checks shared by handlers. Each returns the cleaned value or a 400 that says what
//! a valid value looks like.

use gather_core::geometry::{MAX_ELEMENT_SIDE, MAX_SIDE};
use gather_core::username::MAX_USERNAME_CHARS;
use gather_core::{Dimensions, Position, Username};

use crate::error::ApiError;

const MIN_PASSWORD_CHARS: usize = 6;
// argon2 hashes any length, but hashing megabytes per request is a cheap denial of service.
const MAX_PASSWORD_CHARS: usize = 256;
pub const MAX_NAME_CHARS: usize = 100;
const MAX_URL_CHARS: usize = 2048;

/// A name for a new account: NFC, no spaces, nothing invisible (see `gather_core::Username`).
pub fn username(raw: &str) -> Result<String, ApiError> {
    Username::parse(raw)
        .map(Username::into_string)
        .map_err(|e| ApiError::bad_request("invalid-username", e.to_string()))
}

/// A name given to sign in: only its length is checked, so that an account made before
/// the character rules still signs in; the store matches it by its folded key.
pub fn username_to_look_up(raw: &str) -> Option<&str> {
    let name = raw.trim();
    (1..=MAX_USERNAME_CHARS).contains(&name.chars().count()).then_some(name)
}

pub fn password(raw: &str) -> Result<&str, ApiError> {
    let count = raw.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&count) {
        return Err(ApiError::bad_request(
            "invalid-password",
            format!("the password must be {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(raw)
}

pub fn name(field: &str, raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ApiError::bad_request(
            "invalid-name",
            format!("{field} must be 1 to {MAX_NAME_CHARS} printable characters"),
        ));
    }
    Ok(name.to_owned())
}

/// An image address: `https://host/...` (or `http://`), or a path on this server that starts
/// with a single `/`. Browsers read `//host/x` and `/\host/x` as addresses on another host,
/// so neither counts as a local path; backslashes, spaces and credentials are refused too.
pub fn image_url(field: &str, raw: &str) -> Result<String, ApiError> {
    let url = raw.trim();
    if url.is_empty() || url.len() > MAX_URL_CHARS || !is_image_address(url) {
        return Err(ApiError::bad_request(
            "invalid-url",
            format!(
                "{field} must be an https:// URL or a path on this server starting with a single /, \
                 at most {MAX_URL_CHARS} bytes"
            ),
        ));
    }
    Ok(url.to_owned())
}

fn is_image_address(url: &str) -> bool {
    if url.chars().any(|c| c.is_control() || c.is_whitespace() || c == '\\') {
        return false;
    }
    let remote = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://"));
    match remote {
        Some(rest) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty()
                && host.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        }
        None => url.starts_with('/') && !url[1..].starts_with('/'),
    }
}

/// A tile named in a request: both coordinates within what the largest space holds, so
/// nothing past the edge reaches the rules (which must then never see `i64::MAX`).
pub fn position(x: i64, y: i64) -> Result<Position, ApiError> {
    let ok = |v: i64| (0..i64::from(MAX_SIDE)).contains(&v);
    if ok(x) && ok(y) {
        Ok(Position::new(x, y))
    } else {
        Err(ApiError::bad_request(
            "invalid-position",
            format!("x and y must be whole numbers from 0 to {}", MAX_SIDE - 1),
        ))
    }
}

pub fn dimensions(raw: &str) -> Result<Dimensions, ApiError> {
    Dimensions::parse(raw).map_err(|e| ApiError::bad_request("invalid-dimensions", e.to_string()))
}

pub fn element_size(width: u32, height: u32) -> Result<(), ApiError> {
    let ok = |side: u32| (1..=MAX_ELEMENT_SIDE).contains(&side);
    if ok(width) && ok(height) {
        Ok(())
    } else {
        Err(ApiError::bad_request(
            "invalid-size",
            format!("width and height must be whole numbers from 1 to {MAX_ELEMENT_SIDE}"),
        ))
    }
}

/// Tile effects for a space or map of `dims`: a portal with one target, everything inside,
/// areas apart, names short; `invalid-effects` saying what is wrong otherwise.
pub fn effects(
    dims: Dimensions,
    body: gather_protocol::rules::EffectsBody,
) -> Result<gather_core::EffectsSpec, ApiError> {
    let invalid = |e: &dyn std::fmt::Display| ApiError::bad_request("invalid-effects", e.to_string());
    let spec = gather_core::EffectsSpec::try_from(body).map_err(|e| invalid(&e))?;
    gather_core::Effects::new(dims, spec.clone()).map_err(|e| invalid(&e))?;
    Ok(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_and_must_be_one_word() {
        assert_eq!(username("  kirat-0.5 ").unwrap(), "kirat-0.5");
        assert!(username("").is_err());
        assert!(username("two words").is_err());
        assert!(username(&"x".repeat(65)).is_err());
        assert!(username("alice\u{200B}").is_err());
        assert_eq!(username_to_look_up(" old\u{200B}name "), Some("old\u{200B}name"));
        assert_eq!(username_to_look_up(""), None);
    }

    #[test]
    fn passwords_have_a_length_range() {
        assert!(password("12345").is_err());
        assert!(password("123456").is_ok());
        assert!(password(&"x".repeat(257)).is_err());
    }

    #[test]
    fn positions_must_lie_where_a_space_can_reach() {
        assert!(position(0, 999).is_ok());
        for (x, y) in [(-1, 0), (0, 1000), (i64::MAX, 0), (0, i64::MIN)] {
            assert!(position(x, y).is_err(), "({x}, {y})");
        }
    }

    #[test]
    fn image_urls_must_be_web_addresses_or_local_paths() {
        assert!(image_url("imageUrl", "https://example.com/a.png").is_ok());
        assert!(image_url("imageUrl", "/static/a.svg").is_ok());
        assert!(image_url("imageUrl", "https://cdn.example.org:8443/x.png?v=2").is_ok());
        assert!(image_url("imageUrl", "/").is_ok());
        for bad in [
            "javascript:alert(1)",
            "",
            "//other.example/x.png",
            "/\\other.example/x.png",
            "\\\\other.example/x.png",
            "https:///x.png",
            "https://user@other.example/x.png",
            "https://other.example\\@x/y.png",
            "/static/a b.svg",
            "data:image/png;base64,AAAA",
        ] {
            assert!(image_url("imageUrl", bad).is_err(), "{bad}");
        }
    }
}
