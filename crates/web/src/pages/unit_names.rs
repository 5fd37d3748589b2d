//! Units' names for people, looked up once per page (the code stays when a unit is unknown):
//! pages show names and keep codes for hover titles and data attributes.

use std::collections::HashMap;

use crate::AppState;

pub(crate) struct UnitNames(HashMap<String, String>);

impl UnitNames {
    /// Looks up each distinct code once (the unit cache answers most of them).
    pub(crate) async fn load(state: &AppState, codes: Vec<String>) -> Self {
        let mut names = HashMap::new();
        for code in codes {
            if code.is_empty() || names.contains_key(&code) {
                continue;
            }
            if let Ok(u) = state.app.unit(&code).await {
                names.insert(code, u.name);
            }
        }
        Self(names)
    }

    /// Whether the code names a unit that exists.
    pub(crate) fn knows(&self, code: &str) -> bool {
        self.0.contains_key(code)
    }

    pub(crate) fn name(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_else(|| code.to_owned())
    }

    #[cfg(test)]
    pub(crate) fn from_pairs(pairs: &[(&str, &str)]) -> Self {
        Self(pairs.iter().map(|(c, n)| ((*c).to_owned(), (*n).to_owned())).collect())
    }
}
