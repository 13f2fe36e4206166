//! Issue 11 class 9: whatever `validate` accepts, the generator turns into code that
//! compiles without warnings and behaves. `tests/fixtures/adversarial/` holds valid
//! manifests built to break naive generation (text rustc refuses in comments and raw
//! literals, names that are keywords, prelude items, CamelCase, enum values without
//! ASCII letters, the deepest output schema the loader allows); the build script
//! generates them and this module compiles them under `deny(warnings, missing_docs)`.

/// The adversarial tools.
#[deny(warnings, missing_docs)]
pub mod adversarial_tools {
    cladgen::include_tools!("adversarial");
}

use adversarial_tools::Tools;
use cladgen::{ExecContext, Flavor, Tool};
use serde_json::{Value, json};

fn ctx() -> ExecContext {
    ExecContext::new("s", "/e")
}

/// Nesting depth of a JSON value (a scalar is 0).
fn depth(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Value::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

#[test]
fn text_rustc_refuses_in_comments_and_raw_literals_reaches_the_code_intact() {
    use adversarial_tools::text_hazards::{self as t, Mode, TextHazardsArgs};
    // The manifest's text is kept as written in the data the runtime uses.
    assert!(t::MANIFEST.tool.description.contains("one\rline"));
    assert!(t::MANIFEST.tool.description.contains('\u{202E}'));
    let schema = t::input_schema();
    assert_eq!(
        schema["properties"]["target"]["description"],
        "bare\rCR and \u{202E} reversed; ends the raw string? \"#"
    );
    let a = TextHazardsArgs::from_json(&json!({"target": "x"})).unwrap();
    assert_eq!(a.note.as_str(), "x\"#y");
    assert_eq!(a.mode, Mode::U002D);
    assert_eq!(a.argv(&ctx()), ["echo", "--lit=\"#", "x", "x\"#y", "-"]);
}

#[test]
fn enum_values_without_ascii_letters_keywords_and_prelude_names_are_variants() {
    use adversarial_tools::text_hazards::Mode;
    assert_eq!(
        Mode::ALL,
        [
            Mode::U00E9,
            Mode::U002D,
            Mode::U002B,
            Mode::AB,
            Mode::Self_,
            Mode::None,
            Mode::Type,
            Mode::V2fa
        ]
    );
    let spelled: Vec<&str> = Mode::ALL.iter().map(|m| m.as_str()).collect();
    assert_eq!(
        spelled,
        ["\u{e9}", "-", "+", "a\"b", "Self", "None", "type", "2fa"]
    );
    for m in Mode::ALL {
        assert_eq!(m.as_str().parse::<Mode>().unwrap(), m);
    }
}

#[test]
fn the_deepest_output_schema_the_loader_allows_parses_in_every_form() {
    use adversarial_tools::text_hazards as t;
    let out = t::output_schema().expect("the tool declares an output");
    // Never a silent `null`: the constant parsed, envelope and all.
    assert!(out.is_object(), "{out}");
    let results = &out["properties"]["results"]["anyOf"][0];
    assert_eq!(depth(results), 32, "{results}");
    assert_eq!(results["description"], "results \u{202E} with \"# inside");
    for flavor in Flavor::ALL {
        let defs = t::tool_definitions(flavor);
        assert_eq!(defs.len(), 1, "{flavor:?}");
        assert!(defs[0].is_object(), "{flavor:?}");
    }
}

#[test]
fn prelude_names_keywords_and_camel_case_become_snake_case_fields() {
    use adversarial_tools::prelude_names::{self as p, Option as Opt, PreludeNamesArgs, Self_};
    let call = json!({
        "Err": "e", "build": 3, "None": "n", "Some": "s", "Ok": true, "Self": "crate",
        "String": 7, "Option": "b", "Vec": true, "targetIP": "10.0.0.1", "a__b": 2,
        "r": 1, "Type": "t"
    });
    let a = PreludeNamesArgs::from_json(&call).unwrap();
    assert_eq!(a.err.as_str(), "e");
    assert_eq!(a.build.get(), 3);
    assert_eq!(a.none.as_ref().map(|v| v.as_str()), Some("n"));
    assert_eq!(a.self_, Self_::Crate);
    assert_eq!(a.option, Some(Opt::B));
    assert_eq!(a.r.as_ref().map(|v| v.get()), Some(1));
    assert_eq!(a.r#type.as_ref().map(|v| v.as_str()), Some("t"));
    assert_eq!(
        a.argv(&ctx()),
        [
            "echo",
            "e",
            "--build=3",
            "--none=n",
            "--some=s",
            "--crate",
            "--string=7",
            "--option=b",
            "--ip=10.0.0.1",
            "--ab=2",
            "--r=1",
            "--type=t",
            "-v",
            "--ok",
            "s"
        ]
    );
    // JSON keys stay the manifest's names.
    assert_eq!(a.to_json(), call);
    // Defaults: `Self` defaults to `None`, whose flags are `--none-value`.
    let b = PreludeNamesArgs::from_json(&json!({"Err": "e", "build": 0})).unwrap();
    assert_eq!(b.self_, Self_::None);
    assert_eq!(b.argv(&ctx()), ["echo", "e", "--build=0", "--none-value"]);
    // The builder: required arguments are parameters, `build` among them.
    let c = PreludeNamesArgs::builder(a.err.clone(), a.build)
        .none(a.none.clone().unwrap())
        .self_(Self_::Self_)
        .build();
    assert_eq!(c.argv(&ctx())[3..], ["--none=n", "--self"]);
    assert_eq!(p::NAME, "PreludeNames");
}

#[test]
fn tools_named_like_keywords_get_a_module_and_a_variant() {
    use adversarial_tools::self_::{Self_, SelfArgs};
    use adversarial_tools::r#type::{NoneArgs, TypeCommand};
    let a = SelfArgs::from_json(&json!({"self": "y", "crate": 8080, "super": true})).unwrap();
    assert_eq!(a.self_, Self_::Y);
    assert_eq!(a.argv(&ctx()), ["echo", "y", "8080", "--super"]);
    assert_eq!(
        TypeCommand::TOOL_NAMES,
        ["type__Self", "type__None"].as_slice()
    );
    let cmd = TypeCommand::from_call("type__None", &json!({"ref": "e42"})).unwrap();
    assert!(matches!(&cmd, TypeCommand::None(NoneArgs { .. })));
    assert!(matches!(
        TypeCommand::from_call("type__Self", &json!({})).unwrap(),
        TypeCommand::Self_(_)
    ));
    assert_eq!(
        Tools::NAMES.as_slice(),
        [
            "PreludeNames",
            "public_lookup",
            "self",
            "text_hazards",
            "type__Self",
            "type__None"
        ]
    );
    assert!(matches!(
        Tools::from_call("self", &json!({"self": "x"})).unwrap(),
        Tools::Self_(_)
    ));
}

#[test]
fn an_http_tool_without_secrets_builds_its_request_and_compiles_without_warnings() {
    use adversarial_tools::public_lookup::PublicLookupArgs;
    let args = PublicLookupArgs::from_json(&json!({"word": "quay"})).unwrap();
    let req = args
        .http_request(&ctx(), &cladgen::EnvSecrets)
        .expect("no secret to resolve");
    assert_eq!(
        req.url(),
        "https://dictionary.example.com/api/v1/entries?q=quay"
    );
    assert!(PublicLookupArgs::from_json(&json!({"word": "Quay"})).is_err());
}
