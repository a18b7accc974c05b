//! `privflow categories`.

use std::process::ExitCode;

use privflow::taxonomy::Taxonomy;
use privflow::Lang;

pub fn run(lang: Lang) -> ExitCode {
    print!("{}", Taxonomy::builtin().render_tree(lang));
    ExitCode::SUCCESS
}
