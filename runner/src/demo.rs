//! `runner demo`: an offline batch against the built-in fixture server, so a
//! fresh machine sees the whole tool work (and fail well) with no network.

use anyhow::{Context, Result};

use engine::batch::parse_url_list;
use engine::checkpoint::JobStatus;
use fixtures::{FixtureServer, ServerConfig};

use crate::cli::{DemoArgs, ExportArgs};
use crate::config::Resolved;

/// The demo's URL list, with what each line should do.
const DEMO: &[(&str, Expect)] = &[
    (
        "https://store.steampowered.com/app/1000010/Lumen_Drift/",
        Expect::Done,
    ),
    (
        "https://steamcommunity.com/app/1000020/reviews/?browsefilter=toprated",
        Expect::Done,
    ),
    ("https://store.steampowered.com/app/1000030/", Expect::Done),
    (
        "https://store.steampowered.com/app/1000040/",
        Expect::Fails("not_found"),
    ),
    (
        "https://www.linkedin.com/posts/someone_launch-activity-7300000000000000000-AbCd",
        Expect::Fails("unsupported_platform"),
    ),
    ("https://www.youtube.com/watch?v=yFixVideo01", Expect::Done),
    ("https://youtu.be/yLegacyVi01?si=share", Expect::Done),
    ("https://www.youtube.com/watch?v=yCommentOff", Expect::Done),
    (
        "https://www.youtube.com/watch?v=yPrivate001",
        Expect::Fails("forbidden"),
    ),
    (
        "https://www.reddit.com/r/fixtures/comments/fx1/a_synthetic_thread/",
        Expect::Done,
    ),
    ("https://news.ycombinator.com/item?id=8001", Expect::Done),
    ("https://news.ycombinator.com/item?id=8002", Expect::Done),
    ("https://www.bilibili.com/video/BV1rs411o73q", Expect::Done),
    ("https://www.bilibili.com/video/BV1rs411o73i", Expect::Done),
    (
        "https://www.trustpilot.com/review/lumen-drift.example",
        Expect::Done,
    ),
    (
        "https://apps.apple.com/jp/app/fixture-notes/id1000000001",
        Expect::Done,
    ),
    (
        "https://play.google.com/store/apps/details?id=com.fixture.notes&hl=en&gl=US",
        Expect::Done,
    ),
    ("this line is not a URL", Expect::Fails("invalid_url")),
    (
        "https://example.org/some/page",
        Expect::Fails("unsupported_url"),
    ),
    ("store.steampowered.com/app/1000010", Expect::Skipped),
];

#[derive(Clone, Copy)]
enum Expect {
    Done,
    Fails(&'static str),
    Skipped,
}

pub async fn run(args: DemoArgs) -> Result<u8> {
    let config = ServerConfig::new()
        .with_embedded_fixtures()
        // Google Play's state lives in a form body and a session cookie: a generated server.
        .synthetic(fixtures::GooglePlaySynth::demo());
    let server = FixtureServer::start(config)
        .await
        .context("cannot start the fixture server")?;
    let base = server.base_url();
    let mut list = String::from("# runner demo: served offline by the built-in fixture server\n");
    for (url, _) in DEMO {
        list.push_str(url);
        list.push('\n');
    }
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    let list_path = args.out.join("urls.txt");
    std::fs::write(&list_path, &list)
        .with_context(|| format!("cannot write {}", list_path.display()))?;
    eprintln!(
        "fixture server on {base}; exporting {} URLs from {}",
        DEMO.len(),
        list_path.display()
    );

    // Every platform goes to the fixture server: the demo never touches the network.
    let registry = adapters::registry();
    let keys: Vec<&str> = registry.adapters().iter().map(|a| a.info().key).collect();
    let export = ExportArgs {
        out: Some(args.out.clone()),
        format: Some(args.format.clone()),
        base_url: keys.iter().map(|k| format!("{k}={base}")).collect(),
        quiet: args.quiet,
        ..ExportArgs::default()
    };
    let resolved = Resolved::new(&export, &crate::known_keys(&registry))?;
    let report =
        crate::run_batch(registry, parse_url_list(&list), resolved, false, args.quiet).await?;

    let mut surprises = Vec::new();
    for (job, (url, expect)) in report.jobs.iter().zip(DEMO) {
        let ok = match expect {
            Expect::Done => job.status == JobStatus::Done,
            Expect::Skipped => job.status == JobStatus::Skipped,
            Expect::Fails(kind) => {
                job.status == JobStatus::Error
                    && job.error.as_ref().is_some_and(|e| e.kind == *kind)
            }
        };
        if !ok {
            surprises.push(format!(
                "line {} ({url}) ended {:?} {:?}",
                job.line, job.status, job.error
            ));
        }
    }
    if surprises.is_empty() {
        println!(
            "\ndemo OK: the failures above are deliberate (unknown app, private video, unsupported platform, bad line, no platform, duplicate).\n\
             Look at {}/summary.json and the per-URL files; export real URLs with: runner batch urls.txt",
            args.out.display()
        );
        Ok(crate::EXIT_OK)
    } else {
        eprintln!("demo went wrong:\n  {}", surprises.join("\n  "));
        Ok(crate::EXIT_JOBS_FAILED)
    }
}
