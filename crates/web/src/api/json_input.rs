//! The text rule and number reading for a JSON body, before it becomes a typed value.

use jiujinan_domain::text::first_forbidden;
use serde_json::{Number, Value};

/// Walks `value`: the path of the first key or string holding a forbidden character (e.g.
/// `subject.name`, `items[2]`), or `None` when all text is clean. Numbers with a zero
/// fraction that fit an `i64` (`1.0`) become integers on the way.
pub fn clean(value: &mut Value, path: &mut String) -> Option<String> {
    match value {
        Value::String(s) => first_forbidden(s, true).map(|_| shown(path)),
        Value::Number(n) => {
            if let Some(i) = integral(n) {
                *n = Number::from(i);
            }
            None
        }
        Value::Array(items) => items.iter_mut().enumerate().find_map(|(i, item)| {
            let len = path.len();
            path.push_str(&format!("[{i}]"));
            let found = clean(item, path);
            path.truncate(len);
            found
        }),
        Value::Object(map) => map.iter_mut().find_map(|(k, item)| {
            let len = path.len();
            if !path.is_empty() {
                path.push('.');
            }
            if first_forbidden(k, false).is_some() {
                path.push_str(&k.replace(|c: char| c.is_control(), "?"));
                return Some(shown(path));
            }
            path.push_str(k);
            let found = clean(item, path);
            path.truncate(len);
            found
        }),
        Value::Null | Value::Bool(_) => None,
    }
}

fn shown(path: &str) -> String {
    if path.is_empty() { "body".to_owned() } else { path.to_owned() }
}

/// `n` as an integer when it is a float with no fraction inside the `i64` range.
fn integral(n: &Number) -> Option<i64> {
    if n.is_i64() || n.is_u64() {
        return None;
    }
    let f = n.as_f64()?;
    // The bounds are exact in f64: -2^63 is representable, 2^63 is the first value above.
    let in_range = (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f);
    #[allow(clippy::cast_possible_truncation)]
    (f.fract() == 0.0 && in_range).then_some(f as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_the_field_with_a_control_character() {
        let mut v = json!({"subject": {"name": "a\u{0}b"}, "description": "ok"});
        assert_eq!(clean(&mut v, &mut String::new()).as_deref(), Some("subject.name"));
        let mut v = json!({"items": ["ok", "x\u{7}"]});
        assert_eq!(clean(&mut v, &mut String::new()).as_deref(), Some("items[1]"));
        let mut v = json!({"description": "第一行\n第二行\t"});
        assert_eq!(clean(&mut v, &mut String::new()), None, "tab and newline are text");
        let mut v = json!("\u{0}");
        assert_eq!(clean(&mut v, &mut String::new()).as_deref(), Some("body"));
    }

    #[test]
    fn integral_floats_become_integers() {
        let mut v = json!({"amount_fen": 1.0, "ratio": 1.5, "big": 1e300, "n": 7});
        assert_eq!(clean(&mut v, &mut String::new()), None);
        assert_eq!(v, json!({"amount_fen": 1, "ratio": 1.5, "big": 1e300, "n": 7}));
        let amount: i64 = serde_json::from_value(v["amount_fen"].clone()).unwrap();
        assert_eq!(amount, 1);
    }
}
