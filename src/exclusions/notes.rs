//! The notes of the exclusions in use, as warnings and an audit annotation say them.

/// Notes of the exclusions in use: the first [`Notes::LISTED`] written out, the others only
/// counted, so that thousands of forgiven containers cost no note each.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Notes {
    pub listed: Vec<String>,
    /// Notes past the listed ones.
    pub more: usize,
}

impl Notes {
    /// How many notes are written out; a response says `and N more` for the others.
    pub const LISTED: usize = 10;

    /// Adds a note, written only if it is listed.
    pub(super) fn push(&mut self, note: impl FnOnce() -> String) {
        if self.listed.len() < Self::LISTED {
            self.listed.push(note());
        } else {
            self.more += 1;
        }
    }

    /// Adds the notes of `other` after these.
    pub fn extend(&mut self, other: Notes) {
        for note in other.listed {
            self.push(|| note);
        }
        self.more += other.more;
    }

    pub fn is_empty(&self) -> bool {
        self.listed.is_empty()
    }

    /// Adds a note unless it is listed already (a control judged at several revisions, or
    /// a pod judged again after mutation, notes the same exclusion again).
    pub fn add_unique(&mut self, note: String) {
        if !self.listed.contains(&note) {
            self.push(|| note);
        }
    }

    /// Adds the notes of another judgement of the same pod (another mode, or the pod as it
    /// will be stored): each note once, and of those not written out the larger count.
    pub fn merge(&mut self, other: Notes) {
        let more = self.more.max(other.more);
        for note in other.listed {
            self.add_unique(note);
        }
        self.more = self.more.max(more);
    }

    /// Keeps the first of notes listed twice.
    pub fn dedup(&mut self) {
        let mut seen = std::collections::BTreeSet::new();
        self.listed.retain(|note| seen.insert(note.clone()));
    }
}
