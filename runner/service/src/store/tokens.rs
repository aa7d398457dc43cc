//! Users and their API tokens (stored as SHA-256 hashes only).

use rusqlite::{params, OptionalExtension, Row};
use serde::Serialize;

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

fn token_row(r: &Row) -> rusqlite::Result<TokenRow> {
    let expires_at: String = r.get("expires_at")?;
    let is_expired = chrono::DateTime::parse_from_rfc3339(&expires_at)
        .map(|t| t < chrono::Utc::now())
        .unwrap_or(true);
    Ok(TokenRow {
        uuid: r.get("uuid")?,
        name: r.get("name")?,
        expires_at,
        is_expired,
        created_at: r.get("created_at")?,
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

impl Store {
    /// Returns the user called `name`, creating it on first use.
    pub fn user_named(&self, name: &str) -> Result<User, ServiceError> {
        self.with(|c| {
            let found = c
                .query_row(
                    "SELECT id, uuid, name FROM users WHERE name = ?1",
                    [name],
                    |r| {
                        Ok(User {
                            id: r.get(0)?,
                            uuid: r.get(1)?,
                            name: r.get(2)?,
                        })
                    },
                )
                .optional()?;
            if let Some(u) = found {
                return Ok(u);
            }
            let uuid = uuid::Uuid::new_v4().to_string();
            c.execute(
                "INSERT INTO users(uuid, name, created_at) VALUES (?1, ?2, ?3)",
                params![uuid, name, now_text()],
            )?;
            Ok(User {
                id: c.last_insert_rowid(),
                uuid,
                name: name.to_string(),
            })
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
            c.execute(
                "INSERT INTO tokens(uuid, user_id, name, hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![uuid, user.id, name, hash, created, expires],
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
        self.with(|c| {
            let row = c
                .query_row(
                    "SELECT t.uuid, t.expires_at, t.revoked, u.id, u.uuid, u.name
                     FROM tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?1",
                    [hash],
                    |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, i64>(2)?,
                            User {
                                id: r.get(3)?,
                                uuid: r.get(4)?,
                                name: r.get(5)?,
                            },
                        ))
                    },
                )
                .optional()?;
            Ok(match row {
                None => TokenLookup::Invalid,
                Some((_, _, revoked, _)) if revoked != 0 => TokenLookup::Invalid,
                Some((uuid, expires, _, user)) => {
                    let expired = chrono::DateTime::parse_from_rfc3339(&expires)
                        .map(|t| t < chrono::Utc::now())
                        .unwrap_or(true);
                    if expired {
                        TokenLookup::Expired
                    } else {
                        TokenLookup::Valid(user, uuid)
                    }
                }
            })
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
        let uid = user.id;
        self.with(|c| {
            let mut st = c.prepare(
                "SELECT uuid, name, expires_at, created_at FROM tokens
                 WHERE user_id = ?1 AND revoked = 0
                 ORDER BY expires_at DESC, id DESC LIMIT ?2 OFFSET ?3",
            )?;
            let rows = st
                .query_map(params![uid, limit, offset], token_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok(rows)
        })
    }

    /// One of a user's tokens.
    pub fn get_token(&self, user: &User, uuid: &str) -> Result<Option<TokenRow>, ServiceError> {
        let uid = user.id;
        self.with(|c| {
            Ok(c.query_row(
                "SELECT uuid, name, expires_at, created_at FROM tokens
                 WHERE user_id = ?1 AND uuid = ?2 AND revoked = 0",
                params![uid, uuid],
                token_row,
            )
            .optional()?)
        })
    }

    /// Revokes one of a user's tokens; false when it is not theirs or unknown.
    pub fn revoke_token(&self, user: &User, uuid: &str) -> Result<bool, ServiceError> {
        let uid = user.id;
        self.with(|c| {
            Ok(c.execute(
                "UPDATE tokens SET revoked = 1 WHERE user_id = ?1 AND uuid = ?2 AND revoked = 0",
                params![uid, uuid],
            )? > 0)
        })
    }
}
