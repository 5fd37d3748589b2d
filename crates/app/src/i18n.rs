//! The two languages of the platform.

/// Simplified Chinese (default) or English.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// Picks the language from an `Accept-Language` header or a cookie value; Chinese unless
    /// English is preferred.
    pub fn from_header(value: Option<&str>) -> Self {
        let Some(v) = value else { return Self::Zh };
        let mut best: Option<(f32, usize, Self)> = None;
        for (i, part) in v.split(',').enumerate() {
            let mut pieces = part.split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q =
                pieces.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
            let lang = if tag.starts_with("zh") {
                Self::Zh
            } else if tag.starts_with("en") {
                Self::En
            } else {
                continue;
            };
            // Highest q wins; among equals, the first listed.
            if q > 0.0 && best.is_none_or(|(bq, _, _)| q > bq) {
                best = Some((q, i, lang));
            }
        }
        best.map(|(_, _, l)| l).unwrap_or(Self::Zh)
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Self::Zh => "zh-CN",
            Self::En => "en",
        }
    }

    /// The short code used in cookies and URLs.
    pub fn code(self) -> &'static str {
        match self {
            Self::Zh => "zh",
            Self::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    #[test]
    fn picks_first_known_language() {
        assert_eq!(Lang::from_header(None), Lang::Zh);
        assert_eq!(Lang::from_header(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_header(Some("zh-CN,zh;q=0.9,en;q=0.8")), Lang::Zh);
        assert_eq!(Lang::from_header(Some("fr, en;q=0.5")), Lang::En);
        assert_eq!(Lang::from_header(Some("fr")), Lang::Zh);
        assert_eq!(Lang::from_header(Some("zh;q=0.3, en;q=0.8")), Lang::En);
        assert_eq!(Lang::from_header(Some("en;q=0, zh")), Lang::Zh);
    }
}
