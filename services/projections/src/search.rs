//! Text search and similarity over issue texts, for Chinese (no spaces between
//! words) as well as English. Han and kana runs become overlapping character
//! bigrams (a run of one character is its own token); other letters and digits
//! become lower-cased words. Bigrams are the usual CJK search unit when no
//! dictionary is at hand: "停水" matches "三号楼停水三年" without segmentation.

use std::collections::{BTreeSet, HashMap};

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF      // kana
        | 0x3400..=0x4DBF    // Han extension A
        | 0x4E00..=0x9FFF    // Han
        | 0xF900..=0xFAFF    // compatibility ideographs
        | 0x20000..=0x2FFFF) // Han extensions B–F
}

/// The distinct tokens of a text.
pub fn tokens(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cjk: Vec<char> = Vec::new();
    let mut word = String::new();
    let flush_cjk = |run: &mut Vec<char>, out: &mut BTreeSet<String>| {
        match run.len() {
            0 => {}
            1 => {
                out.insert(run[0].to_string());
            }
            _ => {
                for pair in run.windows(2) {
                    out.insert(pair.iter().collect());
                }
            }
        }
        run.clear();
    };
    let flush_word = |word: &mut String, out: &mut BTreeSet<String>| {
        if !word.is_empty() {
            out.insert(std::mem::take(word));
        }
    };
    for c in text.chars() {
        if is_cjk(c) {
            flush_word(&mut word, &mut out);
            cjk.push(c);
        } else if c.is_alphanumeric() {
            flush_cjk(&mut cjk, &mut out);
            word.extend(c.to_lowercase());
        } else {
            flush_cjk(&mut cjk, &mut out);
            flush_word(&mut word, &mut out);
        }
    }
    flush_cjk(&mut cjk, &mut out);
    flush_word(&mut word, &mut out);
    out
}

/// Dice coefficient of two token sets: 1 for the same tokens, 0 for none shared.
pub fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.intersection(b).count();
    2.0 * shared as f64 / (a.len() + b.len()) as f64
}

/// Token → the documents (dense numbers) that contained it at some time, ascending.
/// Postings are never removed on edit; callers check candidates against current texts.
#[derive(Default)]
pub struct TextIndex {
    postings: HashMap<String, Vec<u32>>,
}

impl TextIndex {
    pub fn add(&mut self, doc: u32, tokens: &BTreeSet<String>) {
        for token in tokens {
            // Kept sorted: documents arrive in order, except when an edit re-adds one.
            let list = match self.postings.get_mut(token.as_str()) {
                Some(list) => list,
                None => self.postings.entry(token.clone()).or_default(),
            };
            match list.last() {
                Some(&last) if last >= doc => {
                    if let Err(at) = list.binary_search(&doc) {
                        list.insert(at, doc);
                    }
                }
                _ => list.push(doc),
            }
        }
    }

    /// Documents that (at some time) held every token of the query, ascending.
    pub fn all_of(&self, query: &BTreeSet<String>) -> Vec<u32> {
        let mut lists: Vec<&Vec<u32>> = Vec::with_capacity(query.len());
        for token in query {
            match self.postings.get(token) {
                Some(list) => lists.push(list),
                None => return Vec::new(),
            }
        }
        lists.sort_by_key(|l| l.len());
        let Some((first, rest)) = lists.split_first() else {
            return Vec::new();
        };
        let mut out: Vec<u32> = (*first).clone();
        for list in rest {
            out.retain(|doc| list.binary_search(doc).is_ok());
        }
        out
    }

    /// Documents sharing at least one of the query's rarer tokens (those held by at
    /// most `max_postings` documents: common tokens say little about similarity).
    pub fn any_of(&self, query: &BTreeSet<String>, max_postings: usize) -> BTreeSet<u32> {
        query
            .iter()
            .filter_map(|token| self.postings.get(token))
            .filter(|list| list.len() <= max_postings)
            .flat_map(|list| list.iter().copied())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn chinese_becomes_bigrams_and_english_words() {
        assert_eq!(tokens("三号楼停水"), set(&["三号", "号楼", "楼停", "停水"]));
        assert_eq!(tokens("水"), set(&["水"]));
        assert_eq!(
            tokens("Water OUTAGE, bldg 3 停水"),
            set(&["water", "outage", "bldg", "3", "停水"])
        );
    }

    #[test]
    fn the_index_finds_documents_holding_every_token() {
        let mut index = TextIndex::default();
        index.add(0, &tokens("三号楼停水三年"));
        index.add(1, &tokens("路灯不亮"));
        index.add(2, &tokens("五号楼停水"));
        assert_eq!(index.all_of(&tokens("停水")), vec![0, 2]);
        assert_eq!(index.all_of(&tokens("三号楼停水")), vec![0]);
        assert!(index.all_of(&tokens("停电")).is_empty());
        assert_eq!(
            index.any_of(&tokens("停水了"), 10),
            [0, 2].into_iter().collect()
        );
        let a = tokens("三号楼停水");
        assert!(similarity(&a, &tokens("三号楼停水三年")) > similarity(&a, &tokens("路灯不亮")));
    }
}
