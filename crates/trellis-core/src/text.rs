//! Rules every piece of free text follows, whatever field it is in.

use crate::CoreError;

/// Characters that reorder or hide text (bidirectional overrides and
/// isolates, zero-width characters): they make a name look like another.
fn is_deceptive(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{FEFF}')
}

fn check(field: &str, value: &str, max: usize, lines: bool) -> Result<(), CoreError> {
    if value.chars().count() > max {
        return Err(CoreError::invalid(
            field,
            format_args!("must be at most {max} characters"),
        ));
    }
    let allowed = |c: char| lines && (c == '\n' || c == '\t' || c == '\r');
    if value
        .chars()
        .any(|c| (c.is_control() && !allowed(c)) || is_deceptive(c))
    {
        return Err(CoreError::invalid(
            field,
            if lines {
                "must not contain control or invisible formatting characters"
            } else {
                "must be one line, without control or invisible formatting characters"
            },
        ));
    }
    Ok(())
}

/// A one-line text (a name, a headline) of at most `max` characters.
pub fn check_line(field: &str, value: &str, max: usize) -> Result<(), CoreError> {
    check(field, value, max, false)
}

/// A text that may have several lines (a bio, a description).
pub fn check_paragraphs(field: &str, value: &str, max: usize) -> Result<(), CoreError> {
    check(field, value, max, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_paragraphs() {
        assert!(check_line("name", "Ada Lovelace", 80).is_ok());
        assert!(check_line("name", "Ada\nLovelace", 80).is_err());
        assert!(check_paragraphs("bio", "Line one\nline two\ttabbed", 80).is_ok());
        for bad in [
            "nul\u{0}",
            "bell\u{7}",
            "evil\u{202E}txet",
            "zero\u{200B}width",
            "\u{FEFF}bom",
        ] {
            assert!(check_line("name", bad, 80).is_err(), "{bad:?}");
            assert!(check_paragraphs("bio", bad, 80).is_err(), "{bad:?}");
        }
        assert!(check_line("name", &"x".repeat(81), 80).is_err());
        assert!(check_line("name", "Zoë Ørsted 李", 80).is_ok());
    }
}
