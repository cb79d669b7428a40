//! What an import read past without understanding, told once each and only so many: a map
//! with one odd property on ten thousand tiles must not bury the person in the same line.

use std::collections::HashSet;

/// Most warnings handed back; the rest are counted in one last line.
pub(super) const MAX_WARNINGS: usize = 100;

#[derive(Debug, Default)]
pub(super) struct Warnings {
    seen: HashSet<String>,
    kept: Vec<String>,
    left_out: usize,
}

impl Warnings {
    pub fn add(&mut self, warning: String) {
        if self.seen.contains(&warning) {
            return;
        }
        if self.kept.len() < MAX_WARNINGS {
            self.kept.push(warning.clone());
        } else {
            self.left_out += 1;
        }
        self.seen.insert(warning);
    }

    pub fn into_list(mut self) -> Vec<String> {
        if self.left_out > 0 {
            self.kept.push(format!("… and {} more", self.left_out));
        }
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_warning_is_told_once_and_the_list_is_capped() {
        let mut warnings = Warnings::default();
        for _ in 0..3 {
            warnings.add("same".to_owned());
        }
        for i in 0..MAX_WARNINGS + 5 {
            warnings.add(format!("warning {i}"));
        }
        let list = warnings.into_list();
        assert_eq!(list.len(), MAX_WARNINGS + 1);
        assert_eq!(list[0], "same");
        assert_eq!(list[MAX_WARNINGS - 1], format!("warning {}", MAX_WARNINGS - 2));
        assert_eq!(list[MAX_WARNINGS], "… and 6 more");
    }
}
