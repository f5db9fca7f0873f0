//! Rust types for witx typenames, with their guest-memory layout and checked reads and writes:
//! [`generate`] dispatches each typename to the file of its kind (enums, flags, records, handles,
//! unions) and adds the document's constants; [`rust_type`] names the Rust type of any witx type.
//! The helpers here are shared by the kinds.

mod constants;
mod enums;
mod flags;
mod handles;
mod records;
mod unions;

use proc_macro2::{Ident, Literal, TokenStream};
use quote::quote;
use witx::{BuiltinType, IntRepr, Layout, NamedType, Type, TypeRef};

use crate::{Error, names};

/// Every typename of the document, and its constants.
pub fn generate(doc: &witx::Document) -> Result<TokenStream, Error> {
    let error_types: Vec<witx::Id> = doc
        .error_types()
        .filter_map(|t| match t {
            TypeRef::Name(nt) => Some(nt.name.clone()),
            TypeRef::Value(_) => None,
        })
        .collect();
    let mut out = TokenStream::new();
    for nt in doc.typenames() {
        out.extend(typename(&nt, error_types.contains(&nt.name))?);
    }
    for c in doc.constants() {
        out.extend(constants::constant(doc, c)?);
    }
    Ok(out)
}

/// The Rust type that holds a value of `tref`.
pub fn rust_type(tref: &TypeRef) -> Result<TokenStream, Error> {
    match tref {
        TypeRef::Name(nt) => {
            let name = names::type_name(&nt.name);
            Ok(quote!(#name))
        }
        TypeRef::Value(ty) => match &**ty {
            Type::Builtin(b) => Ok(builtin(*b)),
            Type::Pointer(to) | Type::ConstPointer(to) => {
                let to = rust_type(to)?;
                Ok(quote!(::wasi_stubs::GuestPtr<#to>))
            }
            Type::List(elem) if is_char(elem) => Ok(quote!(::wasi_stubs::GuestStr)),
            Type::List(elem) => {
                let elem = rust_type(elem)?;
                Ok(quote!(::wasi_stubs::GuestArray<#elem>))
            }
            other => Err(Error::new(format!(
                "an anonymous {} cannot be given a Rust type: name it with a typename",
                other.kind()
            ))),
        },
    }
}

fn builtin(b: BuiltinType) -> TokenStream {
    match b {
        BuiltinType::Char => quote!(char),
        BuiltinType::U8 { .. } => quote!(u8),
        BuiltinType::U16 => quote!(u16),
        BuiltinType::U32 { .. } => quote!(u32),
        BuiltinType::U64 => quote!(u64),
        BuiltinType::S8 => quote!(i8),
        BuiltinType::S16 => quote!(i16),
        BuiltinType::S32 => quote!(i32),
        BuiltinType::S64 => quote!(i64),
        BuiltinType::F32 => quote!(f32),
        BuiltinType::F64 => quote!(f64),
    }
}

fn repr(r: IntRepr) -> TokenStream {
    builtin(r.to_builtin())
}

pub fn is_char(tref: &TypeRef) -> bool {
    matches!(&**tref.type_(), Type::Builtin(BuiltinType::Char))
}

/// Whether a value of this type can hold a float (then it is not `Eq`).
fn has_float(tref: &TypeRef) -> bool {
    match &**tref.type_() {
        Type::Builtin(BuiltinType::F32 | BuiltinType::F64) => true,
        Type::Record(r) => r.members.iter().any(|m| has_float(&m.tref)),
        Type::Variant(v) => v
            .cases
            .iter()
            .filter_map(|c| c.tref.as_ref())
            .any(has_float),
        _ => false,
    }
}

fn typename(nt: &NamedType, is_error: bool) -> Result<TokenStream, Error> {
    let name = names::type_name(&nt.name);
    let docs = type_docs(nt);
    let context = |e: Error| Error::new(format!("typename `{}`: {e}", nt.name.as_str()));
    let body = match &nt.tref {
        TypeRef::Name(_) => {
            let target = rust_type(&nt.tref).map_err(context)?;
            quote!(#docs pub type #name = #target;)
        }
        TypeRef::Value(ty) => match &**ty {
            Type::Builtin(_) | Type::Pointer(_) | Type::ConstPointer(_) | Type::List(_) => {
                let target = rust_type(&nt.tref).map_err(context)?;
                quote!(#docs pub type #name = #target;)
            }
            Type::Record(r) => match r.bitflags_repr() {
                Some(repr) => flags::flags(nt, r, repr).map_err(context)?,
                None => records::record(nt, r).map_err(context)?,
            },
            Type::Variant(v) if v.is_enum() => enums::enumeration(nt, v, is_error),
            Type::Variant(v) => unions::union(nt, v).map_err(context)?,
            Type::Handle(_) => handles::handle(nt),
        },
    };
    Ok(body)
}

/// `impl GuestType` for a named type, given the bodies of `read_from` and `write_to`.
fn guest_type(nt: &NamedType, read: TokenStream, write: TokenStream) -> TokenStream {
    let name = names::type_name(&nt.name);
    let witx_name = nt.name.as_str();
    let layout = nt.mem_size_align();
    let size = Literal::u32_unsuffixed(layout.size as u32);
    let align = Literal::u32_unsuffixed(layout.align as u32);
    quote! {
        impl ::wasi_stubs::GuestType for #name {
            const NAME: &'static str = #witx_name;
            const SIZE: u32 = #size;
            const ALIGN: u32 = #align;
            #[inline]
            fn read_from(bytes: &[u8]) -> ::core::result::Result<Self, ::wasi_stubs::GuestError> {
                #read
            }
            #[inline]
            fn write_to(&self, bytes: &mut [u8]) -> ::core::result::Result<(), ::wasi_stubs::GuestError> {
                #write
            }
        }
    }
}

/// `impl GuestType` for a type that is also a `Scalar` stored as its `repr`.
fn scalar_guest_type(nt: &NamedType, repr: &TokenStream) -> TokenStream {
    guest_type(
        nt,
        quote! {
            let raw = <#repr as ::wasi_stubs::GuestType>::read_from(bytes)?;
            ::wasi_stubs::__private::Scalar::lift(::wasi_stubs::__private::Scalar::lower(raw))
        },
        quote! {
            let raw: #repr = ::wasi_stubs::__private::Scalar::lift(::wasi_stubs::__private::Scalar::lower(*self))?;
            ::wasi_stubs::GuestType::write_to(&raw, bytes)
        },
    )
}

fn derives(eq: bool) -> TokenStream {
    if eq {
        quote!(#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)])
    } else {
        quote!(#[derive(Clone, Copy, Debug, PartialEq)])
    }
}

/// `TraceArg` through `Debug`, for flags, records and unions.
fn trace_debug(name: &Ident) -> TokenStream {
    quote! {
        impl ::wasi_stubs::__private::TraceArg for #name {
            fn trace(&self, _: &::wasi_stubs::GuestMemory<'_>, out: &mut ::std::string::String) {
                let _ = ::core::fmt::Write::write_fmt(out, format_args!("{self:?}"));
            }
        }
    }
}

/// Whether a type is a record of exactly a byte pointer and a 32-bit length: a buffer.
pub fn is_buffer(tref: &TypeRef) -> bool {
    let Type::Record(r) = &**tref.type_() else {
        return false;
    };
    let [ptr, len] = r.members.as_slice() else {
        return false;
    };
    let byte_ptr = match &**ptr.tref.type_() {
        Type::Pointer(to) | Type::ConstPointer(to) => {
            matches!(&**to.type_(), Type::Builtin(BuiltinType::U8 { .. }))
        }
        _ => false,
    };
    byte_ptr && matches!(&**len.tref.type_(), Type::Builtin(BuiltinType::U32 { .. }))
}

/// A typename's documentation, or a line naming it when the document has none.
fn type_docs(nt: &NamedType) -> TokenStream {
    names::docs_or(&nt.docs, || {
        format!("The witx type `{}`.", nt.name.as_str())
    })
}

/// An enum or union case's documentation, or a line naming it when the document has none.
fn case_docs(nt: &NamedType, c: &witx::Case) -> TokenStream {
    names::docs_or(&c.docs, || {
        format!("The case `{}` of `{}`.", c.name.as_str(), nt.name.as_str())
    })
}
