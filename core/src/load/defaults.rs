//! `default` values are checked against their own argument's type at build time.

use super::args::ArgInfo;
use super::codes;
use super::diag::Decorate;
use super::walk::Cx;
use crate::model::{Arg, TypeKind};
use crate::value::{ArgSpec, ParseOptions, Value};

/// Reports every `default` that its argument's type would refuse.
///
/// `credential_file` defaults are checked with the `path` rules only: whether the
/// file exists is a property of the machine that runs the tool, not of the manifest.
/// User (`extern`) types cannot be checked here; their generated code checks them.
pub(crate) fn check_defaults(cx: &mut Cx<'_>, args: &[Arg], infos: &[ArgInfo]) {
    for (arg, info) in args.iter().zip(infos) {
        let (Some(default), Some(written)) = (&arg.default, &info.default) else {
            continue;
        };
        if !info.type_ok {
            continue;
        }
        let kind = match &arg.ty.kind {
            TypeKind::CredentialFile => TypeKind::Path,
            TypeKind::Extern { .. } => continue,
            k => k.clone(),
        };
        let spec = ArgSpec::new(&arg.name, &arg.ty.constraints);
        if let Err(e) = Value::parse_json(&spec, &kind, &default.to_json(), &ParseOptions::DEFAULT)
        {
            let d = cx.sink.error(
                &codes::BAD_DEFAULT,
                written.span.clone(),
                format!(
                    "the `default` of argument `{}` is not a valid `{}`: {}",
                    arg.name, arg.ty.name, e.message
                ),
            );
            if let Some(expected) = &e.expected {
                d.note(format!("expected {expected}"));
            }
            d.help("fix the default, or remove it");
        }
    }
}
