//! Tiled's JSON map format (TMJ) as far as Gather reads it, in our own serde types. Fields
//! Tiled may leave out default, so that maps from older and newer Tiled versions parse; what
//! a field means is decided elsewhere.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Map {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub orientation: Option<String>,
    pub infinite: bool,
    pub width: u32,
    pub height: u32,
    pub tilewidth: u32,
    pub tileheight: u32,
    pub backgroundcolor: Option<String>,
    pub layers: Vec<Layer>,
    pub tilesets: Vec<TilesetRef>,
    pub properties: Vec<Property>,
}

#[derive(Debug, Deserialize)]
#[serde(default)]
pub(super) struct Layer {
    #[serde(rename = "type")]
    pub kind: String,
    pub name: String,
    pub class: String,
    pub visible: bool,
    pub opacity: f32,
    pub offsetx: f64,
    pub offsety: f64,
    pub tintcolor: Option<String>,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub data: Option<LayerData>,
    pub chunks: Option<Value>,
    pub encoding: Option<String>,
    pub compression: Option<String>,
    pub objects: Vec<Object>,
    pub layers: Vec<Layer>,
    pub properties: Vec<Property>,
}

impl Default for Layer {
    fn default() -> Self {
        Self {
            kind: String::new(),
            name: String::new(),
            class: String::new(),
            // Tiled leaves these out when they have their usual values.
            visible: true,
            opacity: 1.0,
            offsetx: 0.0,
            offsety: 0.0,
            tintcolor: None,
            width: None,
            height: None,
            data: None,
            chunks: None,
            encoding: None,
            compression: None,
            objects: Vec::new(),
            layers: Vec::new(),
            properties: Vec::new(),
        }
    }
}

/// A tile layer's cells: global tile ids, as numbers or as base64 text (`encoding`).
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub(super) enum LayerData {
    Gids(Vec<u32>),
    Encoded(String),
}

/// A tileset as the map lists it: embedded, or a `source` file holding the rest.
#[derive(Debug, Deserialize)]
pub(super) struct TilesetRef {
    pub firstgid: u32,
    pub source: Option<String>,
    #[serde(flatten)]
    pub tileset: Tileset,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Tileset {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub name: String,
    pub image: Option<String>,
    pub tilewidth: u32,
    pub tileheight: u32,
    pub columns: u32,
    pub margin: u32,
    pub spacing: u32,
    pub tilecount: u32,
    pub transparentcolor: Option<String>,
    pub tileoffset: Option<TileOffset>,
    pub tiles: Vec<Tile>,
    pub properties: Vec<Property>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct TileOffset {
    pub x: i64,
    pub y: i64,
}

/// What a tileset says about one of its tiles.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Tile {
    pub id: u32,
    // Tiled 1.9 wrote `class`, 1.10 went back to `type`.
    #[serde(rename = "type", alias = "class")]
    pub class: String,
    pub image: Option<String>,
    pub objectgroup: Option<Value>,
    pub animation: Option<Value>,
    pub properties: Vec<Property>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Object {
    pub id: u32,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub class: String,
    pub x: f64,
    pub y: f64,
    pub width: f64,
    pub height: f64,
    pub rotation: f64,
    pub point: bool,
    pub ellipse: bool,
    pub polygon: Option<Value>,
    pub polyline: Option<Value>,
    pub text: Option<Value>,
    pub gid: Option<u32>,
    pub template: Option<String>,
    pub properties: Vec<Property>,
}

impl Object {
    /// Its class, whichever field this Tiled version kept it in.
    pub fn class(&self) -> &str {
        if self.kind.is_empty() {
            &self.class
        } else {
            &self.kind
        }
    }

    /// What it is when it is not a plain rectangle, in words for a warning.
    pub fn shape(&self) -> Option<&'static str> {
        if self.point {
            Some("a point")
        } else if self.ellipse {
            Some("an ellipse")
        } else if self.polygon.is_some() {
            Some("a polygon")
        } else if self.polyline.is_some() {
            Some("a polyline")
        } else if self.text.is_some() {
            Some("a text")
        } else if self.gid.is_some() {
            Some("a tile object")
        } else {
            None
        }
    }
}

/// A custom property: `{name, type, value}`, `type` left out for strings.
#[derive(Debug, Deserialize)]
pub(super) struct Property {
    pub name: String,
    #[serde(rename = "type", default = "string_type")]
    pub kind: String,
    #[serde(default)]
    pub value: Value,
}

fn string_type() -> String {
    "string".to_owned()
}

/// A colour as Tiled writes it, `#RRGGBB` or `#AARRGGBB`, as RGBA.
pub(super) fn color(text: &str) -> Option<[u8; 4]> {
    let hex = text.strip_prefix('#').unwrap_or(text);
    let byte = |i: usize| hex.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok());
    match hex.len() {
        6 => Some([byte(0)?, byte(2)?, byte(4)?, 255]),
        8 => Some([byte(2)?, byte(4)?, byte(6)?, byte(0)?]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_are_read_with_or_without_alpha() {
        assert_eq!(color("#ff8000"), Some([255, 128, 0, 255]));
        assert_eq!(color("#80ff8000"), Some([255, 128, 0, 128]));
        assert_eq!(color("ff8000"), Some([255, 128, 0, 255]));
        assert_eq!(color("#ff80"), None);
        assert_eq!(color("#gg8000"), None);
    }
}
