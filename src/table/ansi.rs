//! A terminal in memory: lets prettytable apply cell styles as ANSI escapes to a string.

use std::io::{self, Write};

use term::{Attr, Error, Result, Terminal, color::Color};

/// prettytable only styles cells through `term::Terminal`, whose real implementations write to
/// stdout after reading terminfo; this one collects the escapes in a buffer instead, so colour
/// does not depend on `$TERM` and `render` stays a pure function.
#[derive(Default)]
pub struct AnsiBuffer {
    out: Vec<u8>,
    /// Whether a style is on: prettytable resets after every cell, styled or not, and an
    /// unneeded reset is noise in the output.
    styled: bool,
}

impl AnsiBuffer {
    fn escape(&mut self, code: &str) -> Result<()> {
        self.styled = true;
        write!(self.out, "\x1b[{code}m")?;
        Ok(())
    }
}

impl Write for AnsiBuffer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Terminal for AnsiBuffer {
    type Output = Vec<u8>;

    fn fg(&mut self, color: Color) -> Result<()> {
        match color {
            0..=7 => self.escape(&(30 + color).to_string()),
            8..=15 => self.escape(&(90 + color - 8).to_string()),
            _ => Err(Error::ColorOutOfRange),
        }
    }

    fn bg(&mut self, color: Color) -> Result<()> {
        match color {
            0..=7 => self.escape(&(40 + color).to_string()),
            8..=15 => self.escape(&(100 + color - 8).to_string()),
            _ => Err(Error::ColorOutOfRange),
        }
    }

    fn attr(&mut self, attr: Attr) -> Result<()> {
        match attr {
            Attr::Bold => self.escape("1"),
            Attr::Italic(true) => self.escape("3"),
            Attr::Underline(true) => self.escape("4"),
            Attr::ForegroundColor(c) => self.fg(c),
            Attr::BackgroundColor(c) => self.bg(c),
            _ => Err(Error::NotSupported),
        }
    }

    fn supports_attr(&self, attr: Attr) -> bool {
        matches!(
            attr,
            Attr::Bold
                | Attr::Italic(true)
                | Attr::Underline(true)
                | Attr::ForegroundColor(_)
                | Attr::BackgroundColor(_)
        )
    }

    fn reset(&mut self) -> Result<()> {
        if self.styled {
            self.out.extend_from_slice(b"\x1b[0m");
            self.styled = false;
        }
        Ok(())
    }

    fn supports_reset(&self) -> bool {
        true
    }

    fn supports_color(&self) -> bool {
        true
    }

    fn cursor_up(&mut self) -> Result<()> {
        Err(Error::NotSupported)
    }

    fn delete_line(&mut self) -> Result<()> {
        Err(Error::NotSupported)
    }

    fn carriage_return(&mut self) -> Result<()> {
        Err(Error::NotSupported)
    }

    fn get_ref(&self) -> &Vec<u8> {
        &self.out
    }

    fn get_mut(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    fn into_inner(self) -> Vec<u8> {
        self.out
    }
}
