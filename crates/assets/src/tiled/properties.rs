//! Custom properties: the few Gather understands are read, typed as Tiled types them, and
//! every other one is named in a warning, so a map made for another tool says what is lost.

use serde_json::Value;

use super::format::Property;
use super::warnings::Warnings;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Bool,
    Int,
}

impl Kind {
    fn tiled_name(self) -> &'static str {
        match self {
            Kind::Bool => "bool",
            Kind::Int => "int",
        }
    }

    fn accepts(self, property: &Property) -> bool {
        property.kind == self.tiled_name()
            && match self {
                Kind::Bool => property.value.is_boolean(),
                Kind::Int => property.value.is_i64() || property.value.is_u64(),
            }
    }
}

/// The understood properties of one thing (a layer, a tile, an object).
#[derive(Debug, Default)]
pub(super) struct Known<'a> {
    values: Vec<(&'static str, &'a Value)>,
}

impl Known<'_> {
    /// A bool property; absent is false.
    pub fn flag(&self, name: &str) -> bool {
        self.get(name).and_then(Value::as_bool).unwrap_or(false)
    }

    pub fn int(&self, name: &str) -> Option<i64> {
        self.get(name).and_then(Value::as_i64)
    }

    fn get(&self, name: &str) -> Option<&Value> {
        self.values.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
    }
}

/// Reads `list`, keeping those named in `known` with the right type; `context` names the
/// owner in warnings, e.g. `layer "floor"`.
pub(super) fn read<'a>(
    list: &'a [Property],
    known: &[(&'static str, Kind)],
    context: &str,
    warnings: &mut Warnings,
) -> Known<'a> {
    let mut values = Vec::new();
    for property in list {
        match known.iter().find(|(name, _)| *name == property.name) {
            Some((name, kind)) if kind.accepts(property) => values.push((*name, &property.value)),
            Some((name, kind)) => warnings.add(format!(
                "{context}: property \"{name}\" should be a {}, not a {}; it is ignored",
                kind.tiled_name(),
                property.kind
            )),
            None => warnings.add(format!("{context}: property \"{}\" is not supported", property.name)),
        }
    }
    Known { values }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn property(name: &str, kind: &str, value: Value) -> Property {
        Property { name: name.to_owned(), kind: kind.to_owned(), value }
    }

    #[test]
    fn known_properties_of_the_right_type_are_kept_and_the_rest_reported() {
        let list = [
            property("locked", "bool", Value::Bool(true)),
            property("maxOccupancy", "int", Value::from(4)),
            property("collides", "string", Value::from("true")),
            property("openWebsite", "string", Value::from("https://example.com")),
        ];
        let known = [("locked", Kind::Bool), ("maxOccupancy", Kind::Int), ("collides", Kind::Bool)];
        let mut warnings = Warnings::default();
        let read = read(&list, &known, "object \"room\"", &mut warnings);
        assert!(read.flag("locked"));
        assert_eq!(read.int("maxOccupancy"), Some(4));
        assert!(!read.flag("collides"), "a string is not a bool");
        assert_eq!(
            warnings.into_list(),
            [
                "object \"room\": property \"collides\" should be a bool, not a string; it is ignored",
                "object \"room\": property \"openWebsite\" is not supported",
            ]
        );
    }
}
