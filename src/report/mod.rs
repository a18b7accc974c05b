//! Output formats; each reads only the Report.
pub mod human;
pub mod json;
pub mod rules;
