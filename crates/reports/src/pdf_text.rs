//! The text of a PDF written by [`crate::to_pdf`], page by page, for the tests of every crate
//! that prints (feature `testkit`): printpdf shows glyph ids, two bytes each, which the font's
//! ToUnicode map turns back into letters. Each text object (BT … ET) ends a line.

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object};
use std::collections::HashMap;

/// Glyph ids to letters, of one font.
type ToUnicode = HashMap<u16, char>;

/// The text of each page.
pub fn pdf_pages(pdf: &[u8]) -> Result<Vec<String>, lopdf::Error> {
    let doc = Document::load_mem(pdf)?;
    let mut pages = Vec::new();
    for page in doc.get_pages().into_values() {
        let maps = fonts(&doc, page);
        let content = Content::decode(&doc.get_page_content(page)?)?;
        let mut text = String::new();
        let mut font: Option<&ToUnicode> = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    let name = op.operands.first().and_then(|o| o.as_name().ok());
                    font = name.and_then(|n| maps.get(n));
                }
                "Tj" | "TJ" => text.extend(shown(&op.operands).flat_map(|s| decode(s, font))),
                "ET" => text.push('\n'),
                _ => {}
            }
        }
        pages.push(text);
    }
    Ok(pages)
}

/// The title in the document's information dictionary, decoded from UTF-16BE (with its byte
/// order mark) or taken as Latin-1.
pub fn pdf_title(pdf: &[u8]) -> Result<String, lopdf::Error> {
    let doc = Document::load_mem(pdf)?;
    let info = doc.trailer.get(b"Info")?.as_reference()?;
    let title = doc.get_dictionary(info)?.get(b"Title")?.as_str()?;
    Ok(match title.strip_prefix(&[0xFE, 0xFF]) {
        Some(utf16) => {
            let units: Vec<u16> = utf16
                .chunks(2)
                .map(|pair| u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => title.iter().map(|b| char::from(*b)).collect(),
    })
}

/// The ToUnicode map of each font of the page's resources, by the font's name. printpdf writes
/// the resources and their font dictionary as references, which lopdf's `get_page_fonts`
/// does not follow.
fn fonts(doc: &Document, page: lopdf::ObjectId) -> HashMap<Vec<u8>, ToUnicode> {
    fn deref<'a>(doc: &'a Document, o: &'a Object) -> Option<&'a Dictionary> {
        match o {
            Object::Reference(id) => doc.get_dictionary(*id).ok(),
            other => other.as_dict().ok(),
        }
    }
    let deref = |o| deref(doc, o);
    let page = doc.get_dictionary(page).ok();
    let resources = page.and_then(|p| p.get(b"Resources").ok()).and_then(deref);
    let fonts = resources.and_then(|r| r.get(b"Font").ok()).and_then(deref);
    let entries = fonts.into_iter().flat_map(|f| f.iter());
    entries
        .filter_map(|(name, font)| Some((name.clone(), to_unicode(doc, deref(font)?))))
        .collect()
}

/// The strings an operator shows: its string operands, and those inside an array (TJ).
fn shown(operands: &[Object]) -> impl Iterator<Item = &[u8]> {
    operands.iter().flat_map(|o| match o {
        Object::String(bytes, _) => vec![bytes.as_slice()],
        Object::Array(items) => items
            .iter()
            .filter_map(|i| i.as_str().ok())
            .collect::<Vec<_>>(),
        _ => Vec::new(),
    })
}

fn decode<'a>(bytes: &'a [u8], font: Option<&'a ToUnicode>) -> impl Iterator<Item = char> + 'a {
    bytes.chunks(2).map(move |pair| {
        let id = u16::from_be_bytes([pair[0], *pair.get(1).unwrap_or(&0)]);
        font.and_then(|f| f.get(&id).copied())
            .unwrap_or(char::REPLACEMENT_CHARACTER)
    })
}

/// The font's ToUnicode map: the `<glyph> <letter>` pairs of its bfchar blocks.
fn to_unicode(doc: &Document, font: &Dictionary) -> ToUnicode {
    let stream = font
        .get(b"ToUnicode")
        .and_then(Object::as_reference)
        .and_then(|id| doc.get_object(id))
        .and_then(Object::as_stream);
    let Ok(stream) = stream else {
        return ToUnicode::new();
    };
    let bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let hex = |s: &str| u32::from_str_radix(s.trim_matches(['<', '>']), 16).ok();
    let mut map = ToUnicode::new();
    let mut inside = false;
    for line in String::from_utf8_lossy(&bytes).lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            [_, "beginbfchar"] => inside = true,
            ["endbfchar"] => inside = false,
            [glyph, letter] if inside => {
                let pair = hex(glyph).zip(hex(letter).and_then(char::from_u32));
                if let Some((glyph, letter)) = pair {
                    map.insert(glyph as u16, letter);
                }
            }
            _ => {}
        }
    }
    map
}

/// The headings of the table (the columns' and the groups' over them) that its PDF does not
/// show whole. A heading may wrap inside its cell, so spaces are not compared.
pub fn missing_headings(table: &crate::Table) -> Result<Vec<String>, String> {
    let pdf = crate::to_pdf(table).map_err(|e| e.to_string())?;
    let pages = pdf_pages(&pdf).map_err(|e| e.to_string())?;
    let text = squeezed(&pages.concat());
    let missing = table.heading().into_iter().map(|cell| cell.text);
    Ok(missing.filter(|h| !text.contains(&squeezed(h))).collect())
}

/// The text without spaces of any kind.
pub fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
