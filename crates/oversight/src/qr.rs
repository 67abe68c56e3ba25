//! The E-Qyzmet QR code of an employee (OV-1): the body uploads the picture the employee's
//! E-Qyzmet profile shows (PNG or JPEG); the system reads the code from it and keeps the text.

/// Why a picture gave no code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QrError {
    #[error("the file is not a PNG or JPEG picture: {0}")]
    NotAPicture(String),
    #[error("no QR code was found in the picture")]
    NoCode,
    #[error("the QR code cannot be read: {0}")]
    Unreadable(String),
}

/// The text of the first QR code in a PNG or JPEG picture.
pub fn decode_qr(bytes: &[u8]) -> Result<String, QrError> {
    check_png_palette(bytes)?;
    let picture = image::load_from_memory(bytes)
        .map_err(|e| QrError::NotAPicture(e.to_string()))?
        .to_luma8();
    let (width, height) = picture.dimensions();
    let mut prepared =
        rqrr::PreparedImage::prepare_from_greyscale(width as usize, height as usize, |x, y| {
            picture.get_pixel(x as u32, y as u32).0[0]
        });
    let grid = prepared
        .detect_grids()
        .into_iter()
        .next()
        .ok_or(QrError::NoCode)?;
    let (_, text) = grid
        .decode()
        .map_err(|e| QrError::Unreadable(e.to_string()))?;
    let text = text.trim().to_string();
    if text.is_empty() {
        return Err(QrError::NoCode);
    }
    Ok(text)
}

/// png 0.18.1 panics on a palette (PLTE chunk) whose length is not a multiple of three
/// (image-rs/image-png#694, fixed upstream but not released): such a picture is refused before
/// it is decoded. Found by the fuzz target `qr`.
fn check_png_palette(bytes: &[u8]) -> Result<(), QrError> {
    const SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";
    let Some(mut rest) = bytes.strip_prefix(SIGNATURE) else {
        return Ok(());
    };
    while rest.len() >= 8 {
        let length = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        if &rest[4..8] == b"PLTE" && !length.is_multiple_of(3) {
            return Err(QrError::NotAPicture(format!(
                "a palette of {length} bytes is not a whole number of colours"
            )));
        }
        // The length, the type, the data and the CRC.
        match length.checked_add(12).and_then(|end| rest.get(end..)) {
            Some(next) => rest = next,
            None => break,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A PNG of a QR code, four pixels a module with a quiet zone.
    pub fn qr_png(text: &str) -> Vec<u8> {
        let code = qrcode::QrCode::new(text.as_bytes()).expect("code");
        let width = code.width();
        let colors = code.to_colors();
        let scale = 4;
        let quiet = 4 * scale;
        let side = (width * scale + 2 * quiet) as u32;
        let mut picture = image::GrayImage::from_pixel(side, side, image::Luma([255]));
        for (i, color) in colors.iter().enumerate() {
            if *color == qrcode::Color::Dark {
                let (x, y) = (i % width, i / width);
                for dx in 0..scale {
                    for dy in 0..scale {
                        let px = (quiet + x * scale + dx) as u32;
                        let py = (quiet + y * scale + dy) as u32;
                        picture.put_pixel(px, py, image::Luma([0]));
                    }
                }
            }
        }
        let mut png = Vec::new();
        picture
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        png
    }

    #[test]
    fn the_code_is_read_from_the_picture() {
        let text = "https://qyzmet.gov.kz/verify/850101300005-4F2A";
        assert_eq!(decode_qr(&qr_png(text)), Ok(text.to_string()));
    }

    #[test]
    fn a_picture_without_a_code_and_a_broken_file_are_refused() {
        let mut png = Vec::new();
        image::GrayImage::from_pixel(64, 64, image::Luma([255]))
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .expect("png");
        assert_eq!(decode_qr(&png), Err(QrError::NoCode));
        assert!(matches!(
            decode_qr(b"not a picture"),
            Err(QrError::NotAPicture(_))
        ));
    }

    /// Found by the fuzz target `qr` (its input kept as
    /// `fuzz/corpus/qr/regression-palette-length.png`): a palette of 41 bytes (13 colours and
    /// two bytes) panicked in the png crate instead of being refused.
    #[test]
    fn a_palette_of_a_broken_length_is_refused_not_a_panic() {
        let picture = include_bytes!("../../../fuzz/corpus/qr/regression-palette-length.png");
        assert!(matches!(decode_qr(picture), Err(QrError::NotAPicture(_))));
    }
}
