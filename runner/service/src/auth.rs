//! API tokens: generation (shown once), hashing (stored), and the request extractor.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::store::{TokenLookup, User};
use crate::{ApiError, AppState};

/// Prefix of every token, as the hosted API's tokens have.
pub const TOKEN_PREFIX: &str = "ec_live_";
/// Total token length (documented: 120 characters).
pub const TOKEN_LEN: usize = 120;

/// A new random token: `ec_live_` + 112 alphanumerics (120 characters).
///
/// ```
/// let t = service::auth::new_token();
/// assert_eq!(t.len(), 120);
/// assert!(t.starts_with("ec_live_"));
/// ```
pub fn new_token() -> String {
    let mut rng = rand::rng();
    let body: String = (0..TOKEN_LEN - TOKEN_PREFIX.len())
        .map(|_| rng.sample(rand::distr::Alphanumeric) as char)
        .collect();
    format!("{TOKEN_PREFIX}{body}")
}

/// The stored form of a token: hex SHA-256 (tokens are random, so no salt is needed).
///
/// ```
/// assert_eq!(service::auth::hash_token("a").len(), 64);
/// ```
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Owner of the token.
    pub user: User,
    /// The token's uuid.
    pub token_uuid: String,
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Caller, ApiError> {
        let token = parts
            .headers
            .get("x-auth-token")
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .or_else(|| bearer(&parts.headers))
            .ok_or_else(|| {
                ApiError::new(401, "AUTH_HEADER_TOKEN", "missing X-AUTH-TOKEN header")
            })?;
        let caller = lookup(state, token).await?;
        state.limits.check_minute(&caller.token_uuid)?;
        let store = state.store.clone();
        let uid = caller.user.id;
        // Counting requests must not fail the request.
        let _ = tokio::task::spawn_blocking(move || store.add_usage(uid, "api", 1, 0, 0)).await;
        Ok(caller)
    }
}

/// The token of an `Authorization: Bearer <token>` header (the task API's
/// and StarExport's scheme), accepted besides `X-AUTH-TOKEN`.
fn bearer(headers: &axum::http::HeaderMap) -> Option<&str> {
    let v = headers.get("authorization")?.to_str().ok()?.trim();
    let (scheme, token) = v.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// Resolves a token to its caller.
pub async fn lookup(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let hash = hash_token(token);
    let store = state.store.clone();
    let found = tokio::task::spawn_blocking(move || store.lookup_token(&hash))
        .await
        .map_err(|e| ApiError::new(500, "INTERNAL_ERROR", e.to_string()))??;
    match found {
        TokenLookup::Valid(user, token_uuid) => Ok(Caller { user, token_uuid }),
        TokenLookup::Expired => Err(ApiError::new(
            403,
            "TOKEN_EXPIRED",
            "the API token has expired",
        )),
        TokenLookup::Invalid => Err(ApiError::new(
            401,
            "AUTH_HEADER_TOKEN",
            "invalid X-AUTH-TOKEN header",
        )),
    }
}
