//! Uploads of Treasury forms are spooled to an unnamed file on disk as they arrive, so that a
//! form of any size is never held in memory ("import … whatever the file size"); the
//! import then streams it from there.

use crate::error::{AppError, AppResult};
use std::io::{Seek, SeekFrom};
use tokio::io::AsyncWriteExt;

/// The largest Treasury form taken over HTTP: far above any real one (a 500,000-row 5-52 is
/// 33 MB), low enough that an upload cannot fill the disk.
pub const FORM_UPLOAD_LIMIT: usize = 1 << 30;

/// A file being written with an upload's bytes.
pub struct Spool {
    file: tokio::fs::File,
}

impl Spool {
    /// A new file in the temporary directory, removed from it at once: the open handle keeps
    /// its bytes, and the system frees them when the handle is closed, whatever happens.
    pub async fn new() -> AppResult<Spool> {
        let path = std::env::temp_dir().join(format!(
            "jospar-upload-{}-{}",
            std::process::id(),
            jospar_core::ids::new_id()
        ));
        let file = tokio::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&path)
            .await
            .map_err(io)?;
        tokio::fs::remove_file(&path).await.map_err(io)?;
        Ok(Spool { file })
    }

    pub async fn write(&mut self, bytes: &[u8]) -> AppResult<()> {
        self.file.write_all(bytes).await.map_err(io)
    }

    /// The whole upload, to be read from its start.
    pub async fn into_file(mut self) -> AppResult<std::fs::File> {
        self.file.flush().await.map_err(io)?;
        let mut file = self.file.into_std().await;
        file.seek(SeekFrom::Start(0)).map_err(io)?;
        Ok(file)
    }
}

/// A request body spooled chunk by chunk; a body broken off is refused as an unreadable file.
pub async fn spool_body(body: axum::body::Body) -> AppResult<std::fs::File> {
    use http_body_util::BodyExt;
    let mut body = http_body_util::Limited::new(body, FORM_UPLOAD_LIMIT);
    let mut spool = Spool::new().await?;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| AppError::invalid("err-import-upload", "file"))?;
        if let Ok(data) = frame.into_data() {
            spool.write(&data).await?;
        }
    }
    spool.into_file().await
}

fn io(e: std::io::Error) -> AppError {
    AppError::Internal(format!("spooling an upload: {e}"))
}
