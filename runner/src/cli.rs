//! Command-line definitions (clap).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Export every comment, reply and review behind a list of URLs, on your own machine.
#[derive(Debug, Parser)]
#[command(name = "runner", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Export every URL of a list (one URL a line; `#` comments and blank lines skipped).
    Batch(Box<BatchArgs>),
    /// Run an offline demo batch against the built-in fixture server.
    Demo(DemoArgs),
    /// List platforms and their status, or say which adapter claims a URL.
    Platforms(PlatformsArgs),
    /// Compare the offline sentiment analyzer with human scores in a TSV file.
    EvalSentiment(crate::eval::EvalArgs),
    /// Run the job service: the ExportComments v3-compatible API plus workers.
    Serve(Box<crate::serve::ServeArgs>),
    /// Run workers only (extra machines sharing the service's store).
    Worker(Box<crate::serve::ServeArgs>),
    /// Manage API tokens of the job service.
    Token(crate::serve::TokenArgs),
    /// Create an export job (against --server, or in-process); --wait, --download.
    #[command(alias = "create")]
    Export(Box<crate::client_cmds::ExportCmd>),
    /// Show a job's status; --wait until it ends.
    #[command(alias = "check")]
    Status(Box<crate::client_cmds::StatusCmd>),
    /// List export jobs, newest first.
    #[command(alias = "ls")]
    List(Box<crate::client_cmds::ListCmd>),
    /// Download a done job's XLSX file, or its records with --json-data.
    #[command(alias = "dl")]
    Download(Box<crate::client_cmds::DownloadCmd>),
    /// Check the connection and the token.
    Ping(Box<crate::client_cmds::PingCmd>),
    /// Run the MCP server over stdio (tools: export_comments, check_export, list_exports,
    /// download_export, detect_platform, list_platforms).
    Mcp(Box<crate::client::ClientArgs>),
}

/// Options of `runner batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// File with one URL a line (`-` for standard input).
    pub urls: PathBuf,
    #[command(flatten)]
    pub export: ExportArgs,
}

/// Options of `runner demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "export/demo")]
    pub out: PathBuf,
    /// Output formats, comma-separated (json, ndjson, csv, xlsx).
    #[arg(long, value_delimiter = ',', default_value = "ndjson,csv,json,xlsx")]
    pub format: Vec<String>,
    /// No progress bars or log lines.
    #[arg(long, short)]
    pub quiet: bool,
}

/// Options of `runner platforms`.
#[derive(Debug, Args)]
pub struct PlatformsArgs {
    /// Say which adapter claims this URL (and what it points at).
    #[arg(long)]
    pub detect: Option<String>,
    /// Details of one platform by key (e.g. `youtube`).
    #[arg(long)]
    pub id: Option<String>,
    /// Print the `{"ok": …, "data": …}` envelope.
    #[arg(long)]
    pub json: bool,
}

/// Options shared by every export command; each may also come from the config file.
#[derive(Debug, Args, Default)]
pub struct ExportArgs {
    /// Config file (TOML); command-line options override it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output folder [default: export].
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Output formats, comma-separated: json, ndjson, csv, xlsx [default: ndjson].
    #[arg(long, value_delimiter = ',')]
    pub format: Option<Vec<String>>,
    /// Columns of every output and their order, comma-separated (e.g. `id,created_at,text`).
    #[arg(long, value_delimiter = ',')]
    pub fields: Option<Vec<String>>,
    /// Write CSV in chunks of at most N data rows: name.part-0001.csv, … [default with --zip: 10000].
    #[arg(long, value_name = "N")]
    pub chunk_rows: Option<u64>,
    /// Put the CSV chunks in one name.csv.zip.
    #[arg(long)]
    pub zip: bool,
    /// Do not write the combined all.<ext> files.
    #[arg(long)]
    pub no_combined: bool,
    /// Continue the batch recorded in the output folder after a crash, kill or Ctrl-C.
    #[arg(long)]
    pub resume: bool,
    /// Dedup store shared across runs: records any earlier run with the same store wrote are skipped.
    #[arg(long)]
    pub dedup_store: Option<PathBuf>,
    /// At most this many records per URL.
    #[arg(long)]
    pub limit: Option<u64>,
    /// At most this many top-level records per URL.
    #[arg(long)]
    pub max_top_level: Option<u64>,
    /// At most this many replies per URL.
    #[arg(long)]
    pub max_replies: Option<u64>,
    /// At most this many replies under any one top-level record.
    #[arg(long)]
    pub max_replies_per_thread: Option<u64>,
    /// Deepest reply level kept (0 = top level only).
    #[arg(long)]
    pub max_depth: Option<u32>,
    /// Keep records written at or after this: a date (2024-05-01), RFC 3339, or an age (30d, 12h).
    #[arg(long)]
    pub since: Option<String>,
    /// Keep records written at or before this: a date, RFC 3339, or an age.
    #[arg(long)]
    pub until: Option<String>,
    /// Export replies (the default).
    #[arg(long, overrides_with = "no_replies")]
    pub replies: bool,
    /// Export top-level records only.
    #[arg(long)]
    pub no_replies: bool,
    /// Listing order asked of platforms: newest, top, updated.
    #[arg(long)]
    pub sort: Option<String>,
    /// Detect the language of records whose platform does not give one (whatlang, offline).
    #[arg(long)]
    pub detect_language: bool,
    /// Keep only records in these languages (ISO 639 codes, comma-separated, e.g. `en,de`;
    /// `en` keeps `en-GB`; `und` keeps records whose language cannot be told). Records
    /// without a platform language are detected offline first. Turns on --detect-language.
    #[arg(long, value_name = "CODES", value_delimiter = ',')]
    pub lang: Vec<String>,
    /// Score every record's sentiment offline (VADER-method lexicon; emoji only for
    /// non-English records). Turns on --detect-language.
    #[arg(long)]
    pub sentiment: bool,
    /// Classify sentiment with a provider: openai, anthropic or google (key from OPENAI_API_KEY,
    /// ANTHROPIC_API_KEY, GOOGLE_API_KEY or the config's [sentiment]); the rest is scored offline.
    #[arg(long, value_name = "PROVIDER")]
    pub sentiment_provider: Option<String>,
    /// Most comments sent to the sentiment provider in this run (the rest is scored offline).
    #[arg(long, value_name = "N")]
    pub max_provider_comments: Option<u64>,
    /// Only records in this language, on platforms that filter by language (e.g. `en`, `ja`).
    #[arg(long)]
    pub language: Option<String>,
    /// Requests one job may have in flight (reply threads fetched concurrently) [default: 16].
    #[arg(long)]
    pub parallel_requests: Option<usize>,
    /// Jobs at once over all platforms [default: 8].
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Requests per second for a platform, e.g. `steam=2` (0 = unlimited). Repeatable.
    #[arg(long, value_name = "PLATFORM=RPS")]
    pub rate: Vec<String>,
    /// Jobs at once for a platform, e.g. `steam=4`. Repeatable.
    #[arg(long, value_name = "PLATFORM=N")]
    pub platform_concurrency: Vec<String>,
    /// A platform parameter, e.g. `country=jp,us` (App Store storefronts) or `stars=5`;
    /// each adapter documents the keys it reads. Repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub param: Vec<String>,
    /// Send a platform's requests to another base URL, e.g. `steam=http://127.0.0.1:8080`. Repeatable.
    #[arg(long, value_name = "PLATFORM=URL")]
    pub base_url: Vec<String>,
    /// Proxy for all requests (http://, https://, socks5://; credentials allowed, never logged).
    #[arg(long, env = "RUNNER_PROXY", hide_env_values = true)]
    pub proxy: Option<String>,
    /// Send requests through the config file's `[proxy_pools.NAME]`, one session per proxy.
    #[arg(long, value_name = "NAME")]
    pub proxy_pool: Option<String>,
    /// Exit location: the config file's proxy pools tagged `country = "CC"` (e.g. `us`).
    #[arg(long, value_name = "CC")]
    pub vpn: Option<String>,
    /// Netscape cookies.txt (as yt-dlp takes); cookies go to the platform whose hosts they name.
    #[arg(long)]
    pub cookies: Option<PathBuf>,
    /// Retries of a failing request [default: 5].
    #[arg(long)]
    pub retries: Option<u32>,
    /// No progress bars or log lines; only the summary table.
    #[arg(long, short)]
    pub quiet: bool,
}

#[cfg(test)]
mod tests {
    #[test]
    fn arguments_are_consistent() {
        // Catches clashing flags (e.g. two `--vpn` through a flattened group) before a user does.
        use clap::CommandFactory;
        super::Cli::command().debug_assert();
    }
}
