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
    /// Larger than any photo of a code needs: decoding it would cost seconds and gigabytes.
    #[error("the picture is {width}×{height}, more than {MAX_SIDE}×{MAX_SIDE}")]
    TooLarge { width: u32, height: u32 },
}

/// The largest side of a picture that is decoded. A phone's screenshot of the E-Qyzmet profile
/// is under 3000 pixels a side.
pub const MAX_SIDE: u32 = 4000;

/// A reader of the picture's format.
fn picture_reader(bytes: &[u8]) -> Result<image::ImageReader<std::io::Cursor<&[u8]>>, QrError> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| QrError::NotAPicture(e.to_string()))
}

/// The text of the first QR code in a PNG or JPEG picture. The dimensions are read from the
/// header first: a picture over [`MAX_SIDE`] is refused before anything is decoded.
pub fn decode_qr(bytes: &[u8]) -> Result<String, QrError> {
    check_png_palette(bytes)?;
    let mut reader = picture_reader(bytes)?;
    reader.no_limits();
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| QrError::NotAPicture(e.to_string()))?;
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(QrError::TooLarge { width, height });
    }
    // The decoder is held to the limit too, should a format's header and data disagree.
    let mut reader = picture_reader(bytes)?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    reader.limits(limits);
    let picture = reader
        .decode()
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

    /// A PNG that claims `width`×`height` in its header, with no pixels after it.
    fn png_header(width: u32, height: u32) -> Vec<u8> {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut crc = !0_u32;
            for byte in bytes {
                crc ^= u32::from(*byte);
                for _ in 0..8 {
                    crc = if crc & 1 == 1 {
                        (crc >> 1) ^ 0xEDB8_8320
                    } else {
                        crc >> 1
                    };
                }
            }
            !crc
        }
        let mut chunk = b"IHDR".to_vec();
        chunk.extend(width.to_be_bytes());
        chunk.extend(height.to_be_bytes());
        chunk.extend([8, 0, 0, 0, 0]); // 8-bit greyscale, deflate, no filter, no interlace
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(13_u32.to_be_bytes());
        png.extend(&chunk);
        png.extend(crc32(&chunk).to_be_bytes());
        // An empty data chunk: the header is complete, the pixels never come.
        png.extend(0_u32.to_be_bytes());
        png.extend(b"IDAT");
        png.extend(crc32(b"IDAT").to_be_bytes());
        png
    }

    /// Issue 19: a 20000×20000 picture is refused from its header, before any decoding.
    #[test]
    fn a_picture_over_the_limit_is_refused_from_its_header() {
        assert_eq!(
            decode_qr(&png_header(20_000, 20_000)),
            Err(QrError::TooLarge {
                width: 20_000,
                height: 20_000
            })
        );
        assert_eq!(
            decode_qr(&png_header(MAX_SIDE + 1, 10)),
            Err(QrError::TooLarge {
                width: MAX_SIDE + 1,
                height: 10
            })
        );
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
