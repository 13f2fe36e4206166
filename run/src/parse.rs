//! Output parsers for `[output] format`: `json`, `jsonl`, `csv`, `xml`, `text`.
//!
//! Shapes (what `[output.schema]` describes):
//! - `json`: the document, any JSON value.
//! - `jsonl`: an array, one element per non-blank line.
//! - `csv`: an array of objects keyed by the header row. A cell that is a canonical
//!   integer (`42`, `-7`; not `007` or `+1`) becomes a JSON number, `true`/`false` a
//!   boolean, anything else stays a string: no text is ever changed. The delimiter is
//!   a tab when the header line has one, else `|` when it has one and no comma, else a
//!   comma.
//! - `xml`: `{"<root>": element}` where an element is an object with `"@name"` per
//!   attribute, `"#text"` for its trimmed text (when not empty), and one key per
//!   child element name (an array when the name repeats). A DTD is refused unless it is
//!   a bare `<!DOCTYPE name>` (nmap writes one): no internal subset, no entities.
//! - `text`: `{"raw_output": "<stdout>"}` (invalid UTF-8 replaced by U+FFFD).

use cladgen_core::model::OutputFormat;
use serde_json::{Map, Value};

/// Most XML nodes a document may have (roxmltree's own default is `u32::MAX`).
const XML_NODES_LIMIT: u32 = 10_000_000;

/// Why output did not parse; the message names the format and the place.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{format} output does not parse: {message}")]
pub struct ParseError {
    /// The format.
    pub format: &'static str,
    /// What is wrong, and where.
    pub message: String,
}

fn err(format: OutputFormat, message: impl Into<String>) -> ParseError {
    ParseError {
        format: format.as_str(),
        message: message.into(),
    }
}

/// Parses a tool's stdout as `format`.
pub fn parse_output(format: OutputFormat, bytes: &[u8]) -> Result<Value, ParseError> {
    match format {
        OutputFormat::Text => Ok(text(bytes)),
        OutputFormat::Json => serde_json::from_slice(bytes).map_err(|e| err(format, e.to_string())),
        OutputFormat::Jsonl => jsonl(bytes),
        OutputFormat::Csv => csv_rows(bytes),
        OutputFormat::Xml => {
            let s = std::str::from_utf8(bytes).map_err(|e| err(format, e.to_string()))?;
            xml(s)
        }
    }
}

/// `{"raw_output": text}`.
pub fn text(bytes: &[u8]) -> Value {
    let mut m = Map::new();
    m.insert(
        "raw_output".into(),
        Value::String(String::from_utf8_lossy(bytes).into_owned()),
    );
    Value::Object(m)
}

fn jsonl(bytes: &[u8]) -> Result<Value, ParseError> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let v = serde_json::from_slice(line)
            .map_err(|e| err(OutputFormat::Jsonl, format!("line {}: {e}", i + 1)))?;
        out.push(v);
    }
    Ok(Value::Array(out))
}

fn csv_rows(bytes: &[u8]) -> Result<Value, ParseError> {
    let first = bytes.split(|b| *b == b'\n').next().unwrap_or_default();
    let delimiter = if first.contains(&b'\t') {
        b'\t'
    } else if first.contains(&b'|') && !first.contains(&b',') {
        b'|'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(true)
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(bytes);
    let headers = reader
        .headers()
        .map_err(|e| err(OutputFormat::Csv, e.to_string()))?
        .clone();
    let mut rows = Vec::new();
    for (i, record) in reader.records().enumerate() {
        let record = record.map_err(|e| err(OutputFormat::Csv, e.to_string()))?;
        if record.len() > headers.len() {
            return Err(err(
                OutputFormat::Csv,
                format!(
                    "row {} has {} cells, the header has {}",
                    i + 1,
                    record.len(),
                    headers.len()
                ),
            ));
        }
        let obj: Map<String, Value> = headers
            .iter()
            .zip(record.iter())
            .map(|(h, cell)| (h.to_owned(), csv_cell(cell)))
            .collect();
        rows.push(Value::Object(obj));
    }
    Ok(Value::Array(rows))
}

fn csv_cell(cell: &str) -> Value {
    match cell {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    match cell.parse::<i64>() {
        // Only the canonical spelling: `007`, `+1`, `-0` stay text.
        Ok(n) if n.to_string() == cell => Value::from(n),
        _ => Value::String(cell.to_owned()),
    }
}

fn xml(s: &str) -> Result<Value, ParseError> {
    check_doctype(s)?;
    let opts = roxmltree::ParsingOptions {
        // Only after check_doctype: the DTD is a bare name, so nothing is declared.
        allow_dtd: true,
        nodes_limit: XML_NODES_LIMIT,
        ..roxmltree::ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(s, opts)
        .map_err(|e| err(OutputFormat::Xml, e.to_string()))?;
    let root = doc.root_element();
    let mut m = Map::new();
    m.insert(root.tag_name().name().to_owned(), element(root));
    Ok(Value::Object(m))
}

/// Accepts a document without a DTD or with a bare `<!DOCTYPE name>`; refuses every
/// other DOCTYPE (an internal subset declares entities, an external id names a file).
/// Every occurrence of `<!DOCTYPE` in the text is checked, so one hidden in a comment
/// cannot vouch for another.
fn check_doctype(s: &str) -> Result<(), ParseError> {
    const OPEN: &str = "<!DOCTYPE";
    let mut rest = s;
    while let Some(at) = rest.find(OPEN) {
        let after = &rest[at + OPEN.len()..];
        let body = after.trim_start_matches(|c: char| c.is_ascii_whitespace());
        let name_len = body
            .find(|c: char| c.is_ascii_whitespace() || matches!(c, '>' | '[' | '"' | '\''))
            .unwrap_or(body.len());
        let tail = body[name_len..].trim_start_matches(|c: char| c.is_ascii_whitespace());
        let bare = body.len() < after.len() && name_len > 0 && tail.starts_with('>');
        if !bare {
            return Err(err(
                OutputFormat::Xml,
                "only a bare <!DOCTYPE name> is accepted: DTDs with an internal subset (entity declarations) or an external id are refused",
            ));
        }
        rest = tail;
    }
    Ok(())
}

fn element(node: roxmltree::Node<'_, '_>) -> Value {
    let mut m = Map::new();
    for a in node.attributes() {
        m.insert(
            format!("@{}", a.name()),
            Value::String(a.value().to_owned()),
        );
    }
    let mut text = String::new();
    for child in node.children() {
        if child.is_element() {
            let name = child.tag_name().name().to_owned();
            let v = element(child);
            match m.get_mut(&name) {
                Some(Value::Array(items)) => items.push(v),
                Some(existing) => {
                    let first = existing.take();
                    *existing = Value::Array(vec![first, v]);
                }
                None => {
                    m.insert(name, v);
                }
            }
        } else if child.is_text()
            && let Some(t) = child.text()
        {
            text.push_str(t);
        }
    }
    let trimmed = text.trim();
    if !trimmed.is_empty() {
        m.insert("#text".into(), Value::String(trimmed.to_owned()));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_and_jsonl() {
        assert_eq!(
            parse_output(OutputFormat::Json, br#"{"a":[1,2]}"#).unwrap(),
            json!({"a": [1, 2]})
        );
        let e = parse_output(OutputFormat::Json, b"{oops").unwrap_err();
        assert_eq!(e.format, "json");
        assert_eq!(
            parse_output(OutputFormat::Jsonl, b"{\"a\":1}\n\n  \n[2]\n").unwrap(),
            json!([{"a": 1}, [2]])
        );
        let e = parse_output(OutputFormat::Jsonl, b"{}\n{}\nnope\n").unwrap_err();
        assert!(e.message.starts_with("line 3:"), "{e}");
    }

    #[test]
    fn csv_keeps_text_and_types_canonical_cells() {
        let v = parse_output(
            OutputFormat::Csv,
            b"host, port ,open,note\n10.0.0.1,22,true,\"a, b\"\nh2,007,false,+1\nh3\n",
        )
        .unwrap();
        assert_eq!(
            v,
            json!([
                {"host": "10.0.0.1", "port": 22, "open": true, "note": "a, b"},
                {"host": "h2", "port": "007", "open": false, "note": "+1"},
                {"host": "h3"}
            ])
        );
        let tabs = parse_output(OutputFormat::Csv, b"a\tb\n1\tx,y\n").unwrap();
        assert_eq!(tabs, json!([{"a": 1, "b": "x,y"}]));
        let e = parse_output(OutputFormat::Csv, b"a,b\n1,2,3\n").unwrap_err();
        assert!(e.message.contains("row 1 has 3 cells"), "{e}");
        assert_eq!(parse_output(OutputFormat::Csv, b"").unwrap(), json!([]));
    }

    #[test]
    fn xml_tree_with_attributes_text_and_repeats() {
        let doc = r#"<?xml version="1.0"?>
<!DOCTYPE nmaprun>
<nmaprun args="nmap -sT x"><host><port id="22"/><port id="80">open</port></host><runstats/></nmaprun>"#;
        let v = parse_output(OutputFormat::Xml, doc.as_bytes()).unwrap();
        assert_eq!(
            v,
            json!({"nmaprun": {
                "@args": "nmap -sT x",
                "host": {"port": [{"@id": "22"}, {"@id": "80", "#text": "open"}]},
                "runstats": {}
            }})
        );
    }

    #[test]
    fn xml_refuses_entities_and_bad_documents() {
        let bomb = r#"<!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>"#;
        let e = parse_output(OutputFormat::Xml, bomb.as_bytes()).unwrap_err();
        assert!(e.message.contains("internal subset"), "{e}");
        for dtd in [
            r#"<!DOCTYPE x SYSTEM "a>" [<!ENTITY a "b">]><x>&a;</x>"#,
            r#"<!-- <!DOCTYPE a> --><!DOCTYPE x [<!ENTITY a "b">]><x/>"#,
            r#"<!DOCTYPE x SYSTEM "file:///etc/passwd"><x/>"#,
            "<!DOCTYPE><x/>",
        ] {
            assert!(
                parse_output(OutputFormat::Xml, dtd.as_bytes()).is_err(),
                "{dtd}"
            );
        }
        assert!(parse_output(OutputFormat::Xml, b"<a><b></a>").is_err());
        assert!(parse_output(OutputFormat::Xml, b"not xml").is_err());
        assert!(parse_output(OutputFormat::Xml, b"<a>\xff</a>").is_err());
    }

    #[test]
    fn text_is_lossy() {
        assert_eq!(
            parse_output(OutputFormat::Text, b"ok \xff").unwrap(),
            json!({"raw_output": "ok \u{fffd}"})
        );
    }
}
