//! One comment in either wire format → [`engine::Comment`]: the current
//! `commentViewModel` (data in `frameworkUpdates` entity mutations) and the
//! legacy inline `commentRenderer`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use engine::counts::parse_count;
use engine::relative_time::parse_relative;
use engine::{Comment, Kind, Target};
use serde_json::{Map, Value};

use super::json::{at, str_at, text};

/// Entity payloads of one response, by entity key and by comment id.
#[derive(Default)]
pub(crate) struct Entities<'a> {
    by_key: HashMap<&'a str, &'a Value>,
    by_comment_id: HashMap<&'a str, &'a Value>,
}

impl<'a> Entities<'a> {
    /// Indexes `frameworkUpdates.entityBatchUpdate.mutations` of `response`.
    pub(crate) fn index(response: &'a Value) -> Entities<'a> {
        let mut e = Entities::default();
        let Some(list) = at(
            response,
            &["frameworkUpdates", "entityBatchUpdate", "mutations"],
        )
        .and_then(Value::as_array) else {
            return e;
        };
        for m in list {
            let Some(payload) = m.get("payload").and_then(Value::as_object) else {
                continue;
            };
            for (kind, body) in payload {
                if let Some(key) = m.get("entityKey").and_then(Value::as_str) {
                    e.by_key.insert(key, body);
                }
                if let Some(key) = body.get("key").and_then(Value::as_str) {
                    e.by_key.insert(key, body);
                }
                if kind == "commentEntityPayload" {
                    if let Some(id) = str_at(body, &["properties", "commentId"]) {
                        e.by_comment_id.insert(id, body);
                    }
                }
            }
        }
        e
    }
}

/// What a comment's parser needs besides the JSON.
pub(crate) struct Ctx<'a> {
    pub target: &'a Target,
    pub fetched_at: DateTime<Utc>,
}

/// A parsed comment and the reply level its format states (0 = top level).
pub(crate) struct Parsed {
    pub comment: Comment,
    pub level: u32,
}

/// Likes from a display count and its accessibility label: the label wins
/// when it states an exact number ("1,234 likes"); otherwise the display
/// text ("1.2K") is used and marked approximate.
fn set_likes(c: &mut Comment, shown: Option<&str>, label: Option<&str>) {
    let exact = label
        .and_then(|l| l.split_whitespace().next())
        .and_then(parse_count)
        .filter(|n| !n.approx);
    if let Some(n) = exact {
        c.likes = Some(n.value);
        return;
    }
    if let Some(n) = parse_count(shown.unwrap_or("")) {
        c.likes = Some(n.value);
        c.likes_approx = n.approx;
    }
}

fn set_time(c: &mut Comment, raw: Option<&str>, fetched_at: DateTime<Utc>) {
    let Some(raw) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return;
    };
    c.created_at_raw = Some(raw.to_string());
    match parse_relative(raw, fetched_at) {
        Some(t) => {
            c.created_at = Some(t.at);
            c.created_at_precision = Some(t.precision);
            c.edited = Some(t.edited);
        }
        None => c.edited = Some(raw.to_lowercase().contains("(edited)")),
    }
}

fn new_comment(ctx: &Ctx, id: &str, level: u32) -> Comment {
    let kind = if level == 0 {
        Kind::Comment
    } else {
        Kind::Reply
    };
    let mut c = Comment::new(
        "youtube",
        kind,
        id,
        ctx.target.id.clone(),
        ctx.target.url.clone(),
    );
    c.depth = level;
    c.url = Some(format!(
        "https://www.youtube.com/watch?v={}&lc={id}",
        ctx.target.id
    ));
    c.fetched_at = ctx.fetched_at;
    c
}

fn flag(extra: &mut Map<String, Value>, key: &str, on: bool) {
    extra.insert(key.to_string(), Value::Bool(on));
}

/// A `commentViewModel` (as found in a thread or a reply page) resolved
/// through the response's entities. `Err` names what is missing.
pub(crate) fn from_view_model(
    vm: &Value,
    entities: &Entities,
    ctx: &Ctx,
) -> Result<Parsed, String> {
    let vm = vm.get("commentViewModel").unwrap_or(vm);
    let payload = str_at(vm, &["commentKey"])
        .and_then(|k| entities.by_key.get(k))
        .or_else(|| {
            str_at(vm, &["commentId"]).and_then(|id| entities.by_comment_id.get(id))
        })
        .ok_or("commentViewModel.commentKey has no commentEntityPayload in frameworkUpdates.entityBatchUpdate.mutations")?;
    let props = payload
        .get("properties")
        .ok_or("commentEntityPayload.properties missing")?;
    let id = str_at(props, &["commentId"])
        .or_else(|| str_at(vm, &["commentId"]))
        .ok_or("commentEntityPayload.properties.commentId missing")?;
    let level = props.get("replyLevel").and_then(Value::as_u64).unwrap_or(0) as u32;
    let mut c = new_comment(ctx, id, level);
    c.text = at(props, &["content"]).and_then(text).unwrap_or_default();
    set_time(&mut c, str_at(props, &["publishedTime"]), ctx.fetched_at);
    let author = payload.get("author").unwrap_or(&Value::Null);
    c.author = str_at(author, &["displayName"]).map(str::to_string);
    c.author_id = str_at(author, &["channelId"]).map(str::to_string);
    c.author_url = c
        .author_id
        .as_ref()
        .map(|id| format!("https://www.youtube.com/channel/{id}"));
    let toolbar = payload.get("toolbar").unwrap_or(&Value::Null);
    set_likes(
        &mut c,
        str_at(toolbar, &["likeCountNotliked"]).or_else(|| str_at(toolbar, &["likeCountLiked"])),
        str_at(toolbar, &["likeCountA11y"]),
    );
    c.reply_count = str_at(toolbar, &["replyCount"])
        .and_then(parse_count)
        .map(|n| n.value);
    let heart = str_at(vm, &["toolbarStateKey"])
        .or_else(|| str_at(props, &["toolbarStateKey"]))
        .and_then(|k| entities.by_key.get(k))
        .and_then(|s| str_at(s, &["heartState"]));
    let e = &mut c.extra;
    flag(e, "pinned", vm.get("pinnedText").is_some());
    flag(
        e,
        "hearted_by_creator",
        heart == Some("TOOLBAR_HEART_STATE_HEARTED"),
    );
    let b = |k: &str| author.get(k).and_then(Value::as_bool).unwrap_or(false);
    flag(e, "author_is_creator", b("isCreator"));
    flag(e, "author_verified", b("isVerified"));
    flag(e, "author_is_artist", b("isArtist"));
    flag(
        e,
        "author_is_member",
        author.get("sponsorBadgeUrl").is_some() || author.get("sponsorBadgeA11y").is_some(),
    );
    // Super Thanks: a chip on the comment's surface entity.
    let chip = str_at(vm, &["commentSurfaceKey"])
        .and_then(|k| entities.by_key.get(k))
        .and_then(|s| at(s, &["pdgCommentChip", "pdgCommentChipRenderer", "chipText"]));
    if let Some(amount) = chip.and_then(text) {
        e.insert("super_thanks".into(), Value::String(amount));
    }
    Ok(Parsed { comment: c, level })
}

/// A legacy inline `commentRenderer`. Its reply level comes from the id
/// (`<thread id>.<suffix>` is a reply) since the format has no level field.
pub(crate) fn from_renderer(r: &Value, ctx: &Ctx) -> Result<Parsed, String> {
    let id = str_at(r, &["commentId"]).ok_or("commentRenderer.commentId missing")?;
    let level = u32::from(id.contains('.'));
    let mut c = new_comment(ctx, id, level);
    c.text = r.get("contentText").and_then(text).unwrap_or_default();
    set_time(
        &mut c,
        r.get("publishedTimeText").and_then(text).as_deref(),
        ctx.fetched_at,
    );
    c.author = r.get("authorText").and_then(text);
    c.author_id = str_at(r, &["authorEndpoint", "browseEndpoint", "browseId"]).map(str::to_string);
    c.author_url = c
        .author_id
        .as_ref()
        .map(|id| format!("https://www.youtube.com/channel/{id}"));
    let votes = r.get("voteCount");
    set_likes(
        &mut c,
        votes.and_then(text).as_deref(),
        votes.and_then(|v| str_at(v, &["accessibility", "accessibilityData", "label"])),
    );
    c.reply_count = match r.get("replyCount") {
        Some(v) => v
            .as_u64()
            .or_else(|| v.as_str().and_then(parse_count).map(|n| n.value)),
        None => (level == 0).then_some(0),
    };
    let hearted = at(
        r,
        &[
            "actionButtons",
            "commentActionButtonsRenderer",
            "creatorHeart",
            "creatorHeartRenderer",
            "isHearted",
        ],
    )
    .and_then(Value::as_bool)
    .unwrap_or(false);
    let e = &mut c.extra;
    flag(e, "pinned", r.get("pinnedCommentBadge").is_some());
    flag(e, "hearted_by_creator", hearted);
    flag(
        e,
        "author_is_creator",
        r.get("authorIsChannelOwner")
            .and_then(Value::as_bool)
            .unwrap_or(false),
    );
    flag(e, "author_verified", r.get("authorCommentBadge").is_some());
    flag(e, "author_is_artist", false);
    flag(
        e,
        "author_is_member",
        r.get("sponsorCommentBadge").is_some(),
    );
    let chip = at(
        r,
        &[
            "paidCommentChipRenderer",
            "pdgCommentChipRenderer",
            "chipText",
        ],
    );
    if let Some(amount) = chip.and_then(text) {
        e.insert("super_thanks".into(), Value::String(amount));
    }
    Ok(Parsed { comment: c, level })
}
