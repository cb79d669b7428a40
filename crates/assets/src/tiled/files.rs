//! The files of one upload and how a map's references find them: by path relative to the
//! referring file, then by bare file name (browsers upload bare names). Nothing is ever
//! fetched or read from disk.

use std::collections::HashMap;

use super::error::ImportError;

/// A Tiled map and the files uploaded with it.
#[derive(Debug, Clone)]
pub struct TiledFiles {
    pub(super) map: Vec<u8>,
    /// The folder holding the map, as path components from the upload's root.
    pub(super) map_dir: Vec<String>,
    /// Every other file, by its normalised path from the upload's root.
    pub(super) files: HashMap<String, Vec<u8>>,
    /// What unpacking left out, told with the import's warnings.
    pub(super) notes: Vec<String>,
}

/// A file found for a reference, and the folder its own references start from.
pub(super) struct Found<'a> {
    pub bytes: &'a [u8],
    pub dir: Vec<String>,
}

impl TiledFiles {
    /// A .tmj/.json map with the files uploaded alongside it, keyed by their names as
    /// uploaded (bare names or paths from a common root).
    pub fn loose(map_json: Vec<u8>, files: Vec<(String, Vec<u8>)>) -> Self {
        let files = files
            .into_iter()
            .map(|(name, bytes)| {
                let key = normalized(&[], &name).unwrap_or_else(|| bare_name(&name).to_owned());
                (key, bytes)
            })
            .collect();
        Self { map: map_json, map_dir: Vec::new(), files, notes: Vec::new() }
    }

    /// Finds what `reference` names, written in a file that lies in `dir`.
    pub(super) fn find(&self, dir: &[String], reference: &str) -> Result<Found<'_>, ImportError> {
        if is_remote(reference) {
            return Err(ImportError::RemoteFile(reference.to_owned()));
        }
        if let Some((key, bytes)) = normalized(dir, reference).and_then(|key| self.files.get_key_value(&key))
        {
            return Ok(found(key, bytes));
        }
        let name = bare_name(reference);
        let mut same_name = self.files.iter().filter(|(key, _)| bare_name(key) == name);
        match (same_name.next(), same_name.next()) {
            (Some((key, bytes)), None) => Ok(found(key, bytes)),
            (Some(_), Some(_)) => Err(ImportError::AmbiguousFile(name.to_owned())),
            (None, _) => Err(ImportError::MissingFile(reference.to_owned())),
        }
    }
}

fn found<'a>(key: &str, bytes: &'a [u8]) -> Found<'a> {
    let mut dir: Vec<String> = key.split('/').map(str::to_owned).collect();
    dir.pop();
    Found { bytes, dir }
}

/// `reference` joined to `dir`, with `.` and `..` worked out; `None` when it climbs above
/// the upload's root.
pub(super) fn normalized(dir: &[String], reference: &str) -> Option<String> {
    let mut parts: Vec<&str> = dir.iter().map(String::as_str).collect();
    for part in reference.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn bare_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// A URL of any scheme (`http:`, `data:`, `file:`...) or a scheme-relative `//host/...`. A
/// single letter before the colon is a Windows drive, which is looked up by file name.
fn is_remote(reference: &str) -> bool {
    if reference.starts_with("//") || reference.starts_with("\\\\") {
        return true;
    }
    let Some((scheme, _)) = reference.split_once(':') else { return false };
    scheme.len() > 1
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> TiledFiles {
        TiledFiles::loose(
            Vec::new(),
            vec![
                ("maps/tiles.png".into(), vec![1]),
                ("other.png".into(), vec![2]),
                ("a/x.png".into(), vec![3]),
            ],
        )
    }

    #[test]
    fn references_are_found_by_relative_path_then_by_name() {
        let files = files();
        let maps = ["maps".to_owned()];
        assert_eq!(files.find(&maps, "tiles.png").unwrap().bytes, [1]);
        assert_eq!(files.find(&maps, "./../maps/tiles.png").unwrap().bytes, [1]);
        assert_eq!(files.find(&[], "../../tiles/other.png").unwrap().bytes, [2], "by name");
        assert_eq!(files.find(&[], "C:\\Users\\me\\other.png").unwrap().bytes, [2]);
        assert_eq!(files.find(&[], "tiles.png").unwrap().dir, ["maps"]);
        assert_eq!(files.find(&maps, "gone.png").err(), Some(ImportError::MissingFile("gone.png".into())));
    }

    #[test]
    fn urls_are_never_looked_up() {
        let files = files();
        for url in [
            "http://example.com/other.png",
            "https://x/other.png",
            "data:image/png;base64,AA",
            "//x/other.png",
        ] {
            assert_eq!(files.find(&[], url).err(), Some(ImportError::RemoteFile(url.into())), "{url}");
        }
    }

    #[test]
    fn two_files_of_one_name_are_not_guessed_between() {
        let files =
            TiledFiles::loose(Vec::new(), vec![("a/t.png".into(), vec![1]), ("b/t.png".into(), vec![2])]);
        assert_eq!(files.find(&[], "t.png").err(), Some(ImportError::AmbiguousFile("t.png".into())));
        assert_eq!(files.find(&["b".to_owned()], "t.png").unwrap().bytes, [2]);
    }
}
