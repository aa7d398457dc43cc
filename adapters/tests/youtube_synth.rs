//! The YouTube adapter against the synthetic YouTube server (127.0.0.1):
//! exact ground truth in both sorts, pinned duplicate, page grouping, resume.

mod youtube_support;

use engine::{JobOptions, Sort};
use fixtures::{YtVideo, YOUTUBE_SYNTH_THREADS_PER_PAGE};
use youtube_support::{assert_ground_truth, context, records, run, server};

const VIDEO: &str = "ySynthTst01";

fn url() -> String {
    format!("https://youtu.be/{VIDEO}?si=share")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newest_every_comment_once_in_order() {
    let video = YtVideo::new(VIDEO, 130);
    let server = server(vec![video.clone()], 0).await;
    let opts = JobOptions::new().sort(Sort::Newest).parallel_requests(6);
    let (pages, error) = run(context(&server, opts), &url(), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_ground_truth(&records(&pages), &video, true);
    // 131 listings (pinned twice) in pages of 20: 7 pages, all complete threads.
    assert_eq!(pages.len(), 7);
    assert!(pages[..6].iter().all(|p| p.next.is_some()));
    assert!(pages[6].is_last());
    for p in &pages {
        assert!(p.records.first().is_some_and(|r| r.depth == 0));
    }
    assert_eq!(pages[0].next.as_ref().unwrap()["sort"], "new");
    let total: usize = 130 + (0..130).map(|i| video.replies_of(i)).sum::<usize>();
    assert_eq!(pages[0].total_hint, Some(total as u64));
    assert_eq!(records(&pages)[0].extra["pinned"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn top_every_comment_once_in_order() {
    let video = YtVideo::new(VIDEO, 95);
    let server = server(vec![video.clone()], 0).await;
    let opts = JobOptions::new().sort(Sort::Top).parallel_requests(3);
    let (pages, error) = run(context(&server, opts), &url(), None).await;
    assert!(error.is_none(), "{error:?}");
    assert_ground_truth(&records(&pages), &video, false);
    assert_eq!(
        pages.len(),
        95usize.div_ceil(YOUTUBE_SYNTH_THREADS_PER_PAGE)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replies_off_fetches_no_reply_pages() {
    let video = YtVideo::new(VIDEO, 40);
    let server = server(vec![video.clone()], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new().replies(false)),
        &url(),
        None,
    )
    .await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    assert_eq!(all.len(), 40);
    assert!(all.iter().all(|r| r.depth == 0));
    // watch page + section page (for the sort menu) + Newest pages 0..=2.
    assert_eq!(server.hits("/youtubei/v1/next"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resume_after_a_page_gives_exactly_the_rest() {
    let video = YtVideo::new(VIDEO, 70);
    let server = server(vec![video.clone()], 0).await;
    let opts = JobOptions::new().sort(Sort::Newest);
    let (full, error) = run(context(&server, opts.clone()), &url(), None).await;
    assert!(error.is_none(), "{error:?}");
    let cursor = full[1].next.clone().expect("a cursor after page 2");
    let (rest, error) = run(context(&server, opts), &url(), Some(cursor)).await;
    assert!(error.is_none(), "{error:?}");
    let expected: Vec<String> = records(&full[2..]).into_iter().map(|r| r.id).collect();
    let got: Vec<String> = records(&rest).into_iter().map(|r| r.id).collect();
    assert_eq!(got, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bad_resume_cursor_is_a_checkpoint_error() {
    let server = server(vec![YtVideo::new(VIDEO, 5)], 0).await;
    let (pages, error) = run(
        context(&server, JobOptions::new()),
        &url(),
        Some(serde_json::json!(42)),
    )
    .await;
    assert!(pages.is_empty());
    assert_eq!(error.expect("error").kind(), "checkpoint");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_per_thread_reply_limit_stops_fetching_reply_pages() {
    let video = YtVideo::new(VIDEO, 120);
    let server = server(vec![video.clone()], 0).await;
    let limits = engine::Limits {
        replies_per_thread: Some(5),
        ..Default::default()
    };
    let opts = JobOptions::new().sort(Sort::Top).limits(limits);
    let (pages, error) = run(context(&server, opts), &url(), None).await;
    assert!(error.is_none(), "{error:?}");
    let all = records(&pages);
    let with_replies = (0..120).filter(|&i| video.replies_of(i) > 0).count();
    assert!(
        (0..120).any(|i| video.replies_of(i) > 10),
        "the video has long threads"
    );
    // One replies page (10 replies) per thread is enough for 5.
    for i in 0..120 {
        let id = video.thread_id(i);
        let n = all
            .iter()
            .filter(|r| r.parent_id.as_deref() == Some(&id))
            .count();
        assert_eq!(n, video.replies_of(i).min(10), "thread {i}");
    }
    // Section page (Top) + 5 more top pages + one replies page per thread with replies.
    assert_eq!(server.hits("/youtubei/v1/next"), 6 + with_replies);
}
