//! Sentiment providers against local servers speaking OpenAI Chat
//! Completions, Anthropic Messages and Google Natural Language.

mod providers {
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::{Duration, Instant};

    use axum::body::Bytes;
    use axum::extract::{Query, State};
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};
    use axum::routing::post;
    use axum::Router;
    use engine::sentiment::providers::{ProviderConfig, ProviderEnricher, ProviderKind};
    use engine::{Comment, Enricher, Kind, RetryPolicy};
    use serde_json::{json, Value};
    use url::Url;

    const KEY: &str = "sk-test-0123456789abcdef";
    const WRONG: &str = "sk-wrong-9876543210fedcba";

    /// What the server does, and what it saw.
    #[derive(Default)]
    struct Plan {
        /// Answers given as prose (not JSON) before good ones.
        malformed: AtomicUsize,
        /// Answers that leave out their last item.
        partial: AtomicUsize,
        /// 429 answers (Retry-After: 1) before good ones.
        limited: AtomicUsize,
        /// Requests received.
        calls: AtomicUsize,
        /// Comments received per request.
        sizes: Mutex<Vec<usize>>,
        in_flight: AtomicUsize,
        max_in_flight: AtomicUsize,
    }

    type Shared = Arc<Plan>;

    fn judge(text: &str) -> (&'static str, f64) {
        let t = text.to_lowercase();
        if t.contains("good") || t.contains("love") {
            ("positive", 0.8)
        } else if t.contains("bad") || t.contains("hate") {
            ("negative", -0.7)
        } else {
            ("neutral", 0.0)
        }
    }

    /// Common part of the LLM handlers: counting, 429, in-flight tracking,
    /// and the results for the comments of a user message.
    async fn llm_results(plan: &Plan, user: &str) -> Result<String, Response> {
        plan.calls.fetch_add(1, Ordering::SeqCst);
        let now = plan.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
        plan.max_in_flight.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(30)).await;
        plan.in_flight.fetch_sub(1, Ordering::SeqCst);
        if take(&plan.limited) {
            let body = json!({"error": {"message": "Rate limit reached", "type": "requests"}});
            return Err((
                StatusCode::TOO_MANY_REQUESTS,
                [("retry-after", "1")],
                body.to_string(),
            )
                .into_response());
        }
        let comments: Value = serde_json::from_str(user).expect("user message is JSON");
        let comments = comments["comments"].as_array().expect("comments array");
        plan.sizes.lock().unwrap().push(comments.len());
        if take(&plan.malformed) {
            return Ok("Sure! The first comment is positive, the second negative.".to_string());
        }
        let mut results: Vec<Value> = comments
            .iter()
            .map(|c| {
                let (label, score) = judge(c["text"].as_str().unwrap());
                json!({"i": c["i"], "label": label, "score": score})
            })
            .collect();
        if take(&plan.partial) {
            results.pop();
        }
        Ok(json!({ "results": results }).to_string())
    }

    fn take(n: &AtomicUsize) -> bool {
        n.fetch_update(Ordering::SeqCst, Ordering::SeqCst, |v| v.checked_sub(1))
            .is_ok()
    }

    async fn openai(State(plan): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
        if auth != Some(&format!("Bearer {KEY}")) {
            // OpenAI echoes (part of) the key it got: the client must scrub it.
            let got = auth.unwrap_or("").trim_start_matches("Bearer ");
            let body = json!({"error": {"message": format!("Incorrect API key provided: {got}."),
                "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
            return (StatusCode::UNAUTHORIZED, body.to_string()).into_response();
        }
        let req: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(req["response_format"]["type"], "json_object");
        assert_eq!(req["messages"][0]["role"], "system");
        let model = req["model"].as_str().unwrap().to_string();
        let content =
            match llm_results(&plan, req["messages"][1]["content"].as_str().unwrap()).await {
                Ok(c) => c,
                Err(r) => return r,
            };
        let answer = json!({
            "id": "chatcmpl-test", "object": "chat.completion", "created": 1_763_000_000, "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "refusal": null},
                "logprobs": null, "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 100, "completion_tokens": 50, "total_tokens": 150}
        });
        ([("content-type", "application/json")], answer.to_string()).into_response()
    }

    async fn anthropic(State(plan): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
        assert_eq!(headers.get("anthropic-version").unwrap(), "2023-06-01");
        if headers.get("x-api-key").and_then(|v| v.to_str().ok()) != Some(KEY) {
            let body = json!({"type": "error", "error": {"type": "authentication_error", "message": "invalid x-api-key"}});
            return (StatusCode::UNAUTHORIZED, body.to_string()).into_response();
        }
        let req: Value = serde_json::from_slice(&body).unwrap();
        assert!(req["max_tokens"].as_u64().unwrap() > 0);
        assert!(req["system"].as_str().unwrap().contains("sentiment"));
        let content =
            match llm_results(&plan, req["messages"][0]["content"].as_str().unwrap()).await {
                Ok(c) => c,
                Err(r) => return r,
            };
        let answer = json!({
            "id": "msg_test", "type": "message", "role": "assistant", "model": req["model"],
            "content": [{"type": "text", "text": content}],
            "stop_reason": "end_turn", "stop_sequence": null,
            "usage": {"input_tokens": 100, "output_tokens": 50}
        });
        ([("content-type", "application/json")], answer.to_string()).into_response()
    }

    async fn google(
        State(plan): State<Shared>,
        Query(q): Query<HashMap<String, String>>,
        body: Bytes,
    ) -> Response {
        plan.calls.fetch_add(1, Ordering::SeqCst);
        if q.get("key").map(String::as_str) != Some(KEY) {
            let body = json!({"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.",
                "status": "INVALID_ARGUMENT"}});
            // Google answers a bad key with 400; a key without the API enabled with 403.
            return (StatusCode::FORBIDDEN, body.to_string()).into_response();
        }
        if take(&plan.limited) {
            return (StatusCode::TOO_MANY_REQUESTS, [("retry-after", "1")], "{}").into_response();
        }
        let req: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(req["document"]["type"], "PLAIN_TEXT");
        assert_eq!(req["encodingType"], "UTF8");
        let text = req["document"]["content"].as_str().unwrap();
        plan.sizes.lock().unwrap().push(1);
        if text.contains("tlhIngan") {
            let body = json!({"error": {"code": 400,
                "message": "The language tlh is not supported for document_sentiment analysis.",
                "status": "INVALID_ARGUMENT"}});
            return (StatusCode::BAD_REQUEST, body.to_string()).into_response();
        }
        if take(&plan.malformed) {
            return (
                [("content-type", "application/json")],
                r#"{"language":"en"}"#,
            )
                .into_response();
        }
        let (_, score) = judge(text);
        let answer = json!({"documentSentiment": {"magnitude": 0.9, "score": score}, "language": "en",
            "sentences": [{"text": {"content": text, "beginOffset": 0}, "sentiment": {"magnitude": 0.9, "score": score}}]});
        ([("content-type", "application/json")], answer.to_string()).into_response()
    }

    async fn serve(plan: Shared) -> Url {
        let app = Router::new()
            .route("/v1/chat/completions", post(openai))
            .route("/v1/messages", post(anthropic))
            .route("/v1/documents:analyzeSentiment", post(google))
            .with_state(plan);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        format!("http://{addr}").parse().unwrap()
    }

    fn config(kind: ProviderKind, key: &str, base: &Url) -> ProviderConfig {
        ProviderConfig::new(kind, key)
            .base_url(Some(base.clone()))
            .concurrency(2)
            .retry(RetryPolicy {
                max_retries: 2,
                base_delay: Duration::from_millis(10),
                max_delay: Duration::from_millis(50),
                max_retry_after: Duration::from_secs(5),
            })
    }

    const TEXTS: [&str; 4] = [
        "This is a good game",
        "I hate the new update, so bad",
        "The patch is on Tuesday",
        "Love it!",
    ];

    fn records(n: usize) -> Vec<Comment> {
        (0..n)
            .map(|i| {
                let mut c = Comment::new("youtube", Kind::Comment, i.to_string(), "v", "u");
                c.text = TEXTS[i % TEXTS.len()].to_string();
                c
            })
            .collect()
    }

    fn methods(v: &[Comment]) -> Vec<String> {
        v.iter()
            .map(|c| {
                c.sentiment
                    .as_ref()
                    .map_or("none".into(), |s| s.method.to_string())
            })
            .collect()
    }

    fn assert_labels(v: &[Comment]) {
        for c in v {
            let (label, _) = judge(&c.text);
            let s = c.sentiment.as_ref().expect("sentiment");
            if !s.method.starts_with("lexicon") {
                assert_eq!(s.label, label, "{}", c.text);
            }
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn openai_batches_with_bounded_concurrency() {
        let plan = Shared::default();
        let base = serve(plan.clone()).await;
        let p =
            ProviderEnricher::new(config(ProviderKind::OpenAi, KEY, &base).batch_size(10)).unwrap();
        let mut v = records(45);
        p.enrich(&mut v);
        assert!(
            methods(&v).iter().all(|m| m == "openai:gpt-4o-mini"),
            "{:?}",
            methods(&v)
        );
        assert_labels(&v);
        assert_eq!(v[0].sentiment.as_ref().unwrap().score, 0.8);
        let mut sizes = plan.sizes.lock().unwrap().clone();
        sizes.sort_unstable();
        assert_eq!(sizes, vec![5, 10, 10, 10, 10]);
        assert!(plan.max_in_flight.load(Ordering::SeqCst) <= 2);
        let s = p.stats();
        assert_eq!((s.sent, s.classified, s.requests), (45, 45, 5));
        assert!(p.last_error().is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn malformed_answers_are_retried() {
        let plan = Shared::default();
        plan.malformed.store(1, Ordering::SeqCst);
        plan.partial.store(1, Ordering::SeqCst);
        let base = serve(plan.clone()).await;
        let p = ProviderEnricher::new(config(ProviderKind::OpenAi, KEY, &base)).unwrap();
        let mut v = records(4);
        p.enrich(&mut v);
        assert!(methods(&v).iter().all(|m| m == "openai:gpt-4o-mini"));
        assert_labels(&v);
        // Prose, then an answer missing its last item, then only that item.
        assert_eq!(*plan.sizes.lock().unwrap(), vec![4, 4, 1]);
        assert_eq!(p.stats().requests, 3);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn always_malformed_falls_back_to_the_lexicon() {
        let plan = Shared::default();
        plan.malformed.store(usize::MAX, Ordering::SeqCst);
        let base = serve(plan.clone()).await;
        let p = ProviderEnricher::new(config(ProviderKind::Anthropic, KEY, &base).max_attempts(3))
            .unwrap();
        let mut v = records(4);
        p.enrich(&mut v);
        assert_eq!(plan.calls.load(Ordering::SeqCst), 3, "bounded retries");
        assert_eq!(
            methods(&v),
            vec!["lexicon-en", "lexicon-en", "none", "lexicon-en"]
        );
        assert!(
            p.last_error().unwrap().contains("not JSON"),
            "{:?}",
            p.last_error()
        );
        assert!(!p.stopped(), "a malformed answer is not fatal");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limited_requests_wait_for_retry_after() {
        let plan = Shared::default();
        plan.limited.store(1, Ordering::SeqCst);
        let base = serve(plan.clone()).await;
        let p = ProviderEnricher::new(config(ProviderKind::OpenAi, KEY, &base)).unwrap();
        let mut v = records(3);
        let started = Instant::now();
        p.enrich(&mut v);
        assert!(
            started.elapsed() >= Duration::from_millis(950),
            "{:?}",
            started.elapsed()
        );
        assert!(methods(&v).iter().all(|m| m == "openai:gpt-4o-mini"));
        assert_eq!(plan.calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn rate_limited_past_the_policy_falls_back() {
        let plan = Shared::default();
        plan.limited.store(usize::MAX, Ordering::SeqCst);
        let base = serve(plan.clone()).await;
        let mut cfg = config(ProviderKind::OpenAi, KEY, &base);
        cfg.retry.max_retries = 0;
        let p = ProviderEnricher::new(cfg).unwrap();
        let mut v = records(2);
        p.enrich(&mut v);
        assert_eq!(methods(&v), vec!["lexicon-en", "lexicon-en"]);
        assert!(
            p.last_error().unwrap().contains("rate limited by openai"),
            "{:?}",
            p.last_error()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn budget_is_shared_by_pages_and_the_rest_is_lexicon() {
        let plan = Shared::default();
        let base = serve(plan.clone()).await;
        let p = ProviderEnricher::new(
            config(ProviderKind::Anthropic, KEY, &base).max_comments(Some(5)),
        )
        .unwrap();
        let mut page1 = records(4);
        let mut page2 = records(4);
        p.enrich(&mut page1);
        p.enrich(&mut page2);
        let m = "anthropic:claude-haiku-4-5";
        assert!(methods(&page1).iter().all(|x| x == m));
        assert_eq!(methods(&page2), vec![m, "lexicon-en", "none", "lexicon-en"]);
        assert_eq!(plan.sizes.lock().unwrap().iter().sum::<usize>(), 5);
        assert_eq!(p.stats().sent, 5);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn wrong_key_stops_the_provider_without_leaking_it() {
        let plan = Shared::default();
        let base = serve(plan.clone()).await;
        for kind in [
            ProviderKind::OpenAi,
            ProviderKind::Anthropic,
            ProviderKind::Google,
        ] {
            let p = ProviderEnricher::new(config(kind, WRONG, &base)).unwrap();
            let mut v = records(8);
            p.enrich(&mut v);
            let calls = plan.calls.load(Ordering::SeqCst);
            p.enrich(&mut records(8));
            assert_eq!(
                plan.calls.load(Ordering::SeqCst),
                calls,
                "{kind:?}: no request after a rejected key"
            );
            assert!(p.stopped());
            assert_eq!(
                methods(&v)[..3],
                ["lexicon-en", "lexicon-en", "none"],
                "{kind:?}"
            );
            let e = p.last_error().unwrap();
            assert!(
                e.contains(&format!("{} rejected the API key (HTTP", kind.as_str())),
                "{e}"
            );
            assert!(
                !e.contains(WRONG) && !e.contains("9876543210"),
                "key leaked: {e}"
            );
            assert!(!format!("{p:?}").contains(WRONG));
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn google_scores_documents_and_skips_unsupported_languages() {
        let plan = Shared::default();
        plan.malformed.store(1, Ordering::SeqCst);
        plan.limited.store(1, Ordering::SeqCst);
        let base = serve(plan.clone()).await;
        let p = ProviderEnricher::new(config(ProviderKind::Google, KEY, &base)).unwrap();
        let mut v = records(4);
        v.push({
            let mut c = Comment::new("youtube", Kind::Comment, "k", "v", "u");
            c.text = "tlhIngan Hol Dajatlh'a'? good".into();
            c
        });
        p.enrich(&mut v);
        assert_eq!(&methods(&v)[..4], ["google-nl"; 4]);
        assert_labels(&v[..4]);
        let neutral = v[2].sentiment.as_ref().unwrap();
        assert_eq!((neutral.label.as_ref(), neutral.score), ("neutral", 0.0));
        assert_eq!(
            methods(&v)[4],
            "lexicon-en",
            "400 for one document: that one falls back"
        );
        assert!(p.last_error().unwrap().contains("not supported"));
        assert!(!p.stopped());
    }

    #[test]
    fn enrich_works_outside_a_runtime() {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let plan = Shared::default();
        let base = rt.block_on(serve(plan.clone()));
        let p = ProviderEnricher::new(config(ProviderKind::OpenAi, KEY, &base)).unwrap();
        let mut v = records(4);
        p.enrich(&mut v);
        assert!(methods(&v).iter().all(|m| m == "openai:gpt-4o-mini"));
        // Existing judgements are kept; records without text are not sent.
        let mut w = records(2);
        w[0].sentiment = v[1].sentiment.clone();
        w[1].text = "  ".into();
        let before = plan.calls.load(Ordering::SeqCst);
        p.enrich(&mut w);
        assert_eq!(plan.calls.load(Ordering::SeqCst), before);
        assert!(w[1].sentiment.is_none());
    }
}
