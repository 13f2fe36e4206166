//! Terminal output as text: escape sequences removed by a real terminal parser
//! (`vte`, so a sequence split across reads is still removed), carriage returns and
//! other controls dropped, the answer capped, the last line kept for the prompt check.

use cladgen_core::model::Pattern;

/// The longest last line kept for the prompt check; a longer line is no prompt.
const MAX_LINE: usize = 4096;

/// The cleaned text of one answer (or of the startup banner), fed chunk by chunk.
pub(crate) struct Screen {
    parser: vte::Parser,
    text: Text,
}

struct Text {
    /// Cleaned text kept, at most `cap` bytes (cut at a character boundary).
    kept: String,
    cap: usize,
    /// Cleaned bytes seen in all.
    total: u64,
    /// The text after the last line feed (possibly the prompt), at most `MAX_LINE`.
    line: String,
    line_too_long: bool,
    /// Whether a line feed arrived after the cap was reached: then `kept` does not end
    /// inside the last line.
    newline_after_cap: bool,
}

impl Text {
    fn push(&mut self, c: char) {
        let n = c.len_utf8();
        let was_truncated = self.truncated();
        self.total += n as u64;
        if !was_truncated && self.kept.len() + n <= self.cap {
            self.kept.push(c);
        }
        if c == '\n' {
            self.line.clear();
            self.line_too_long = false;
            if self.truncated() {
                self.newline_after_cap = true;
            }
        } else if self.line.len() + c.len_utf8() <= MAX_LINE {
            self.line.push(c);
        } else {
            self.line_too_long = true;
        }
    }

    fn truncated(&self) -> bool {
        self.total > self.kept.len() as u64
    }
}

impl vte::Perform for Text {
    fn print(&mut self, c: char) {
        self.push(c);
    }

    fn execute(&mut self, byte: u8) {
        // Line feeds and tabs are text; carriage returns, bells, backspaces and the
        // other C0/C1 controls only move a terminal's cursor.
        match byte {
            b'\n' => self.push('\n'),
            b'\t' => self.push('\t'),
            _ => {}
        }
    }
}

/// A finished answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The cleaned text without the prompt line (and without the echo, see
    /// [`Answer::without_echo`]).
    pub text: String,
    /// Cleaned bytes in all (more than `text` when truncated).
    pub total: u64,
    pub truncated: bool,
}

impl Answer {
    /// Removes the terminal's echo of `sent`: the first line when it is the command
    /// text, possibly behind a redrawn prompt (line editors redraw it).
    pub fn without_echo(mut self, sent: &str) -> Self {
        let first_end = self.text.find('\n');
        let first = first_end.map_or(self.text.as_str(), |i| &self.text[..i]);
        if first.trim_end().ends_with(sent.trim_end()) {
            let cut = first_end.map_or(self.text.len(), |i| i + 1);
            self.total = self.total.saturating_sub(cut as u64);
            self.text.drain(..cut);
        }
        self
    }
}

impl Answer {
    /// Keeps at most `cap` bytes of the text (cut at a character boundary).
    pub fn capped(mut self, cap: usize) -> Self {
        if self.text.len() > cap {
            let mut end = cap;
            while !self.text.is_char_boundary(end) {
                end -= 1;
            }
            self.text.truncate(end);
            self.truncated = true;
        }
        self
    }
}

impl Screen {
    /// A screen keeping at most `cap` bytes of cleaned text.
    pub fn new(cap: usize) -> Self {
        Screen {
            parser: vte::Parser::new(),
            text: Text {
                kept: String::new(),
                cap,
                total: 0,
                line: String::new(),
                line_too_long: false,
                newline_after_cap: false,
            },
        }
    }

    /// Feeds raw terminal bytes.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.parser.advance(&mut self.text, bytes);
    }

    /// The last line when it is a prompt: `ready` matches it as a whole, as written
    /// or without trailing white space.
    pub fn prompt(&self, ready: &Pattern) -> Option<&str> {
        let line = &self.text.line;
        if self.text.line_too_long {
            return None;
        }
        (ready.is_match(line) || ready.is_match(line.trim_end())).then_some(line.as_str())
    }

    /// The text so far, the last line (the prompt, when it is one) left out.
    pub fn finish(self, prompt_seen: bool) -> Answer {
        let Text {
            mut kept,
            total,
            line,
            newline_after_cap,
            ..
        } = self.text;
        let truncated = total > kept.len() as u64;
        let mut total = total;
        if prompt_seen {
            // The prompt is the last line; when the cap cut into it, only its start is
            // in `kept`.
            let in_kept = if !truncated {
                line.len()
            } else if !newline_after_cap {
                kept.len() - kept.rfind('\n').map_or(0, |i| i + 1)
            } else {
                0
            };
            kept.truncate(kept.len() - in_kept);
            total = total.saturating_sub(line.len() as u64);
        }
        Answer {
            text: kept,
            total,
            truncated,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pattern(s: &'static str) -> Pattern {
        Pattern::new(s).unwrap()
    }

    #[test]
    fn escapes_split_across_reads_are_removed() {
        let mut s = Screen::new(1024);
        s.feed(b"select 1;\r\n\x1b[1");
        s.feed(b"m2\x1b[0m\r\nsqlite> ");
        let ready = pattern("sqlite> ");
        assert_eq!(s.prompt(&ready), Some("sqlite> "));
        let a = s.finish(true).without_echo("select 1;");
        assert_eq!(a.text, "2\n");
        assert!(!a.truncated);
    }

    #[test]
    fn the_cap_keeps_the_start_and_counts_the_rest() {
        let mut s = Screen::new(10);
        s.feed(&[b'x'; 100]);
        s.feed(b"\r\n> ");
        let ready = pattern("> ?");
        assert!(s.prompt(&ready).is_some());
        let a = s.finish(true);
        assert_eq!(a.text, "x".repeat(10));
        assert!(a.truncated);
        assert_eq!(a.total, 101);
    }

    #[test]
    fn a_line_that_is_not_the_prompt_is_no_prompt() {
        let mut s = Screen::new(100);
        s.feed(b"sqlite> x");
        assert_eq!(s.prompt(&pattern("sqlite> ")), None);
        s.feed(b"\n");
        assert_eq!(s.prompt(&pattern("sqlite> ")), None);
    }
}
