//! The survey's rules: what a submission must look like, and what is wrong when it does not.

use serde::Serialize;
use serde_json::{Map, Value};

/// A submission that passed every rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Submission {
    /// The customer's name, trimmed, 1–100 characters.
    pub name: String,
    /// The customer's phone: 5–20 of digits, spaces, `+` and `-`.
    pub phone: String,
    /// How satisfied, 1 (not at all) to 5 (very).
    pub satisfaction: u8,
    /// Where to send the customer a copy, if they want one.
    pub email: Option<String>,
}

/// What is wrong with one field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name, as in the form.
    pub field: &'static str,
    /// What is wrong, for the person filling in the form.
    pub message: String,
}

fn error(field: &'static str, message: impl Into<String>) -> FieldError {
    FieldError {
        field,
        message: message.into(),
    }
}

fn text(fields: &Map<String, Value>, field: &'static str) -> Result<Option<String>, FieldError> {
    match fields.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let trimmed = s.trim();
            Ok((!trimmed.is_empty()).then(|| trimmed.to_owned()))
        }
        Some(other) => Err(error(field, format!("must be text, not {}", kind(other)))),
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn name(fields: &Map<String, Value>) -> Result<String, FieldError> {
    let name = text(fields, "name")?.ok_or_else(|| error("name", "is required"))?;
    let length = name.chars().count();
    if length > 100 {
        return Err(error(
            "name",
            format!("must be at most 100 characters, not {length}"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(error("name", "must not contain control characters"));
    }
    Ok(name)
}

fn phone(fields: &Map<String, Value>) -> Result<String, FieldError> {
    let phone = text(fields, "phone")?.ok_or_else(|| error("phone", "is required"))?;
    if let Some(bad) = phone
        .chars()
        .find(|c| !(c.is_ascii_digit() || matches!(c, ' ' | '+' | '-')))
    {
        return Err(error(
            "phone",
            format!("may contain only digits, spaces, + and -, not `{bad}`"),
        ));
    }
    let length = phone.chars().count();
    if !(5..=20).contains(&length) {
        return Err(error(
            "phone",
            format!("must be 5 to 20 characters, not {length}"),
        ));
    }
    Ok(phone)
}

fn satisfaction(fields: &Map<String, Value>) -> Result<u8, FieldError> {
    let value = match fields.get("satisfaction") {
        None | Some(Value::Null) => return Err(error("satisfaction", "is required")),
        Some(Value::Number(n)) => n.as_i64(),
        // Forms send text.
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(error("satisfaction", "is required"));
        }
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        Some(other) => {
            return Err(error(
                "satisfaction",
                format!("must be a whole number from 1 to 5, not {}", kind(other)),
            ));
        }
    };
    match value {
        Some(n @ 1..=5) => Ok(n as u8),
        _ => Err(error("satisfaction", "must be a whole number from 1 to 5")),
    }
}

/// Whether `email` looks like an address mail can be delivered to: `local@domain.tld`.
pub fn is_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let labels: Vec<&str> = domain.split('.').collect();
    let domain_ok = labels.len() >= 2
        && domain.len() <= 253
        && labels.iter().all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic()));
    email.len() <= 254 && local_ok && domain_ok
}

fn email(fields: &Map<String, Value>) -> Result<Option<String>, FieldError> {
    match text(fields, "email")? {
        None => Ok(None),
        Some(email) if is_email(&email) => Ok(Some(email)),
        Some(_) => Err(error("email", "must be an address like name@example.com")),
    }
}

/// Checks every field; all the problems are reported together, so the form can show each.
pub fn validate(fields: &Map<String, Value>) -> Result<Submission, Vec<FieldError>> {
    let name = name(fields);
    let phone = phone(fields);
    let satisfaction = satisfaction(fields);
    let email = email(fields);
    match (name, phone, satisfaction, email) {
        (Ok(name), Ok(phone), Ok(satisfaction), Ok(email)) => Ok(Submission {
            name,
            phone,
            satisfaction,
            email,
        }),
        (name, phone, satisfaction, email) => {
            Err([name.err(), phone.err(), satisfaction.err(), email.err()]
                .into_iter()
                .flatten()
                .collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn check(value: Value) -> Result<Submission, Vec<FieldError>> {
        validate(value.as_object().expect("an object"))
    }

    fn fields(value: Value) -> Vec<&'static str> {
        check(value)
            .expect_err("invalid")
            .iter()
            .map(|e| e.field)
            .collect()
    }

    #[test]
    fn a_good_submission_is_trimmed_and_kept() {
        let s = check(json!({"name": "  Ada Lovelace ", "phone": "+44 20-7946", "satisfaction": 5, "email": "ada@example.org"})).unwrap();
        assert_eq!(s.name, "Ada Lovelace");
        assert_eq!(s.satisfaction, 5);
        assert_eq!(s.email.as_deref(), Some("ada@example.org"));
        let s = check(
            json!({"name": "李雷", "phone": "13800138000", "satisfaction": "3", "email": ""}),
        )
        .unwrap();
        assert_eq!(
            (s.satisfaction, s.email),
            (3, None),
            "form text and an empty e-mail"
        );
    }

    #[test]
    fn names() {
        assert_eq!(
            fields(json!({"phone": "12345", "satisfaction": 1})),
            ["name"]
        );
        assert_eq!(
            fields(json!({"name": "   ", "phone": "12345", "satisfaction": 1})),
            ["name"]
        );
        assert!(
            check(json!({"name": "x".repeat(100), "phone": "12345", "satisfaction": 1})).is_ok()
        );
        assert!(
            check(json!({"name": "é".repeat(100), "phone": "12345", "satisfaction": 1})).is_ok(),
            "characters, not bytes"
        );
        assert_eq!(
            fields(json!({"name": "x".repeat(101), "phone": "12345", "satisfaction": 1})),
            ["name"]
        );
        assert_eq!(
            fields(json!({"name": 42, "phone": "12345", "satisfaction": 1})),
            ["name"]
        );
        assert_eq!(
            fields(json!({"name": "a\u{0007}b", "phone": "12345", "satisfaction": 1})),
            ["name"]
        );
    }

    #[test]
    fn phones() {
        for good in ["12345", "+86 138-0013-8000", "12345678901234567890"] {
            assert!(
                check(json!({"name": "A", "phone": good, "satisfaction": 1})).is_ok(),
                "{good}"
            );
        }
        for bad in [
            "1234",
            "123456789012345678901",
            "12345a",
            "(123) 456",
            "12.345",
        ] {
            assert_eq!(
                fields(json!({"name": "A", "phone": bad, "satisfaction": 1})),
                ["phone"],
                "{bad}"
            );
        }
        assert_eq!(
            fields(json!({"name": "A", "phone": 12345, "satisfaction": 1})),
            ["phone"]
        );
    }

    #[test]
    fn satisfaction_is_a_whole_number_from_1_to_5() {
        for good in [json!(1), json!(5), json!("4"), json!(" 2 ")] {
            assert!(
                check(json!({"name": "A", "phone": "12345", "satisfaction": good})).is_ok(),
                "{good}"
            );
        }
        for bad in [
            json!(0),
            json!(6),
            json!(-1),
            json!(3.5),
            json!("3.5"),
            json!("five"),
            json!(""),
            json!(true),
            json!(null),
        ] {
            assert_eq!(
                fields(json!({"name": "A", "phone": "12345", "satisfaction": bad})),
                ["satisfaction"],
                "{bad}"
            );
        }
    }

    #[test]
    fn emails_are_optional_but_well_formed() {
        for good in [
            "a@b.co",
            "first.last+tag@mail.example.com",
            "x_y@sub-domain.example.org",
        ] {
            assert!(is_email(good), "{good}");
        }
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a@b",
            "a@b.c",
            "a b@example.com",
            "a@@example.com",
            "a@-x.com",
            ".a@example.com",
            "a..b@example.com",
            "a@example.c0m",
        ] {
            assert!(!is_email(bad), "{bad}");
        }
        assert_eq!(
            fields(json!({"name": "A", "phone": "12345", "satisfaction": 1, "email": "nope"})),
            ["email"]
        );
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let errors = fields(json!({"name": "", "phone": "x", "satisfaction": 9, "email": "bad"}));
        assert_eq!(errors, ["name", "phone", "satisfaction", "email"]);
    }
}
