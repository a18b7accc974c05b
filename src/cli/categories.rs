//! `privflow categories [--terms]`: the taxonomy tree, optionally with the
//! notice lexicon's terms under each category.

use std::process::ExitCode;

use privflow::diagnostics::{Code, InputError, Text};
use privflow::notice::lexicon::Lexicon;
use privflow::taxonomy::Taxonomy;
use privflow::{InputErrors, Lang};

pub fn run(lang: Lang, terms: bool) -> ExitCode {
    let taxonomy = Taxonomy::builtin();
    if !terms {
        print!("{}", taxonomy.render_tree(lang));
        return ExitCode::SUCCESS;
    }
    let lexicon = match Lexicon::builtin() {
        Ok(lexicon) => lexicon,
        Err(e) => {
            return super::input_errors(&InputErrors(vec![InputError::new(Code::Lexicon, Text::same(e))]).in_lang(lang))
        }
    };
    let label = Text::new("terms", "用语");
    let line = |category: &privflow::taxonomy::Category| {
        let entry = lexicon.entry(&category.id)?;
        Some(format!("{}: {}", label.get(lang), entry.written.join(", ")))
    };
    print!("{}", taxonomy.render_tree_with(lang, &line));
    ExitCode::SUCCESS
}
