//! The kit's client against its fake server: retries and their limits, timeouts, Retry-After,
//! credentials, the journal of every attempt, and the file import standing for the remote.

use jospar_adapter::testkit::{FakeServer, Fault, Scripted};
use jospar_adapter::{
    AdapterConfig, AdapterError, Call, Credentials, Direction, HttpClient, MemoryJournal, Secret,
    Source,
};
use std::sync::Arc;
use std::time::{Duration, Instant};

fn config(url: &str) -> AdapterConfig {
    AdapterConfig::new(url)
        .timeout(Duration::from_secs(5))
        .retries(3)
        .backoff(Duration::from_millis(10), Duration::from_secs(2))
}

fn kit(config: AdapterConfig) -> (HttpClient, MemoryJournal) {
    let journal = MemoryJournal::new();
    let client = HttpClient::with_journal("fake", config, Arc::new(journal.clone()));
    (client, journal)
}

fn ok() -> Scripted {
    Scripted::new(200, "done")
}

#[tokio::test]
async fn a_call_is_tried_again_after_503s_and_succeeds() {
    let fake = FakeServer::scripted([ok()]).await.unwrap();
    fake.fail_next(2, 503);
    let (client, journal) = kit(config(&fake.url()));
    let answer = client.send(Call::get("read", "/data?x=1")).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (200, 3));
    assert_eq!(answer.text(), "done");
    assert_eq!(fake.received().len(), 3);
    assert!(fake.received().iter().all(|r| r.path == "/data?x=1"));
    let records = journal.records();
    let attempts: Vec<_> = records.iter().map(|r| (r.attempt, r.status)).collect();
    assert_eq!(attempts, [(1, Some(503)), (2, Some(503)), (3, Some(200))]);
    assert_eq!(
        records[0].error(),
        Some("HTTP 503: Service Unavailable"),
        "{records:?}"
    );
    assert!(records[2].is_ok());
    assert_eq!(records[2].bytes_received, 4);
    assert!(records.iter().all(|r| r.system == "fake"
        && r.operation == "read"
        && r.direction == Direction::Outbound));
}

#[tokio::test]
async fn a_400_is_an_answer_and_never_retried() {
    let fake = FakeServer::scripted([Scripted::new(400, "bad"), ok()])
        .await
        .unwrap();
    let (client, journal) = kit(config(&fake.url()));
    let answer = client.send(Call::get("read", "")).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (400, 1));
    assert_eq!(fake.received().len(), 1);
    assert_eq!(journal.records()[0].error(), Some("HTTP 400: bad"));
}

#[tokio::test]
async fn the_retries_stop_at_the_configured_number() {
    let fake = FakeServer::scripted([ok()]).await.unwrap();
    fake.fail_next(5, 502);
    let (client, journal) = kit(config(&fake.url()).retries(2));
    let answer = client.send(Call::get("read", "")).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (502, 3));
    assert_eq!(journal.records().len(), 3);
}

#[tokio::test]
async fn a_post_is_sent_again_only_when_marked_retry_safe() {
    let fake = FakeServer::scripted([ok(), ok()]).await.unwrap();
    let (client, _) = kit(config(&fake.url()));
    let post = || Call::post("upload", "/docs", "text/plain", b"doc".to_vec());
    fake.fail_next(1, 503);
    let answer = client.send(post()).await.unwrap();
    assert_eq!(
        (answer.status, answer.attempts),
        (503, 1),
        "may have been done"
    );
    fake.fail_next(1, 503);
    let answer = client.send(post().retry_safe()).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (200, 2));
    // 429 says the request was not processed: any call comes again.
    fake.fail_next(1, 429);
    let answer = client.send(post()).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (200, 2));
    assert_eq!(fake.received()[1].text(), "doc");
}

#[tokio::test]
async fn a_500_can_be_an_answer() {
    let fake = FakeServer::scripted([Scripted::new(500, "<Fault/>"), ok()])
        .await
        .unwrap();
    let (client, _) = kit(config(&fake.url()));
    let call = Call::post("SendMessage", "", "text/xml", Vec::new()).retry_safe();
    let answer = client.send(call.answer_500()).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (500, 1));
}

#[tokio::test]
async fn a_slow_system_times_out_with_a_clear_error_after_every_attempt() {
    let fake = FakeServer::scripted([ok(), ok(), ok()]).await.unwrap();
    for _ in 0..3 {
        fake.inject(Fault::Delay(Duration::from_millis(1500)));
    }
    let (client, journal) = kit(config(&fake.url())
        .timeout(Duration::from_millis(200))
        .retries(2));
    let error = client.send(Call::get("read", "/slow")).await.unwrap_err();
    assert!(
        matches!(
            &error,
            AdapterError::Timeout {
                attempts: 3,
                timeout_ms: 200,
                ..
            }
        ),
        "{error:?}"
    );
    assert!(error.is_unreachable());
    let message = error.to_string();
    assert!(
        message.contains("did not answer") && message.contains("3 attempt"),
        "{message}"
    );
    let records = journal.records();
    assert_eq!(records.len(), 3);
    assert!(records.iter().all(|r| r.status.is_none() && !r.is_ok()));
}

#[tokio::test]
async fn retry_after_is_waited_for_unless_longer_than_the_cap() {
    let fake = FakeServer::scripted([ok(), ok()]).await.unwrap();
    fake.inject(Fault::Status {
        status: 503,
        retry_after: Some(1),
    });
    let (client, _) = kit(config(&fake.url()));
    let started = Instant::now();
    let answer = client.send(Call::get("read", "")).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (200, 2));
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    fake.inject(Fault::Status {
        status: 429,
        retry_after: Some(60),
    });
    let started = Instant::now();
    let answer = client.send(Call::get("read", "")).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (429, 1), "not waited for");
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test]
async fn a_dropped_connection_is_retried_only_when_safe() {
    let fake = FakeServer::scripted([ok()]).await.unwrap();
    let (client, journal) = kit(config(&fake.url()));
    fake.inject(Fault::Drop);
    let post = Call::post("upload", "", "text/plain", b"x".to_vec());
    let error = client.send(post.clone()).await.unwrap_err();
    assert!(
        matches!(&error, AdapterError::Unreachable { attempts: 1, .. }),
        "{error:?}"
    );
    fake.inject(Fault::Drop);
    let answer = client.send(post.retry_safe()).await.unwrap();
    assert_eq!((answer.status, answer.attempts), (200, 2));
    assert_eq!(journal.records().len(), 3);
}

#[tokio::test]
async fn a_closed_port_is_tried_again_even_for_a_post() {
    // Bound and released: nothing listens there now.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (client, journal) = kit(config(&format!("http://127.0.0.1:{port}")).retries(1));
    let error = client
        .send(Call::post("upload", "", "text/plain", Vec::new()))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AdapterError::Unreachable { attempts: 2, .. }),
        "{error:?}"
    );
    assert_eq!(journal.records().len(), 2);
}

#[tokio::test]
async fn credentials_come_from_the_configuration_and_stay_out_of_the_journal() {
    let fake = FakeServer::scripted([ok(), ok()]).await.unwrap();
    let (bearer, _) = kit(config(&fake.url()).bearer("s3cret"));
    bearer.send(Call::get("read", "")).await.unwrap();
    let basic = config(&fake.url()).credentials(Credentials::Basic {
        user: "jospar".into(),
        password: Secret::new("pw"),
    });
    let (basic, journal) = kit(basic);
    basic.send(Call::get("read", "/q?apiKey=k1")).await.unwrap();
    let received = fake.received();
    assert_eq!(received[0].header("authorization"), Some("Bearer s3cret"));
    assert_eq!(
        received[1].header("authorization"),
        Some("Basic am9zcGFyOnB3")
    );
    assert!(journal.records()[0].url.ends_with("/q?apiKey=***"));
    assert_eq!(format!("{:?}", Secret::new("pw")), "***");
}

#[tokio::test]
async fn a_file_stands_for_the_remote_with_the_same_bytes() {
    let body = "id;code;name\n1;01;Доходы\n";
    let fake = FakeServer::scripted([Scripted::new(200, body)])
        .await
        .unwrap();
    let (client, journal) = kit(config(&fake.url()));
    let file = std::env::temp_dir().join(format!("jospar-adapter-{}.csv", std::process::id()));
    std::fs::write(&file, body).unwrap();
    let remote = client
        .fetch(Call::get("report", "/report"), &Source::Remote)
        .await
        .unwrap();
    let from_file = client
        .fetch(Call::get("report", "/report"), &Source::File(file.clone()))
        .await
        .unwrap();
    assert_eq!(remote.bytes, from_file.bytes);
    assert!(from_file.from_file() && !remote.from_file());
    // Unreachable: the file is read instead.
    let (down, _) = kit(config("http://127.0.0.1:9").retries(0));
    let fallback = down
        .fetch(
            Call::get("report", "/report"),
            &Source::RemoteOrFile(file.clone()),
        )
        .await
        .unwrap();
    assert_eq!(fallback.bytes, remote.bytes);
    let inbound = journal.records().pop().unwrap();
    assert_eq!(inbound.direction, Direction::Inbound);
    assert!(inbound.url.starts_with("file://"));
    let missing = client
        .fetch(
            Call::get("report", ""),
            &Source::File("/nonexistent/report.csv".into()),
        )
        .await;
    assert!(matches!(missing, Err(AdapterError::File { .. })));
    std::fs::remove_file(file).ok();
}
