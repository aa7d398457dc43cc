//! Users and their API tokens (stored as SHA-256 hashes only).

use serde::Serialize;

use super::db::{vals, Row};
use super::{now_text, Store};
use crate::ServiceError;

/// The owner of jobs, tokens and webhooks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Row id.
    pub id: i64,
    /// Public identifier (WebSocket channel names use it).
    pub uuid: String,
    /// Display name.
    pub name: String,
}

/// Token metadata as the API shows it (never the token itself).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TokenRow {
    /// Token identifier.
    pub uuid: String,
    /// Optional display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Expiry (RFC 3339).
    #[serde(rename = "expiresAt")]
    pub expires_at: String,
    /// Whether it has expired.
    #[serde(rename = "isExpired")]
    pub is_expired: bool,
    /// Creation time (RFC 3339).
    #[serde(rename = "createdAt")]
    pub created_at: String,
}

fn token_row(r: &Row) -> Result<TokenRow, ServiceError> {
    let expires_at = r.text("expires_at")?;
    let is_expired = chrono::DateTime::parse_from_rfc3339(&expires_at)
        .map(|t| t < chrono::Utc::now())
        .unwrap_or(true);
    Ok(TokenRow {
        uuid: r.text("uuid")?,
        name: r.opt_text("name")?,
        expires_at,
        is_expired,
        created_at: r.text("created_at")?,
    })
}

/// What a token lookup found.
#[derive(Debug, Clone)]
pub enum TokenLookup {
    /// Valid: the owner and the token's uuid.
    Valid(User, String),
    /// Known but past its expiry.
    Expired,
    /// Unknown or revoked.
    Invalid,
}

fn user_row(r: &Row) -> Result<User, ServiceError> {
    Ok(User {
        id: r.i64("id")?,
        uuid: r.text("uuid")?,
        name: r.text("name")?,
    })
}

impl Store {
    /// Returns the user called `name`, creating it on first use.
    pub fn user_named(&self, name: &str) -> Result<User, ServiceError> {
        self.tx(|c| {
            if let Some(r) = c.row(
                "SELECT id, uuid, name FROM users WHERE name = ?1",
                vals![name],
            )? {
                return user_row(&r);
            }
            let uuid = uuid::Uuid::new_v4().to_string();
            let r = c
                .row(
                    "INSERT INTO users(uuid, name, created_at) VALUES (?1, ?2, ?3)
                     RETURNING id, uuid, name",
                    vals![uuid, name, now_text()],
                )?
                .ok_or_else(|| ServiceError::Store("user insert returned nothing".into()))?;
            user_row(&r)
        })
    }

    /// The user with this uuid.
    pub fn user_by_uuid(&self, uuid: &str) -> Result<Option<User>, ServiceError> {
        self.with(|c| {
            c.row(
                "SELECT id, uuid, name FROM users WHERE uuid = ?1",
                vals![uuid],
            )?
            .map(|r| user_row(&r))
            .transpose()
        })
    }

    /// Stores a new token's hash for `user`; returns its metadata.
    pub fn insert_token(
        &self,
        user: &User,
        name: Option<&str>,
        hash: &str,
        valid_days: i64,
    ) -> Result<TokenRow, ServiceError> {
        let now = chrono::Utc::now();
        let created = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let expires = (now + chrono::Duration::days(valid_days))
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, false);
        let uuid = uuid::Uuid::new_v4().to_string();
        self.with(|c| {
            c.exec(
                "INSERT INTO tokens(uuid, user_id, name, hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                vals![&uuid, user.id, name, hash, &created, &expires],
            )?;
            Ok(())
        })?;
        Ok(TokenRow {
            uuid,
            name: name.map(str::to_string),
            expires_at: expires,
            is_expired: valid_days <= 0,
            created_at: created,
        })
    }

    /// Finds the token with this hash.
    pub fn lookup_token(&self, hash: &str) -> Result<TokenLookup, ServiceError> {
        let row = self.with(|c| {
            c.row(
                "SELECT t.uuid AS token_uuid, t.expires_at, t.revoked, u.id, u.uuid, u.name
                 FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1",
                vals![hash],
            )
        })?;
        let Some(r) = row else {
            return Ok(TokenLookup::Invalid);
        };
        if r.flag("revoked")? {
            return Ok(TokenLookup::Invalid);
        }
        let expired = chrono::DateTime::parse_from_rfc3339(&r.text("expires_at")?)
            .map(|t| t < chrono::Utc::now())
            .unwrap_or(true);
        Ok(if expired {
            TokenLookup::Expired
        } else {
            TokenLookup::Valid(user_row(&r)?, r.text("token_uuid")?)
        })
    }

    /// A user's live tokens, newest expiry first, paginated.
    pub fn list_tokens(
        &self,
        user: &User,
        page: u32,
        limit: u32,
    ) -> Result<Vec<TokenRow>, ServiceError> {
        let offset = (page.saturating_sub(1) as i64) * limit as i64;
        self.with(|c| {
            c.rows(
                "SELECT uuid, name, expires_at, created_at FROM tokens
                 WHERE user_id = ?1 AND revoked = 0
                 ORDER BY expires_at DESC, id DESC LIMIT ?2 OFFSET ?3",
                vals![user.id, limit, offset],
            )?
            .iter()
            .map(token_row)
            .collect()
        })
    }

    /// One of a user's tokens.
    pub fn get_token(&self, user: &User, uuid: &str) -> Result<Option<TokenRow>, ServiceError> {
        self.with(|c| {
            c.row(
                "SELECT uuid, name, expires_at, created_at FROM tokens
                 WHERE user_id = ?1 AND uuid = ?2 AND revoked = 0",
                vals![user.id, uuid],
            )?
            .map(|r| token_row(&r))
            .transpose()
        })
    }

    /// Revokes one of a user's tokens; false when it is not theirs or unknown.
    pub fn revoke_token(&self, user: &User, uuid: &str) -> Result<bool, ServiceError> {
        self.with(|c| {
            Ok(c.exec(
                "UPDATE tokens SET revoked = 1 WHERE user_id = ?1 AND uuid = ?2 AND revoked = 0",
                vals![user.id, uuid],
            )? > 0)
        })
    }
}
