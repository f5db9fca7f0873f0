//! Constants: of a plain integer type, a constant of the module; of flags or a handle, an
//! associated constant of the type.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use witx::{Type, TypeRef};

use crate::{Error, names};

pub(super) fn constant(doc: &witx::Document, c: &witx::Constant) -> Result<TokenStream, Error> {
    let ty = names::type_name(&c.ty);
    let name = format_ident!("{}", names::flag(&c.ty, &c.name));
    let docs = names::docs_or(&c.docs, || {
        format!("The constant `{}` of `{}`.", c.name.as_str(), c.ty.as_str())
    });
    let value = Literal::u64_unsuffixed(c.value);
    let nt = doc.typename(&c.ty).ok_or_else(|| {
        Error::new(format!(
            "constant `{}`: no type `{}`",
            c.name.as_str(),
            c.ty.as_str()
        ))
    })?;
    let expr = match &**nt.type_() {
        Type::Record(r) if r.bitflags_repr().is_some() => quote!(#ty::from_bits_truncate(#value)),
        Type::Handle(_) => quote!(#ty::new(#value)),
        Type::Builtin(_) => quote!(#value),
        other => {
            return Err(Error::new(format!(
                "constant `{}`: a {} cannot have constants",
                c.name.as_str(),
                other.kind()
            )));
        }
    };
    // A constant of a plain integer type (or an alias of one) is a constant of the module; one of
    // flags or a handle, an associated constant of its type (through the alias it is named by).
    let container = match &crate::check::defining(&nt).tref {
        TypeRef::Value(ty) if matches!(&**ty, Type::Builtin(_)) => None,
        _ => Some(&ty),
    };
    Ok(match container {
        Some(ty) => quote!(impl #ty { #docs pub const #name: #ty = #expr; }),
        None => {
            let const_name = format_ident!("{}_{}", names::const_prefix(&c.ty), name);
            quote!(#docs pub const #const_name: #ty = #expr;)
        }
    })
}
