//! The TikTok adapter against the synthetic TikTok: whole comment trees
//! (offset cursors, reply threads), short links, resume, and the precise error
//! when TikTok wants signed requests.

use std::collections::HashSet;

use adapters::tiktok::TikTok;
use engine::testing::{fetch_to_end, local_context, records};
use engine::JobOptions;
use fixtures::{FixtureServer, ServerConfig, TikTokSynth, TtSynthVideo};

async fn server(synth: TikTokSynth) -> FixtureServer {
    FixtureServer::start(ServerConfig::new().synthetic(synth))
        .await
        .unwrap()
}

fn shape(recs: &[engine::Comment]) -> HashSet<(String, Option<String>, u32)> {
    recs.iter()
        .map(|r| (r.id.clone(), r.parent_id.clone(), r.depth))
        .collect()
}

#[tokio::test]
async fn exports_whole_videos_and_follows_short_links() {
    let videos = vec![
        TtSynthVideo::generated(7_300_000_000_000_000_001, 47),
        TtSynthVideo::generated(7_300_000_000_000_000_002, 0),
    ];
    let s = server(TikTokSynth::new(videos.clone()).short_link("ZMsynth01", videos[0].id)).await;
    for v in &videos {
        let url = format!("https://www.tiktok.com/@synth/video/{}", v.id);
        let (pages, err) = fetch_to_end(
            &TikTok,
            local_context("tiktok", &s.base_url(), JobOptions::new()),
            &url,
            None,
        )
        .await;
        assert!(err.is_none(), "{err:?}");
        assert_eq!(shape(&records(&pages)), v.expected().into_iter().collect());
    }
    let (pages, err) = fetch_to_end(
        &TikTok,
        local_context("tiktok", &s.base_url(), JobOptions::new()),
        "https://vm.tiktok.com/ZMsynth01/",
        None,
    )
    .await;
    assert!(err.is_none(), "{err:?}");
    let recs = records(&pages);
    assert_eq!(shape(&recs), videos[0].expected().into_iter().collect());
    assert!(recs.iter().all(|r| r.source_id == videos[0].id.to_string()));
    let thread = recs
        .iter()
        .find(|r| r.extra.contains_key("reply_to"))
        .expect("a reply to a reply");
    assert_eq!(thread.depth, 1);
    let reqs = s.requests();
    assert!(reqs
        .iter()
        .any(|r| r.path == "/api/comment/list/reply/"
            && r.query_param("cursor").as_deref() == Some("0")));
    assert!(reqs.iter().any(
        |r| r.path == "/api/comment/list/" && r.query_param("cursor").as_deref() == Some("40")
    ));
}

#[tokio::test]
async fn resumes_and_skips_replies_when_asked() {
    let v = TtSynthVideo::generated(7_300_000_000_000_000_003, 30);
    let s = server(TikTokSynth::new(vec![v.clone()])).await;
    let url = format!("https://www.tiktok.com/@synth/video/{}", v.id);
    let (pages, _) = fetch_to_end(
        &TikTok,
        local_context("tiktok", &s.base_url(), JobOptions::new()),
        &url,
        None,
    )
    .await;
    let all: HashSet<String> = records(&pages).into_iter().map(|r| r.id).collect();
    for cut in [1, pages.len() / 2, pages.len() - 1] {
        let (rest, err) = fetch_to_end(
            &TikTok,
            local_context("tiktok", &s.base_url(), JobOptions::new()),
            &url,
            pages[cut - 1].next.clone(),
        )
        .await;
        assert!(err.is_none());
        let mut ids: HashSet<String> = records(&pages[..cut]).into_iter().map(|r| r.id).collect();
        ids.extend(records(&rest).into_iter().map(|r| r.id));
        assert_eq!(ids, all, "cut {cut}");
    }
    let mut top = JobOptions::new();
    top.replies = false;
    let (pages, _) = fetch_to_end(
        &TikTok,
        local_context("tiktok", &s.base_url(), top),
        &url,
        None,
    )
    .await;
    assert!(records(&pages).iter().all(|r| r.depth == 0));
    assert_eq!(
        records(&pages).len(),
        v.expected().iter().filter(|e| e.2 == 0).count()
    );
}

#[tokio::test]
async fn a_signature_wall_is_named() {
    let v = TtSynthVideo::generated(7_300_000_000_000_000_004, 3);
    let s = server(TikTokSynth::new(vec![v.clone()]).signed()).await;
    let url = format!("https://www.tiktok.com/@synth/video/{}", v.id);
    let (_, err) = fetch_to_end(
        &TikTok,
        local_context("tiktok", &s.base_url(), JobOptions::new()),
        &url,
        None,
    )
    .await;
    let e = err.unwrap();
    assert_eq!(e.kind(), "forbidden");
    assert!(e.to_string().contains("signed"), "{e}");
}
