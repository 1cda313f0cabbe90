//! What the stages' settings types share: the error that names a setting by its key, and
//! settings values read and written as the text the command line accepts.
//!
//! Every stage has one settings type next to it (`style::StyleSettings`,
//! `cluster::ClusterSettings`, ...): its analysis settings only, never a path. Each
//! derives serde with kebab-case keys (a study file's keys) and, with the `clap`
//! feature, `clap::Args` with the same names as long flags, so one set of names and one
//! `Default` serve the command line, study files and the Python package.

use std::fmt;

use peergroup_data::{Date, InputError};
use peergroup_segment::sales::Entity;
use peergroup_segment::transform::Transform;
use peergroup_style::Lambda;

use crate::similarity::Averaging;
use crate::KChoice;

/// A bad value of one setting, named by its key (the long flag without `--`, the key of
/// a study file), e.g. `k-max` with "must be at least 1, got 0".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SettingError {
    /// The setting's key, e.g. `k-max`.
    pub key: &'static str,
    /// What is wrong, phrased to follow the key, e.g. "must be at least 1, got 0".
    pub message: String,
}

impl SettingError {
    /// A bad value of the setting `key`.
    pub fn new(key: &'static str, message: impl Into<String>) -> SettingError {
        SettingError {
            key,
            message: message.into(),
        }
    }
}

impl fmt::Display for SettingError {
    /// As the command line says it: `--k-max must be at least 1, got 0`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "--{} {}", self.key, self.message)
    }
}

impl std::error::Error for SettingError {}

impl From<SettingError> for InputError {
    /// The command-line form of the message.
    fn from(e: SettingError) -> InputError {
        InputError::new(e.to_string())
    }
}

/// A settings value written as text: the text the command line accepts for it, which is
/// also its value in a study file.
pub trait SettingText: Sized {
    /// The value as text (read back by [`SettingText::from_text`]).
    fn to_text(&self) -> String;
    /// Read the text, or say what was expected.
    fn from_text(text: &str) -> Result<Self, String>;
}

/// Parse a settings value (clap's value parser of text-valued settings).
pub fn parse<T: SettingText>(text: &str) -> Result<T, String> {
    T::from_text(text)
}

/// A default value as clap shows it and reads it back: its text, kept for the life of the
/// program (built once, when the command line is defined).
pub fn default_text<T: SettingText>(value: &T) -> &'static str {
    Box::leak(value.to_text().into_boxed_str())
}

/// A list default as clap shows it and reads it back: comma-separated (clap would join
/// `default_values_t` with spaces, which a comma-delimited option does not accept as one
/// value). Built once, when the command line is defined.
pub fn comma_default<T: ToString>(values: &[T]) -> &'static str {
    let text: Vec<String> = values.iter().map(ToString::to_string).collect();
    Box::leak(text.join(",").into_boxed_str())
}

/// The command-line names of choices, for [`comma_default`].
#[cfg(feature = "clap")]
pub fn choice_names<T: clap::ValueEnum>(values: &[T]) -> Vec<String> {
    values
        .iter()
        .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
        .collect()
}

impl SettingText for KChoice {
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

impl SettingText for Averaging {
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        text.parse()
    }
}

impl SettingText for Date {
    fn to_text(&self) -> String {
        self.to_string()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        Date::parse(text).map_err(|e| e.to_string())
    }
}

impl SettingText for Lambda {
    /// `auto` or the number.
    fn to_text(&self) -> String {
        match self {
            Lambda::Auto => "auto".into(),
            Lambda::Fixed(v) => v.to_string(),
        }
    }
    /// `auto` or a positive number.
    fn from_text(text: &str) -> Result<Self, String> {
        if text.eq_ignore_ascii_case("auto") {
            return Ok(Lambda::Auto);
        }
        match text.parse::<f64>() {
            Ok(v) if v > 0.0 && v.is_finite() => Ok(Lambda::Fixed(v)),
            Ok(v) => Err(format!("λ must be positive, got {v}")),
            Err(_) => Err(format!(
                "expected 'auto' or a positive number, got '{text}'"
            )),
        }
    }
}

impl SettingText for Entity {
    fn to_text(&self) -> String {
        self.name().into()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        Entity::parse(text).ok_or_else(|| format!("expected office or fund, got '{text}'"))
    }
}

impl SettingText for Transform {
    fn to_text(&self) -> String {
        self.name().into()
    }
    fn from_text(text: &str) -> Result<Self, String> {
        Transform::parse(text)
            .ok_or_else(|| format!("expected share, log1p, zscore or rownorm, got '{text}'"))
    }
}

/// A text-valued setting as a study file may write it: text, or a bare number (`k = 4`,
/// `lambda = 0.5`) read as the number's text.
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum Scalar {
    Text(String),
    Unsigned(u64),
    Signed(i64),
    Float(f64),
}

impl Scalar {
    fn read<T: SettingText, E: serde::de::Error>(self) -> Result<T, E> {
        let text = match self {
            Scalar::Text(s) => s,
            Scalar::Unsigned(v) => v.to_string(),
            Scalar::Signed(v) => v.to_string(),
            Scalar::Float(v) => v.to_string(),
        };
        T::from_text(&text).map_err(E::custom)
    }
}

/// Serde of a [`SettingText`] value as its text (`#[serde(with = "as_text")]`).
pub(crate) mod as_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{Scalar, SettingText};

    pub(crate) fn serialize<T: SettingText, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&v.to_text())
    }

    pub(crate) fn deserialize<'de, T: SettingText, D: Deserializer<'de>>(
        d: D,
    ) -> Result<T, D::Error> {
        Scalar::deserialize(d)?.read()
    }
}

/// Serde of an optional [`SettingText`] value as its text or nothing.
pub(crate) mod as_text_option {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{Scalar, SettingText};

    pub(crate) fn serialize<T: SettingText, S: Serializer>(
        v: &Option<T>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_some(&v.to_text()),
            None => s.serialize_none(),
        }
    }

    pub(crate) fn deserialize<'de, T: SettingText, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<T>, D::Error> {
        Option::<Scalar>::deserialize(d)?
            .map(Scalar::read)
            .transpose()
    }
}

/// Serde of a list of [`SettingText`] values as a list of their texts.
pub(crate) mod as_text_list {
    use serde::ser::SerializeSeq;
    use serde::{Deserialize, Deserializer, Serializer};

    use super::{Scalar, SettingText};

    pub(crate) fn serialize<T: SettingText, S: Serializer>(
        v: &[T],
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for x in v {
            seq.serialize_element(&x.to_text())?;
        }
        seq.end()
    }

    pub(crate) fn deserialize<'de, T: SettingText, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        Vec::<Scalar>::deserialize(d)?
            .into_iter()
            .map(Scalar::read)
            .collect()
    }
}

/// The checks every settings type passes (used by each stage's tests).
#[cfg(all(test, feature = "clap"))]
pub(crate) mod check {
    use std::collections::BTreeSet;
    use std::fmt::Debug;

    use serde::de::DeserializeOwned;
    use serde::Serialize;

    use super::SettingError;

    #[derive(clap::Parser)]
    struct Cli<T: clap::Args> {
        #[command(flatten)]
        settings: T,
    }

    /// `T` as parsed from `args` (after the program name).
    pub(crate) fn parse<T: clap::Args + clap::FromArgMatches>(args: &[&str]) -> Result<T, String> {
        use clap::Parser;
        let mut all = vec!["x"];
        all.extend_from_slice(args);
        Cli::<T>::try_parse_from(all)
            .map(|c| c.settings)
            .map_err(|e| e.to_string())
    }

    /// An empty command line is `Default`; the serde keys are the long flags; `value`
    /// survives a JSON round trip; an unknown key is refused.
    pub(crate) fn settings_type<T>(value: &T)
    where
        T: clap::Args
            + clap::FromArgMatches
            + Serialize
            + DeserializeOwned
            + Default
            + PartialEq
            + Debug,
    {
        assert_eq!(parse::<T>(&[]).unwrap(), T::default());
        let json = serde_json::to_value(T::default()).unwrap();
        let keys: BTreeSet<String> = json.as_object().unwrap().keys().cloned().collect();
        let cmd = T::augment_args(clap::Command::new("x"));
        let flags: BTreeSet<String> = cmd
            .get_arguments()
            .filter_map(|a| a.get_long().map(String::from))
            .collect();
        assert_eq!(keys, flags);
        let text = serde_json::to_string(value).unwrap();
        assert_eq!(&serde_json::from_str::<T>(&text).unwrap(), value, "{text}");
        // An empty object is the default; an unknown key is refused by name.
        assert_eq!(serde_json::from_str::<T>("{}").unwrap(), T::default());
        let e = serde_json::from_str::<T>(r#"{"no-such-key": 1}"#).unwrap_err();
        assert!(e.to_string().contains("no-such-key"), "{e}");
    }

    /// A bad value of `key` given on the command line, or refused by the settings' own
    /// check, names the key.
    pub(crate) fn names_key(result: Result<(), SettingError>, key: &str) {
        let e = result.unwrap_err();
        assert_eq!(e.key, key);
        assert!(e.to_string().starts_with(&format!("--{key} ")), "{e}");
    }
}
