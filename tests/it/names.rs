//! Argument names that are Rust keywords or the generated code's own local names.

mod generated_names {
    cladgen::include_tools!("names");
}

use generated_names::awkward_names::{AwkwardNamesArgs, Type};
use serde_json::json;

#[test]
fn awkward_argument_names_compile_and_work() {
    let ctx = cladgen::ExecContext::new("s", "/e");
    let a = AwkwardNamesArgs::from_json(&json!({
        "errors": "x", "value": true, "self": 8080, "obj": "o", "type": "b", "arg_obj": 7
    }))
    .unwrap();
    assert_eq!(a.r#type, Type::B);
    assert_eq!(a.opts.get(), 3);
    assert_eq!(
        a.argv(&ctx),
        ["echo", "x", "--opts=3", "b", "o", "--n=7", "--port", "8080"]
    );
    let b = AwkwardNamesArgs::builder(
        cladgen::value::Text::parse_str(
            &cladgen::ArgSpec::new("errors", &cladgen::model::Constraints::NONE),
            "y",
            &cladgen::ParseOptions::DEFAULT,
        )
        .unwrap(),
    )
    .build();
    assert_eq!(b.argv(&ctx), ["echo", "y", "--opts=3", "a"]);
    let e = AwkwardNamesArgs::from_json(&json!({"opts": "many"})).unwrap_err();
    let got: Vec<_> = e.iter().map(|e| e.arg.as_str()).collect();
    assert_eq!(got, ["errors", "opts"]);
}

use cladgen::ArgValue;
