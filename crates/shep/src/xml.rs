//! Just enough XML for SOAP: a namespace-resolved element tree read with `quick-xml`, and
//! escaping for the envelopes we write.

use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

pub use quick_xml::escape::escape;

/// An element with its namespace, local name, attributes (by local name), children and the
/// text directly inside it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    pub namespace: String,
    pub name: String,
    pub attributes: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
}

#[derive(Debug, thiserror::Error)]
#[error("XML: {0}")]
pub struct XmlError(pub String);

impl Element {
    /// The first child with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The descendant reached by these local names, one level each.
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter()
            .try_fold(self, |element, name| element.child(name))
    }

    /// The trimmed text of the descendant at `path`.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path).map(|e| e.text.trim())
    }

    pub fn attribute(&self, name: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The deepest nesting read. A SOAP answer nests about ten elements. Far deeper, quick-xml's
/// nesting counter overflows (at 65 536), and the tree would be freed (compared, cloned) by
/// recursion deep enough to overflow a thread's stack, which aborts rather than refuses.
pub const MAX_DEPTH: usize = 128;

/// Reads a whole document into its root element.
pub fn parse(xml: &str) -> Result<Element, XmlError> {
    let mut reader = NsReader::from_str(xml);
    let mut open: Vec<Element> = Vec::new();
    let mut root = None;
    loop {
        let (namespace, event) = reader.read_resolved_event().map_err(fail)?;
        let namespace = namespace_text(&namespace);
        match event {
            Event::Start(start) => {
                if open.len() >= MAX_DEPTH {
                    return Err(XmlError(format!("elements nested deeper than {MAX_DEPTH}")));
                }
                open.push(element(namespace, &start, reader.decoder())?)
            }
            Event::Empty(start) => close(
                &mut open,
                &mut root,
                element(namespace, &start, reader.decoder())?,
            ),
            Event::End(_) => {
                let element = open
                    .pop()
                    .ok_or_else(|| XmlError("unbalanced end tag".into()))?;
                close(&mut open, &mut root, element);
            }
            Event::Text(text) => append(&mut open, &text.xml_content().map_err(fail)?),
            Event::CData(data) => append(&mut open, &data.xml_content().map_err(fail)?),
            Event::GeneralRef(reference) => {
                let name = reference.decode().map_err(fail)?;
                let reference = format!("&{name};");
                let resolved = quick_xml::escape::unescape(&reference).map_err(fail)?;
                append(&mut open, &resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if !open.is_empty() {
        return Err(XmlError(format!(
            "<{}> is not closed",
            open[open.len() - 1].name
        )));
    }
    root.ok_or_else(|| XmlError("no root element".into()))
}

fn fail(e: impl std::fmt::Display) -> XmlError {
    XmlError(e.to_string())
}

fn namespace_text(resolved: &ResolveResult) -> String {
    match resolved {
        ResolveResult::Bound(ns) => String::from_utf8_lossy(ns.as_ref()).into_owned(),
        _ => String::new(),
    }
}

fn element(namespace: String, start: &BytesStart, decoder: Decoder) -> Result<Element, XmlError> {
    let mut attributes = Vec::new();
    for attribute in start.attributes() {
        let attribute = attribute.map_err(fail)?;
        let name = String::from_utf8_lossy(attribute.key.local_name().as_ref()).into_owned();
        let value = attribute
            .decode_and_unescape_value(decoder)
            .map_err(fail)?
            .into_owned();
        attributes.push((name, value));
    }
    Ok(Element {
        namespace,
        name: String::from_utf8_lossy(start.local_name().as_ref()).into_owned(),
        attributes,
        children: Vec::new(),
        text: String::new(),
    })
}

fn close(open: &mut [Element], root: &mut Option<Element>, element: Element) {
    match open.last_mut() {
        Some(parent) => parent.children.push(element),
        None => *root = Some(element),
    }
}

fn append(open: &mut [Element], text: &str) {
    if let Some(current) = open.last_mut() {
        current.text.push_str(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_namespaces_entities_and_nesting() {
        let root = parse(
            r#"<?xml version="1.0"?><s:E xmlns:s="urn:s"><s:B><r a="1 &amp; 2"><m>A &amp; B &#1178;</m><e/></r></s:B></s:E>"#,
        )
        .unwrap();
        assert_eq!(root.namespace, "urn:s");
        assert_eq!(root.name, "E");
        let r = root.at(&["B", "r"]).unwrap();
        assert_eq!(r.namespace, "");
        assert_eq!(r.attribute("a"), Some("1 & 2"));
        assert_eq!(root.text_at(&["B", "r", "m"]), Some("A & B Қ"));
        assert!(r.child("e").is_some());
    }

    #[test]
    fn refuses_broken_documents() {
        assert!(parse("<a><b></a>").is_err());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
    }

    /// Found while writing the fuzz target `shep_xml`: 65 536 nested elements overflow
    /// quick-xml's nesting counter (a panic in a debug build), and a tree that deep is freed by
    /// recursion as deep, which can overflow a thread's stack (an abort, not an error).
    #[test]
    fn refuses_nesting_too_deep_to_free() {
        let depth = 200_000;
        let xml = "<a>".repeat(depth) + &"</a>".repeat(depth);
        let error = parse(&xml).expect_err("too deep");
        assert!(error.0.contains("nested deeper than 128"), "{error}");
        let deepest = "<a>".repeat(MAX_DEPTH) + &"</a>".repeat(MAX_DEPTH);
        assert!(parse(&deepest).is_ok());
    }
}
