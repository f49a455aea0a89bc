//! Every string a page shows comes from a message catalog: one Fluent file
//! per language under `locales/`, embedded in the binary. English is the
//! fallback for a message a catalog lacks (a test keeps the catalogs
//! complete). A page's language is the visitor's choice (a cookie set from
//! the footer), else the best of `Accept-Language`, else English.

use std::borrow::Cow;
use std::collections::HashMap;

use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader, langid};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around arguments: the pages are
        // left-to-right and the marks would show in form values.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// A language the pages are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    De,
}

static ENGLISH: LanguageIdentifier = langid!("en");
static GERMAN: LanguageIdentifier = langid!("de");

impl Lang {
    /// Every language, in the order the footer offers them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::De];

    pub fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::De => "de",
        }
    }

    /// The language's own name for itself.
    pub fn name(self) -> &'static str {
        match self {
            Self::En => "English",
            Self::De => "Deutsch",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "en" => Some(Self::En),
            "de" => Some(Self::De),
            _ => None,
        }
    }

    /// The best supported language of an `Accept-Language` header.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut offers: Vec<(f32, usize, Self)> = header
            .split(',')
            .enumerate()
            .filter_map(|(position, part)| {
                let mut pieces = part.split(';');
                let lang = Self::parse(pieces.next()?)?;
                let quality = pieces
                    .find_map(|p| p.trim().strip_prefix("q="))
                    .and_then(|q| q.parse::<f32>().ok())
                    .unwrap_or(1.0);
                (quality > 0.0).then_some((quality, position, lang))
            })
            .collect();
        offers.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        offers.first().map(|&(_, _, lang)| lang)
    }

    fn id(self) -> &'static LanguageIdentifier {
        match self {
            Self::En => &ENGLISH,
            Self::De => &GERMAN,
        }
    }

    /// A message of the catalog.
    pub fn t(self, key: &str) -> String {
        LOCALES.lookup(self.id(), key)
    }

    /// A message with its arguments, if the catalog has it.
    pub fn try_with(self, key: &str, args: &[(&'static str, Arg)]) -> Option<String> {
        LOCALES.try_lookup_with_args(self.id(), key, &fluent_args(args))
    }

    /// A message with its arguments.
    pub fn with(self, key: &str, args: &[(&'static str, Arg)]) -> String {
        LOCALES.lookup_with_args(self.id(), key, &fluent_args(args))
    }
}

fn fluent_args(args: &[(&'static str, Arg)]) -> HashMap<Cow<'static, str>, FluentValue<'static>> {
    args.iter()
        .map(|(name, value)| {
            let value = match value {
                Arg::Text(s) => FluentValue::from(s.clone()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            (Cow::Borrowed(*name), value)
        })
        .collect()
}

/// A value a message takes.
#[derive(Debug, Clone)]
pub enum Arg {
    Text(String),
    Number(f64),
}

/// What can be a message's argument (templates pass them by reference).
pub trait ToArg {
    fn to_arg(&self) -> Arg;
}

impl ToArg for str {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.to_owned())
    }
}

impl ToArg for String {
    fn to_arg(&self) -> Arg {
        Arg::Text(self.clone())
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {
        $(impl ToArg for $t {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn to_arg(&self) -> Arg {
                Arg::Number(*self as f64)
            }
        })*
    };
}
number_arg!(u8, u16, u32, u64, usize, i8, i16, i32, i64);

impl<T: ToArg + ?Sized> ToArg for &T {
    fn to_arg(&self) -> Arg {
        (**self).to_arg()
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Self::Text(s.to_owned())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<usize> for Arg {
    fn from(n: usize) -> Self {
        n.to_arg()
    }
}
#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_best_supported_language() {
        assert_eq!(
            Lang::from_accept_language("de-DE,de;q=0.9,en;q=0.8"),
            Some(Lang::De)
        );
        assert_eq!(
            Lang::from_accept_language("fr-FR, en;q=0.5, de;q=0.4"),
            Some(Lang::En)
        );
        assert_eq!(Lang::from_accept_language("fr, it"), None);
        assert_eq!(Lang::from_accept_language("de;q=0, en"), Some(Lang::En));
    }

    /// Every message of the English catalog is in every other one, and
    /// no catalog has a message English lacks.
    #[test]
    fn every_catalog_is_complete() {
        let keys = |code: &str| -> Vec<String> {
            let path = format!("{}/locales/{code}/main.ftl", env!("CARGO_MANIFEST_DIR"));
            std::fs::read_to_string(path)
                .unwrap()
                .lines()
                .filter(|l| !l.starts_with(' ') && !l.starts_with('#') && !l.starts_with('.'))
                .filter_map(|l| l.split_once(" =").map(|(k, _)| k.trim().to_owned()))
                .collect()
        };
        let english = keys("en");
        assert!(english.len() > 50, "{english:?}");
        for lang in Lang::ALL {
            let theirs = keys(lang.code());
            let missing: Vec<&String> = english.iter().filter(|k| !theirs.contains(k)).collect();
            let extra: Vec<&String> = theirs.iter().filter(|k| !english.contains(k)).collect();
            assert!(
                missing.is_empty() && extra.is_empty(),
                "{}: missing {missing:?}, not in English {extra:?}",
                lang.code()
            );
        }
        assert_eq!(Lang::De.t("nav-home"), "Start");
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod used_keys {

    /// Every message a template or page names literally is in the catalog.
    #[test]
    fn every_message_the_pages_name_exists() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut sources = Vec::new();
        for dir in ["templates", "src", "src/pages"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let path = entry.unwrap().path();
                if path.is_file() {
                    sources.push(std::fs::read_to_string(path).unwrap());
                }
            }
        }
        let catalog = std::fs::read_to_string(format!("{root}/locales/en/main.ftl")).unwrap();
        let known: std::collections::HashSet<&str> = catalog
            .lines()
            .filter_map(|l| l.split_once(" =").map(|(k, _)| k))
            .collect();
        let mut missing = Vec::new();
        for source in &sources {
            for call in [".t(\"", ".t1(\"", ".t2(\"", ".with(\"", ".try_with(\""] {
                for (at, _) in source.match_indices(call) {
                    let rest = &source[at + call.len()..];
                    let key = &rest[..rest.find('"').unwrap()];
                    if !key.is_empty() && !known.contains(key) {
                        missing.push(key.to_owned());
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "not in the catalog: {missing:?}");
    }
}
