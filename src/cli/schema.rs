//! `privflow schema`: the manifest's JSON Schema, generated from the serde
//! model so editors (yaml-language-server) complete and validate manifests.
//! The committed copy is `schema/privflow.schema.json`; a test keeps the two
//! equal.

use std::process::ExitCode;

use privflow::manifest::Manifest;

/// Where the schema is published, for `$id`.
const SCHEMA_ID: &str = "https://raw.githubusercontent.com/privflow/privflow/main/schema/privflow.schema.json";

pub fn run() -> ExitCode {
    print!("{}", render());
    ExitCode::SUCCESS
}

/// The schema as pretty JSON. Draft 7: the draft yaml-language-server
/// supports best.
pub fn render() -> String {
    let mut schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Manifest>();
    schema.insert("$id".to_string(), SCHEMA_ID.into());
    // A schema is plain JSON: serialization cannot fail.
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
