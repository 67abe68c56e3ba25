//! E-mail of notices through an SMTP relay (issue 20), when one is configured. The notices are
//! written with the change; [`deliver_pending`] sends, after the commit, those not yet mailed to
//! users with an address, and marks each sent one, so a relay that is down delays mail and
//! loses none. The client speaks plain SMTP (RFC 5321) with optional AUTH PLAIN: a state body
//! sends through its own relay on its network, which does the TLS to the outside.

use base64::Engine as _;
use jospar_store::{Db, StoreError, exec_db, on_db};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// Where mail goes out, from the configuration (`smtp_relay`, `smtp_from`, …).
#[derive(Debug, Clone)]
pub struct SmtpSettings {
    /// HOST:PORT of the relay.
    pub relay: String,
    /// The sender address, e.g. `jospar@mangystau.gov.kz`.
    pub from: String,
    /// Login and password for AUTH PLAIN, when the relay asks for them.
    pub credentials: Option<(String, String)>,
}

#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("SMTP relay {relay}: {detail}")]
    Relay { relay: String, detail: String },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One message: to whom, the subject and the text.
#[derive(Debug, Clone)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Sends one message through the relay.
pub async fn send(settings: &SmtpSettings, mail: &Mail) -> Result<(), MailError> {
    let fail = |detail: String| MailError::Relay {
        relay: settings.relay.clone(),
        detail,
    };
    let talk = async {
        let stream = TcpStream::connect(&settings.relay)
            .await
            .map_err(|e| fail(e.to_string()))?;
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        expect(&mut read, "220").await.map_err(fail)?;
        let mut say = async |line: String, code: &str| -> Result<(), MailError> {
            write
                .write_all(format!("{line}\r\n").as_bytes())
                .await
                .map_err(|e| fail(e.to_string()))?;
            expect(&mut read, code).await.map_err(fail)
        };
        say("EHLO jospar".into(), "250").await?;
        if let Some((login, password)) = &settings.credentials {
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("\0{login}\0{password}"));
            say(format!("AUTH PLAIN {token}"), "235").await?;
        }
        say(format!("MAIL FROM:<{}>", settings.from), "250").await?;
        say(format!("RCPT TO:<{}>", mail.to), "250").await?;
        say("DATA".into(), "354").await?;
        say(format!("{}\r\n.", message(settings, mail)), "250").await?;
        say("QUIT".into(), "221").await
    };
    tokio::time::timeout(Duration::from_secs(30), talk)
        .await
        .map_err(|_| fail("no answer in 30 s".into()))?
}

/// Reads a (possibly multi-line) reply and checks its code.
async fn expect<R: tokio::io::AsyncBufRead + Unpin>(
    read: &mut R,
    code: &str,
) -> Result<(), String> {
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await.map_err(|e| e.to_string())? == 0 {
            return Err("the relay closed the connection".into());
        }
        if !line.starts_with(code) {
            return Err(format!("expected {code}, got {}", line.trim_end()));
        }
        // "250-…" continues, "250 …" ends the reply.
        if line.as_bytes().get(3) != Some(&b'-') {
            return Ok(());
        }
    }
}

/// The message in RFC 5322 form: UTF-8 subject and text, base64 so that any relay carries them.
fn message(settings: &SmtpSettings, mail: &Mail) -> String {
    let b64 = |text: &str| base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    let body = b64(&mail.body)
        .as_bytes()
        .chunks(76)
        .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
        .collect::<Vec<_>>()
        .join("\r\n");
    format!(
        "From: <{from}>\r\nTo: <{to}>\r\nSubject: =?UTF-8?B?{subject}?=\r\nDate: {date}\r\n\
         MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n{body}",
        from = settings.from,
        to = mail.to,
        subject = b64(&mail.subject),
        date = chrono::Utc::now().to_rfc2822(),
    )
}

/// Mails the notices not mailed yet to users with an address, in the user's language with the
/// link made absolute by `base_url`. Returns how many went out; stops at the first failure of
/// the relay (the rest wait for the next round).
pub async fn deliver_pending(
    db: &Db,
    settings: &SmtpSettings,
    base_url: &str,
) -> Result<usize, MailError> {
    type Row = (i64, String, String, String, String, Option<String>);
    let rows: Vec<Row> = on_db!(db, pool => sqlx::query_as(
        "SELECT n.id, u.email, n.text_ru, n.text_kk, n.link, u.lang FROM notifications n \
         JOIN users u ON u.id = n.user_id WHERE n.mailed_at IS NULL AND u.email <> '' \
         ORDER BY n.created_at LIMIT 100")
        .fetch_all(pool).await)
    .map_err(StoreError::from)?;
    let mut sent = 0;
    for (id, email, text_ru, text_kk, link, lang) in rows {
        let kazakh = lang.as_deref() == Some("kk");
        let text = if kazakh { text_kk } else { text_ru };
        let subject = if kazakh {
            "Jospar: хабарлама"
        } else {
            "Jospar: уведомление"
        };
        let mail = Mail {
            to: email,
            subject: subject.into(),
            body: format!("{text}\r\n\r\n{}{link}\r\n", base_url.trim_end_matches('/')),
        };
        send(settings, &mail).await?;
        exec_db!(db, pool => sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2")
            .bind(chrono::Utc::now()).bind(id).execute(pool).await)
        .map_err(StoreError::from)?;
        sent += 1;
    }
    // Notices of users without an address are never mailed: marked so they are not read again.
    exec_db!(db, pool => sqlx::query(
        "UPDATE notifications SET mailed_at = created_at WHERE mailed_at IS NULL \
         AND user_id IN (SELECT id FROM users WHERE email = '')")
        .execute(pool).await)
    .map_err(StoreError::from)?;
    Ok(sent)
}

/// Runs [`deliver_pending`] every `every`, for as long as the server runs.
pub fn spawn_mailer(db: Db, settings: SmtpSettings, base_url: String, every: Duration) {
    tokio::spawn(async move {
        loop {
            match deliver_pending(&db, &settings, &base_url).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("mailed {n} notices"),
                Err(e) => tracing::warn!("mailing notices: {e}"),
            }
            tokio::time::sleep(every).await;
        }
    });
}

/// A fake SMTP relay on 127.0.0.1 for tests: accepts every message and keeps what it got.
pub mod testkit {
    use std::sync::{Arc, Mutex};
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    use tokio::net::TcpListener;

    /// A message as the relay got it: the envelope recipient and the raw DATA.
    #[derive(Debug, Clone)]
    pub struct Received {
        pub to: String,
        pub data: String,
    }

    pub struct FakeRelay {
        pub addr: String,
        pub received: Arc<Mutex<Vec<Received>>>,
    }

    impl FakeRelay {
        pub async fn spawn() -> std::io::Result<FakeRelay> {
            let listener = TcpListener::bind("127.0.0.1:0").await?;
            let addr = listener.local_addr()?.to_string();
            let received = Arc::new(Mutex::new(Vec::new()));
            let kept = received.clone();
            tokio::spawn(async move {
                while let Ok((stream, _)) = listener.accept().await {
                    let kept = kept.clone();
                    tokio::spawn(async move {
                        let _ = serve(stream, kept).await;
                    });
                }
            });
            Ok(FakeRelay { addr, received })
        }

        pub fn received(&self) -> Vec<Received> {
            self.received.lock().map(|r| r.clone()).unwrap_or_default()
        }
    }

    async fn serve(
        stream: tokio::net::TcpStream,
        kept: Arc<Mutex<Vec<Received>>>,
    ) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut read = BufReader::new(read);
        write.write_all(b"220 fake relay\r\n").await?;
        let mut to = String::new();
        loop {
            let mut line = String::new();
            if read.read_line(&mut line).await? == 0 {
                return Ok(());
            }
            let command = line.trim_end().to_string();
            let upper = command.to_ascii_uppercase();
            let answer = if upper.starts_with("EHLO") {
                "250-fake\r\n250 AUTH PLAIN\r\n".to_string()
            } else if upper.starts_with("AUTH") {
                "235 ok\r\n".into()
            } else if let Some(rcpt) = upper.strip_prefix("RCPT TO:") {
                to = command[command.len() - rcpt.len()..]
                    .trim_matches(['<', '>'])
                    .to_string();
                "250 ok\r\n".into()
            } else if upper == "DATA" {
                write.write_all(b"354 go on\r\n").await?;
                let mut data = String::new();
                loop {
                    let mut part = String::new();
                    if read.read_line(&mut part).await? == 0 {
                        return Ok(());
                    }
                    if part.trim_end() == "." {
                        break;
                    }
                    data.push_str(&part);
                }
                if let Ok(mut list) = kept.lock() {
                    list.push(Received {
                        to: to.clone(),
                        data,
                    });
                }
                "250 queued\r\n".into()
            } else if upper == "QUIT" {
                write.write_all(b"221 bye\r\n").await?;
                return Ok(());
            } else {
                "250 ok\r\n".into()
            };
            write.write_all(answer.as_bytes()).await?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_message_reaches_the_relay_with_its_utf8_text() {
        let relay = testkit::FakeRelay::spawn().await.expect("relay");
        let settings = SmtpSettings {
            relay: relay.addr.clone(),
            from: "jospar@example.kz".into(),
            credentials: Some(("jospar".into(), "secret".into())),
        };
        let mail = Mail {
            to: "economist@example.kz".into(),
            subject: "Jospar: уведомление".into(),
            body: "Заявка БЗ-2027-0001 возвращена: уточните штат".into(),
        };
        send(&settings, &mail).await.expect("sent");
        let got = relay.received();
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].to, "economist@example.kz");
        let body = got[0].data.split("\r\n\r\n").nth(1).expect("body");
        let text = base64::engine::general_purpose::STANDARD
            .decode(body.replace("\r\n", "").trim())
            .expect("base64");
        assert_eq!(String::from_utf8(text).expect("utf-8"), mail.body);
    }

    #[tokio::test]
    async fn a_relay_that_is_down_is_named() {
        let settings = SmtpSettings {
            relay: "127.0.0.1:1".into(),
            from: "jospar@example.kz".into(),
            credentials: None,
        };
        let mail = Mail {
            to: "a@example.kz".into(),
            subject: "s".into(),
            body: "b".into(),
        };
        let error = send(&settings, &mail).await.expect_err("refused");
        assert!(error.to_string().contains("127.0.0.1:1"), "{error}");
    }
}
