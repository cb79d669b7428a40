//! A map uploaded as one zip. Entries that would land outside the zip's folder are left out
//! (and said so in the warnings), and both the number of entries and the bytes unpacked are
//! capped, the bytes by what is actually read, never by what a header claims.

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Component, Path};

use serde::Deserialize;

use super::error::ImportError;
use super::files::TiledFiles;

/// How much a zip may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZipLimits {
    /// Entries of any kind, folders included.
    pub max_entries: usize,
    /// Bytes of all files together, once unpacked.
    pub max_total_bytes: u64,
}

impl Default for ZipLimits {
    /// 1,000 entries and 64 MiB: a map, its tilesets and their images many times over.
    fn default() -> Self {
        Self { max_entries: 1000, max_total_bytes: 64 * 1024 * 1024 }
    }
}

impl TiledFiles {
    /// One zip holding the map (the single .tmj, or .json that is not a tileset, at any
    /// depth) and the files it refers to. Entries whose path would climb out of the zip
    /// (`../x`) are skipped and named in the import's warnings; folders, symlinks and
    /// `__MACOSX/` are skipped silently; too many entries or bytes refuse the whole zip.
    pub fn from_zip(bytes: &[u8], limits: ZipLimits) -> Result<Self, ImportError> {
        let bad = |e: ::zip::result::ZipError| ImportError::BadZip(e.to_string());
        let mut archive = ::zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
        if archive.len() > limits.max_entries {
            return Err(ImportError::TooLarge(format!(
                "the zip holds {} entries; at most {}",
                archive.len(),
                limits.max_entries
            )));
        }
        let mut files = HashMap::new();
        let mut notes = Vec::new();
        let mut room = limits.max_total_bytes;
        for index in 0..archive.len() {
            let mut entry = archive.by_index(index).map_err(bad)?;
            if entry.is_dir() || entry.is_symlink() {
                continue;
            }
            let Some(path) = entry.enclosed_name().and_then(|path| slash_path(&path)) else {
                notes.push(format!("zip entry \"{}\" points outside the zip and was left out", entry.name()));
                continue;
            };
            // Finder's resource forks, never part of a map.
            if path.split('/').any(|part| part == "__MACOSX") {
                continue;
            }
            let mut data = Vec::new();
            (&mut entry)
                .take(room.saturating_add(1))
                .read_to_end(&mut data)
                .map_err(|e| ImportError::BadZip(format!("{path}: {e}")))?;
            room = room.checked_sub(data.len() as u64).ok_or_else(|| {
                ImportError::TooLarge(format!(
                    "the zip unpacks to more than {} bytes",
                    limits.max_total_bytes
                ))
            })?;
            files.insert(path, data);
        }
        let map_path = the_map(&files)?;
        let map = files.remove(&map_path).unwrap_or_default();
        let mut map_dir: Vec<String> = map_path.split('/').map(str::to_owned).collect();
        map_dir.pop();
        Ok(Self { map, map_dir, files, notes })
    }
}

/// The path as `a/b/c`, from the normal components `enclosed_name` leaves.
fn slash_path(path: &Path) -> Option<String> {
    let parts: Option<Vec<&str>> = path
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_str()),
            _ => None,
        })
        .collect();
    parts.filter(|parts| !parts.is_empty()).map(|parts| parts.join("/"))
}

/// The one map among the files: tilesets may be .json too, so those saying so are not maps.
fn the_map(files: &HashMap<String, Vec<u8>>) -> Result<String, ImportError> {
    #[derive(Deserialize)]
    struct Kind {
        #[serde(rename = "type")]
        kind: Option<String>,
    }
    let mut maps: Vec<&String> = files
        .iter()
        .filter(|(path, _)| {
            let lower = path.to_ascii_lowercase();
            lower.ends_with(".tmj") || lower.ends_with(".json")
        })
        .filter(|(_, bytes)| {
            serde_json::from_slice::<Kind>(bytes).map_or(true, |k| k.kind.as_deref() != Some("tileset"))
        })
        .map(|(path, _)| path)
        .collect();
    maps.sort();
    match maps.as_slice() {
        [one] => Ok((*one).clone()),
        [] => Err(ImportError::BadZip("it holds no Tiled map (a .tmj or .json file)".to_owned())),
        several => Err(ImportError::BadZip(format!(
            "it holds several maps ({}); a zip may hold one",
            several.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
        ))),
    }
}
