//! Fetching a tree: Algolia's whole-tree answer first; the official Firebase
//! API (item by item, `parallel_requests` at once) when Algolia fails or lags
//! behind (fewer live comments than Firebase's `descendants`).

use std::collections::HashSet;

use engine::{Cursor, Error, FetchContext, Page, PageStream, Target};
use futures::{StreamExt, TryStreamExt};

use super::forest::records;
use super::item::{parse_algolia, parse_firebase, Item};

/// Algolia's item endpoint (whole tree in one answer).
pub const ALGOLIA: &str = "https://hn.algolia.com/api/v1/items/";
/// The official API's item endpoint.
pub const FIREBASE: &str = "https://hacker-news.firebaseio.com/v0/item/";

/// One page with the whole tree. A resumed job (a cursor is only ever absent
/// or final here) starts again; the engine's dedup drops what was written.
pub(crate) fn fetch(target: Target, ctx: FetchContext, _resume: Option<Cursor>) -> PageStream {
    futures::stream::once(async move {
        let id: u64 = target.id.parse().map_err(|_| Error::InvalidUrl {
            input: target.url.clone(),
            reason: "not a Hacker News item id".into(),
        })?;
        let (items, notes) = tree(&ctx, id).await?;
        let mut page = Page::new(records(&items, &target), None);
        page.total_hint = Some(page.records.len() as u64);
        page.notes = notes;
        Ok(page)
    })
    .boxed()
}

/// The tree of item `id` as `(item, parent index)`, parents first, and notes.
async fn tree(
    ctx: &FetchContext,
    id: u64,
) -> Result<(Vec<(Item, Option<usize>)>, Vec<String>), Error> {
    let algolia = match ctx.http.get(&format!("{ALGOLIA}{id}")).await {
        Ok(resp) => parse_algolia(&resp.body, &resp.url),
        Err(e) => Err(e),
    };
    match algolia {
        Ok(items) => {
            let live = items
                .iter()
                .skip(1)
                .filter(|(i, _)| !i.is_placeholder())
                .count() as u64;
            // Algolia indexes with a delay: compare with the official count.
            let expected = match firebase_item(ctx, id).await {
                Ok(Some(root)) => root.descendants,
                _ => None,
            };
            match expected {
                Some(want) if live < want => {
                    let note = format!(
                        "Algolia had {live} of {want} comments (indexing lag); fetched from the official API instead"
                    );
                    let items = firebase_tree(ctx, id).await?;
                    Ok((items, vec![note]))
                }
                _ => Ok((items, Vec::new())),
            }
        }
        Err(e) => {
            tracing::debug!(item = id, error = %e, "Algolia failed; using the official API");
            let note = format!(
                "Algolia failed ({}); fetched from the official API",
                e.kind()
            );
            let items = firebase_tree(ctx, id).await?;
            Ok((items, vec![note]))
        }
    }
}

async fn firebase_item(ctx: &FetchContext, id: u64) -> Result<Option<Item>, Error> {
    let resp = ctx.http.get(&format!("{FIREBASE}{id}.json")).await?;
    parse_firebase(&resp.body, &resp.url)
}

/// Breadth-first over `kids`, one level at a time, at most `parallel_requests`
/// requests in flight; `buffered` keeps HN's sibling order.
async fn firebase_tree(ctx: &FetchContext, id: u64) -> Result<Vec<(Item, Option<usize>)>, Error> {
    let root = firebase_item(ctx, id)
        .await?
        .ok_or_else(|| Error::NotFound {
            platform: "hackernews".into(),
            url: format!("{FIREBASE}{id}.json"),
            detail: "no such item".into(),
        })?;
    let mut seen: HashSet<u64> = HashSet::from([root.id]);
    let mut frontier: Vec<(usize, u64)> = root.kids.iter().map(|&k| (0, k)).collect();
    let mut items = vec![(root, None)];
    let parallel = ctx.options.parallel_requests.max(1);
    while !frontier.is_empty() {
        frontier.retain(|&(_, k)| seen.insert(k)); // a cycle would never end
        let fetched: Vec<(usize, Option<Item>)> =
            futures::stream::iter(frontier)
                .map(|(parent, kid)| async move {
                    Ok::<_, Error>((parent, firebase_item(ctx, kid).await?))
                })
                .buffered(parallel)
                .try_collect()
                .await?;
        frontier = Vec::new();
        for (parent, item) in fetched {
            // `null`: an id HN no longer serves; nothing below it is reachable.
            let Some(item) = item else { continue };
            let index = items.len();
            frontier.extend(item.kids.iter().map(|&k| (index, k)));
            items.push((item, Some(parent)));
        }
    }
    Ok(items)
}
