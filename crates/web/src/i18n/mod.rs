//! The UI message catalogue, one file per feature area.
//!
//! Each message is written once, its Chinese and English text side by side
//! (`field: t(l, "中文", "English")`). The catalogue of each language is built from those pairs
//! at compile time into plain structs, so templates read `c.m.field` (a missing message is a
//! compile error, not a blank) and an empty text fails the build. Names of codes (channels,
//! statuses, routes …) are in [`labels`]; names of roles, unit kinds and levels in [`org`].

mod aid;
mod cases;
mod common;
mod dispositions;
pub mod labels;
mod leads;
mod org;
mod rules;

use jiujinan_app::i18n::Lang;

pub use aid::Aid;
pub use cases::Cases;
pub use common::{Common, chain_break_text};
pub use dispositions::Dispositions;
pub use leads::Leads;
pub use org::{kind_text, level_text, role_text};
pub use rules::Rules;

/// Every message of the pages in one language, by feature area.
#[derive(Debug)]
pub struct Catalogue {
    pub common: Common,
    pub leads: Leads,
    pub cases: Cases,
    pub dispositions: Dispositions,
    pub rules: Rules,
    pub aid: Aid,
}

impl Catalogue {
    const fn new(l: Lang) -> Self {
        Self {
            common: Common::new(l),
            leads: Leads::new(l),
            cases: Cases::new(l),
            dispositions: Dispositions::new(l),
            rules: Rules::new(l),
            aid: Aid::new(l),
        }
    }
}

static ZH: Catalogue = Catalogue::new(Lang::Zh);
static EN: Catalogue = Catalogue::new(Lang::En);

/// The catalogue for a language.
pub fn catalogue(lang: Lang) -> &'static Catalogue {
    match lang {
        Lang::Zh => &ZH,
        Lang::En => &EN,
    }
}

/// One message: its Chinese and English text, of which the one in `lang` is kept. Only called
/// while the catalogues are built at compile time, where an empty text stops the build.
const fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    assert!(!zh.is_empty() && !en.is_empty(), "a message is empty in one of its languages");
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_message_is_empty_in_either_language() {
        for lang in [Lang::Zh, Lang::En] {
            // Every field is a `&str`; an empty one prints as `name: ""`.
            let all = format!("{:#?}", catalogue(lang));
            let fields = all.lines().filter(|l| l.trim_end().ends_with("\",")).count();
            assert!(fields > 300, "{fields} messages found");
            let empty: Vec<&str> = all.lines().filter(|l| l.trim_end().ends_with(": \"\",")).collect();
            assert!(empty.is_empty(), "empty messages in {lang:?}: {empty:?}");
        }
    }

    #[test]
    fn the_two_languages_differ() {
        let (zh, en) = (catalogue(Lang::Zh), catalogue(Lang::En));
        assert_eq!(zh.common.app_name, "救急难综合服务平台");
        assert_eq!(en.common.app_name, "Jiujinan emergency assistance platform");
        assert_eq!(zh.aid.approve, "审批同意");
        assert_eq!(en.dispositions.accept, "Accept");
    }
}
