//! The survey's rules: what a submission must look like, and what to tell the customer when it
//! does not.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
use validator::{Validate, ValidationError, ValidationErrors};

/// A survey as it was sent, in JSON or as a form: every field may be missing or empty, so that
/// each problem can be reported against its field at once.
#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize, Validate)]
#[serde(default)]
pub struct SurveyForm {
    /// The customer's name; trimmed.
    #[serde(deserialize_with = "trimmed")]
    #[validate(
        length(
            min = 1,
            max = 100,
            message = "Please enter your name (at most 100 characters)."
        ),
        custom(
            function = "printable",
            message = "Please remove the special characters from your name."
        )
    )]
    pub name: String,
    /// The customer's phone; trimmed.
    #[serde(deserialize_with = "trimmed")]
    #[validate(custom(
        function = "phone_number",
        message = "Please enter a phone number of 5 to 20 digits (spaces, + and - are fine)."
    ))]
    pub phone: String,
    /// How satisfied, 1 (very unhappy) to 5 (very happy): a number, or text from a form.
    #[serde(deserialize_with = "rating")]
    #[validate(
        required(message = "Please choose how satisfied you are, from 1 to 5."),
        range(
            min = 1,
            max = 5,
            message = "Please choose how satisfied you are, from 1 to 5."
        )
    )]
    pub satisfaction: Option<i64>,
    /// Where to send the customer a copy; empty means none.
    #[serde(deserialize_with = "optional_text")]
    #[validate(email(
        message = "Please enter an e-mail address like name@example.com, or leave it empty."
    ))]
    pub email: Option<String>,
}

/// A submission that passed every rule: what is stored and mailed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Submission {
    /// The customer's name, trimmed, 1–100 characters.
    pub name: String,
    /// The customer's phone: 5–20 digits, with spaces, `+` and `-`.
    pub phone: String,
    /// How satisfied, 1 (very unhappy) to 5 (very happy).
    pub satisfaction: u8,
    /// Where to send the customer a copy, if they want one.
    pub email: Option<String>,
}

/// What is wrong with one field, said to the person filling in the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The field's name, as in the form.
    pub field: &'static str,
    /// What to do about it.
    pub message: String,
}

/// The fields in the order the form shows them, which is the order errors are reported in.
const FIELDS: [&str; 4] = ["name", "phone", "satisfaction", "email"];

impl SurveyForm {
    /// Checks every field; all the problems come back together, so the form can show each.
    pub fn check(self) -> Result<Submission, Vec<FieldError>> {
        if let Err(errors) = self.validate() {
            return Err(field_errors(&errors));
        }
        match self.satisfaction.and_then(|n| u8::try_from(n).ok()) {
            Some(satisfaction) => Ok(Submission {
                name: self.name,
                phone: self.phone,
                satisfaction,
                email: self.email,
            }),
            // `validate` has checked it is 1 to 5.
            None => Err(Vec::new()),
        }
    }
}

fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let by_field = errors.field_errors();
    FIELDS
        .iter()
        .filter_map(|&field| {
            // One message per field: the first rule it broke.
            let error = by_field.get(field)?.first()?;
            let message = error.message.as_deref().map_or_else(
                || format!("Please check this field ({}).", error.code),
                str::to_owned,
            );
            Some(FieldError { field, message })
        })
        .collect()
}

fn printable(text: &str) -> Result<(), ValidationError> {
    if text.chars().any(char::is_control) {
        return Err(ValidationError::new("control_character"));
    }
    Ok(())
}

fn phone_number(phone: &str) -> Result<(), ValidationError> {
    let allowed = phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-'));
    let digits = phone.chars().filter(char::is_ascii_digit).count();
    if allowed && (5..=20).contains(&digits) {
        Ok(())
    } else {
        Err(ValidationError::new("phone"))
    }
}

fn trimmed<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let text = Option::<String>::deserialize(deserializer)?.unwrap_or_default();
    let trimmed = text.trim();
    Ok(if trimmed.len() == text.len() {
        text
    } else {
        trimmed.to_owned()
    })
}

fn optional_text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    let text = trimmed(deserializer)?;
    Ok((!text.is_empty()).then_some(text))
}

/// A rating: a whole number in JSON, text in a form; empty text or `null` is no rating.
fn rating<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    struct Rating;

    impl Visitor<'_> for Rating {
        type Value = Option<i64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a whole number from 1 to 5")
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Self::Value, E> {
            Ok(Some(n))
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Self::Value, E> {
            // Anything this large is out of range anyway.
            Ok(Some(i64::try_from(n).unwrap_or(i64::MAX)))
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            let text = text.trim();
            if text.is_empty() {
                return Ok(None);
            }
            text.parse()
                .map(Some)
                .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
    }

    deserializer.deserialize_any(Rating)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    fn check(value: Value) -> Result<Submission, Vec<FieldError>> {
        serde_json::from_value::<SurveyForm>(value)
            .expect("a survey form")
            .check()
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
    fn forms_decode_like_json() {
        let form: SurveyForm =
            serde_urlencoded::from_str("name=Li+Lei&phone=138+0013+8000&satisfaction=4&email=")
                .unwrap();
        let s = form.check().unwrap();
        assert_eq!(
            (s.name.as_str(), s.satisfaction, s.email),
            ("Li Lei", 4, None)
        );
        let empty: SurveyForm = serde_urlencoded::from_str("satisfaction=").unwrap();
        assert_eq!(empty.check().unwrap_err().len(), 3);
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
            "+ - - - 1",
        ] {
            assert_eq!(
                fields(json!({"name": "A", "phone": bad, "satisfaction": 1})),
                ["phone"],
                "{bad}"
            );
        }
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
            json!(""),
            json!(null),
            json!(1u64 << 63),
        ] {
            assert_eq!(
                fields(json!({"name": "A", "phone": "12345", "satisfaction": bad})),
                ["satisfaction"],
                "{bad}"
            );
        }
        // Not a rating at all: the body is refused with serde's message.
        for wrong in [json!(3.5), json!("3.5"), json!("five"), json!(true)] {
            let err = serde_json::from_value::<SurveyForm>(
                json!({"name": "A", "phone": "12345", "satisfaction": wrong}),
            )
            .expect_err("not a rating");
            assert!(
                err.to_string().contains("a whole number from 1 to 5"),
                "{err}"
            );
        }
    }

    #[test]
    fn emails_are_optional_but_well_formed() {
        for good in ["a@b.co", "first.last+tag@mail.example.com"] {
            assert!(
                check(json!({"name": "A", "phone": "12345", "satisfaction": 1, "email": good}))
                    .is_ok(),
                "{good}"
            );
        }
        for bad in [
            "plain",
            "@example.com",
            "a@",
            "a b@example.com",
            "a@@example.com",
        ] {
            assert_eq!(
                fields(json!({"name": "A", "phone": "12345", "satisfaction": 1, "email": bad})),
                ["email"],
                "{bad}"
            );
        }
    }

    #[test]
    fn every_problem_is_reported_at_once_in_the_forms_order_and_words() {
        let errors = check(json!({"name": "", "phone": "x", "satisfaction": 9, "email": "bad"}))
            .unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "phone", "satisfaction", "email"]);
        assert_eq!(
            errors[1].message,
            "Please enter a phone number of 5 to 20 digits (spaces, + and - are fine)."
        );
        for error in &errors {
            assert!(error.message.starts_with("Please "), "{error:?}");
        }
    }
}
