//! [`List`]: the arrays of a pod view, with no heap allocation for one element.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::json::{self, Reader};

/// A JSON array kept without a heap allocation when it has at most one element, the usual
/// case: one container, one capability to drop, one source per volume. Reads as a slice.
#[derive(Clone, Default)]
pub enum List<T> {
    #[default]
    Empty,
    One(T),
    Many(Vec<T>),
}

impl<T> Deref for List<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        match self {
            List::Empty => &[],
            List::One(item) => std::slice::from_ref(item),
            List::Many(items) => items,
        }
    }
}

impl<T> DerefMut for List<T> {
    fn deref_mut(&mut self) -> &mut [T] {
        match self {
            List::Empty => &mut [],
            List::One(item) => std::slice::from_mut(item),
            List::Many(items) => items,
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for List<T> {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> List<T> {
    pub fn push(&mut self, item: T) {
        match self {
            List::Many(items) => items.push(item),
            List::Empty => *self = List::One(item),
            List::One(_) => {
                if let List::One(first) = std::mem::take(self) {
                    *self = List::Many(vec![first, item]);
                }
            }
        }
    }

    /// Keeps the elements for which `keep` holds, in order (for exclusions, off the hot path).
    pub fn retain_mut(&mut self, mut keep: impl FnMut(&mut T) -> bool) {
        let mut kept = List::Empty;
        for mut item in self.take_all() {
            if keep(&mut item) {
                kept.push(item);
            }
        }
        *self = kept;
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.retain_mut(|item| keep(item));
    }

    /// Removes consecutive repeats, as `Vec::dedup`.
    pub fn dedup(&mut self)
    where
        T: PartialEq,
    {
        if let List::Many(items) = self {
            items.dedup();
        }
    }

    fn take_all(&mut self) -> Vec<T> {
        match std::mem::take(self) {
            List::Empty => Vec::new(),
            List::One(item) => vec![item],
            List::Many(items) => items,
        }
    }
}

/// Collects without a heap allocation when there is at most one item: the usual case for
/// the containers a control names.
impl<T> FromIterator<T> for List<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = List::Empty;
        for item in items {
            list.push(item);
        }
        list
    }
}

impl<'l, T> IntoIterator for &'l List<T> {
    type Item = &'l T;
    type IntoIter = std::slice::Iter<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<'l, T> IntoIterator for &'l mut List<T> {
    type Item = &'l mut T;
    type IntoIter = std::slice::IterMut<'l, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter_mut()
    }
}

impl<T> List<T> {
    /// Reads a JSON array, each element with `element`.
    pub(crate) fn read<'a>(
        r: &mut Reader<'a>,
        mut element: impl FnMut(&mut Reader<'a>) -> json::Result<T>,
    ) -> json::Result<Self> {
        let mut list = List::Empty;
        r.array("an array", |r| {
            list.push(element(r)?);
            Ok(())
        })?;
        Ok(list)
    }

    /// `null` or an array: `null` and absent both mean empty, as in Kubernetes' Go types.
    pub(crate) fn read_nullable<'a>(
        r: &mut Reader<'a>,
        element: impl FnMut(&mut Reader<'a>) -> json::Result<T>,
    ) -> json::Result<Self> {
        r.or_default(|r| List::read(r, element))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collected_lists_hold_one_item_inline() {
        // What a control collects (the containers it names) is usually one item: no Vec.
        assert!(matches!(List::from_iter(["a"]), List::One("a")));
        assert!(matches!(List::<&str>::from_iter([]), List::Empty));
        let mut many = List::from_iter(["b", "b", "a", "b"]);
        assert!(matches!(many, List::Many(_)));
        many.dedup();
        assert_eq!(*many, ["b", "a", "b"]);
        let mut one = List::from_iter(["a"]);
        one.dedup();
        assert_eq!(*one, ["a"]);
    }
}
