//! Rust types for witx typenames, with their guest-memory layout and checked reads and writes.

use proc_macro2::{Literal, TokenStream};
use quote::{format_ident, quote};
use witx::{BuiltinType, IntRepr, Layout, NamedType, RecordDatatype, Type, TypeRef, Variant};

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
        out.extend(constant(doc, c)?);
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
                Some(repr) => flags(nt, r, repr).map_err(context)?,
                None => record(nt, r).map_err(context)?,
            },
            Type::Variant(v) if v.is_enum() => enumeration(nt, v, is_error),
            Type::Variant(v) => union(nt, v).map_err(context)?,
            Type::Handle(_) => handle(nt),
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

fn enumeration(nt: &NamedType, v: &Variant, is_error: bool) -> TokenStream {
    let name = names::type_name(&nt.name);
    let witx_name = nt.name.as_str();
    let docs = type_docs(nt);
    let repr = repr(v.tag_repr);
    let cases: Vec<_> = v
        .cases
        .iter()
        .map(|c| names::case(&nt.name, &c.name))
        .collect();
    let case_names: Vec<_> = v.cases.iter().map(|c| c.name.as_str()).collect();
    let values: Vec<_> = (0..v.cases.len()).map(Literal::usize_unsuffixed).collect();
    let case_docs = v.cases.iter().map(|c| case_docs(nt, c));
    let guest = scalar_guest_type(nt, &repr);
    let error_impls = is_error.then(|| {
        quote! {
            impl ::wasi_stubs::__private::ErrorCode for #name {
                #[inline]
                fn raw(self) -> u64 {
                    ::wasi_stubs::__private::Scalar::lower(self)
                }
                fn name(self) -> &'static str {
                    #name::name(self)
                }
                fn from_name(name: &str) -> ::core::option::Option<Self> {
                    match name {
                        #(#case_names => ::core::option::Option::Some(Self::#cases),)*
                        _ => ::core::option::Option::None,
                    }
                }
            }

            impl ::core::convert::From<#name> for ::wasi_stubs::Error<#name> {
                #[inline]
                fn from(code: #name) -> Self {
                    ::wasi_stubs::Error::Errno(code)
                }
            }

            impl ::std::error::Error for #name {}
        }
    });
    quote! {
        #docs
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[repr(#repr)]
        pub enum #name {
            #(#case_docs #cases = #values,)*
        }

        impl #name {
            /// The value of this case.
            #[inline]
            pub const fn raw(self) -> #repr {
                self as #repr
            }

            /// The case with value `raw`, if there is one.
            #[inline]
            pub const fn from_raw(raw: #repr) -> ::core::option::Option<Self> {
                match raw {
                    #(#values => ::core::option::Option::Some(Self::#cases),)*
                    _ => ::core::option::Option::None,
                }
            }

            /// The name of this case in the witx document.
            pub const fn name(self) -> &'static str {
                match self {
                    #(Self::#cases => #case_names,)*
                }
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::wasi_stubs::__private::Scalar for #name {
            #[inline]
            fn lift(raw: u64) -> ::core::result::Result<Self, ::wasi_stubs::GuestError> {
                <#repr as ::wasi_stubs::__private::Scalar>::lift(raw)
                    .ok()
                    .and_then(Self::from_raw)
                    .ok_or(::wasi_stubs::GuestError::InvalidValue { ty: #witx_name, value: raw })
            }
            #[inline]
            fn lower(self) -> u64 {
                ::wasi_stubs::__private::Scalar::lower(self.raw())
            }
        }

        #guest
        #error_impls

        impl ::wasi_stubs::__private::TraceArg for #name {
            fn trace(&self, _: &::wasi_stubs::GuestMemory<'_>, out: &mut ::std::string::String) {
                out.push_str(self.name());
            }
        }
    }
}

fn flags(nt: &NamedType, r: &RecordDatatype, repr_int: IntRepr) -> Result<TokenStream, Error> {
    let name = names::type_name(&nt.name);
    let witx_name = nt.name.as_str();
    let docs = type_docs(nt);
    let repr = repr(repr_int);
    let bits = repr_int.mem_size() * 8;
    if r.members.len() > bits {
        return Err(Error::new(format!(
            "{} flags do not fit in {bits} bits",
            r.members.len()
        )));
    }
    let consts: Vec<_> = r
        .members
        .iter()
        .map(|m| names::flag(&nt.name, &m.name))
        .collect();
    let flag_names: Vec<_> = r.members.iter().map(|m| m.name.as_str()).collect();
    let const_docs = r.members.iter().map(|m| {
        names::docs_or(&m.docs, || {
            format!("The flag `{}` of `{}`.", m.name.as_str(), nt.name.as_str())
        })
    });
    let bits_of: Vec<TokenStream> = (0..r.members.len())
        .map(|i| match i {
            0 => quote!(1),
            i => {
                let i = Literal::usize_unsuffixed(i);
                quote!(1 << #i)
            }
        })
        .collect();
    let all = Literal::u128_unsuffixed((1u128 << r.members.len()) - 1);
    let guest = scalar_guest_type(nt, &repr);
    let trace = trace_debug(&name);
    Ok(quote! {
        #docs
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
        pub struct #name(#repr);

        impl #name {
            #(#const_docs pub const #consts: Self = Self(#bits_of);)*
            /// No flags.
            #[inline]
            pub const fn empty() -> Self {
                Self(0)
            }
            /// Every flag the document defines.
            #[inline]
            pub const fn all() -> Self {
                Self(#all)
            }
            /// The raw bits.
            #[inline]
            pub const fn bits(self) -> #repr {
                self.0
            }
            /// The flags with these bits, if every bit is a defined flag.
            #[inline]
            pub const fn from_bits(bits: #repr) -> ::core::option::Option<Self> {
                if bits & !Self::all().0 == 0 {
                    ::core::option::Option::Some(Self(bits))
                } else {
                    ::core::option::Option::None
                }
            }
            /// The flags with these bits, dropping bits that are not defined flags.
            #[inline]
            pub const fn from_bits_truncate(bits: #repr) -> Self {
                Self(bits & Self::all().0)
            }
            /// Whether every flag of `other` is set in `self`.
            #[inline]
            pub const fn contains(self, other: Self) -> bool {
                self.0 & other.0 == other.0
            }
            /// Whether no flag is set.
            #[inline]
            pub const fn is_empty(self) -> bool {
                self.0 == 0
            }
        }

        impl ::core::ops::BitOr for #name {
            type Output = Self;
            #[inline]
            fn bitor(self, other: Self) -> Self {
                Self(self.0 | other.0)
            }
        }

        impl ::core::ops::BitOrAssign for #name {
            #[inline]
            fn bitor_assign(&mut self, other: Self) {
                self.0 |= other.0;
            }
        }

        impl ::core::ops::BitAnd for #name {
            type Output = Self;
            #[inline]
            fn bitand(self, other: Self) -> Self {
                Self(self.0 & other.0)
            }
        }

        impl ::core::ops::Sub for #name {
            type Output = Self;
            #[inline]
            fn sub(self, other: Self) -> Self {
                Self(self.0 & !other.0)
            }
        }

        impl ::core::fmt::Debug for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(concat!(stringify!(#name), "("))?;
                let mut first = true;
                #(
                    if self.contains(Self::#consts) {
                        if !first {
                            f.write_str(" | ")?;
                        }
                        first = false;
                        f.write_str(#flag_names)?;
                    }
                )*
                let _ = first;
                f.write_str(")")
            }
        }

        impl ::wasi_stubs::__private::Scalar for #name {
            #[inline]
            fn lift(raw: u64) -> ::core::result::Result<Self, ::wasi_stubs::GuestError> {
                <#repr as ::wasi_stubs::__private::Scalar>::lift(raw)
                    .ok()
                    .and_then(Self::from_bits)
                    .ok_or(::wasi_stubs::GuestError::InvalidValue { ty: #witx_name, value: raw })
            }
            #[inline]
            fn lower(self) -> u64 {
                ::wasi_stubs::__private::Scalar::lower(self.0)
            }
        }

        #guest
        #trace
    })
}

fn handle(nt: &NamedType) -> TokenStream {
    let name = names::type_name(&nt.name);
    let docs = type_docs(nt);
    let guest = scalar_guest_type(nt, &quote!(u32));
    quote! {
        #docs
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct #name(u32);

        impl #name {
            /// The handle with this number.
            #[inline]
            pub const fn new(raw: u32) -> Self {
                Self(raw)
            }
            /// The handle's number.
            #[inline]
            pub const fn raw(self) -> u32 {
                self.0
            }
        }

        impl ::core::convert::From<u32> for #name {
            #[inline]
            fn from(raw: u32) -> Self {
                Self(raw)
            }
        }

        impl ::core::convert::From<#name> for u32 {
            #[inline]
            fn from(handle: #name) -> u32 {
                handle.0
            }
        }

        impl ::core::cmp::PartialEq<u32> for #name {
            #[inline]
            fn eq(&self, other: &u32) -> bool {
                self.0 == *other
            }
        }

        impl ::core::fmt::Display for #name {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                ::core::fmt::Display::fmt(&self.0, f)
            }
        }

        impl ::wasi_stubs::__private::Scalar for #name {
            #[inline]
            fn lift(raw: u64) -> ::core::result::Result<Self, ::wasi_stubs::GuestError> {
                <u32 as ::wasi_stubs::__private::Scalar>::lift(raw).map(Self)
            }
            #[inline]
            fn lower(self) -> u64 {
                self.0.into()
            }
        }

        #guest

        impl ::wasi_stubs::__private::TraceArg for #name {
            fn trace(&self, _: &::wasi_stubs::GuestMemory<'_>, out: &mut ::std::string::String) {
                let _ = ::core::fmt::Write::write_fmt(out, format_args!("{}", self.0));
            }
        }
    }
}

fn derives(eq: bool) -> TokenStream {
    if eq {
        quote!(#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)])
    } else {
        quote!(#[derive(Clone, Copy, Debug, PartialEq)])
    }
}

fn record(nt: &NamedType, r: &RecordDatatype) -> Result<TokenStream, Error> {
    let name = names::type_name(&nt.name);
    let docs = type_docs(nt);
    let eq = !has_float(&nt.tref);
    let derives = derives(eq);
    let layout = r.member_layout();
    let mut field_types = Vec::new();
    for m in &r.members {
        field_types.push(
            rust_type(&m.tref)
                .map_err(|e| Error::new(format!("field `{}`: {e}", m.name.as_str())))?,
        );
    }
    let offsets: Vec<_> = layout
        .iter()
        .map(|l| Literal::u32_unsuffixed(l.offset as u32))
        .collect();
    let (definition, fields): (TokenStream, Vec<TokenStream>) = if r.is_tuple() {
        let fields = (0..r.members.len())
            .map(|i| {
                let i = syn::Index::from(i);
                quote!(#i)
            })
            .collect();
        (quote!(pub struct #name(#(pub #field_types),*);), fields)
    } else {
        let idents: Vec<_> = r.members.iter().map(|m| names::snake(&m.name)).collect();
        let member_docs = r.members.iter().map(|m| {
            names::docs_or(&m.docs, || {
                format!("The field `{}` of `{}`.", m.name.as_str(), nt.name.as_str())
            })
        });
        (
            quote!(pub struct #name { #(#member_docs pub #idents: #field_types,)* }),
            idents.iter().map(|i| quote!(#i)).collect(),
        )
    };
    let read = if r.is_tuple() {
        quote! {
            ::core::result::Result::Ok(Self(
                #(::wasi_stubs::__private::read_field(bytes, #offsets)?,)*
            ))
        }
    } else {
        quote! {
            ::core::result::Result::Ok(Self {
                #(#fields: ::wasi_stubs::__private::read_field(bytes, #offsets)?,)*
            })
        }
    };
    // Padding is zeroed, so that what lands in guest memory depends only on the value.
    let fields_size: usize = r.members.iter().map(|m| m.tref.mem_size()).sum();
    let zero_padding = (fields_size < nt.mem_size()).then(|| quote!(bytes.fill(0);));
    let write = quote! {
        #zero_padding
        #(::wasi_stubs::__private::write_field(bytes, #offsets, &self.#fields)?;)*
        ::core::result::Result::Ok(())
    };
    let guest = guest_type(nt, read, write);
    let buffer = buffer_impl(nt, &fields);
    let trace = trace_debug(&name);
    Ok(quote! {
        #docs
        #derives
        #definition
        #guest
        #buffer
        #trace
    })
}

/// `TraceArg` through `Debug`, for flags, records and unions.
fn trace_debug(name: &proc_macro2::Ident) -> TokenStream {
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

/// A buffer record implements `GuestBuffer`.
fn buffer_impl(nt: &NamedType, fields: &[TokenStream]) -> TokenStream {
    if !is_buffer(&nt.tref) {
        return quote!();
    }
    let name = names::type_name(&nt.name);
    let (p, l) = (&fields[0], &fields[1]);
    quote! {
        impl ::wasi_stubs::GuestBuffer for #name {
            #[inline]
            fn buffer(&self) -> (::wasi_stubs::GuestPtr<u8>, u32) {
                (self.#p, self.#l)
            }
        }
    }
}

fn union(nt: &NamedType, v: &Variant) -> Result<TokenStream, Error> {
    let name = names::type_name(&nt.name);
    let witx_name = nt.name.as_str();
    let docs = type_docs(nt);
    let eq = !has_float(&nt.tref);
    let derives = derives(eq);
    let tag = repr(v.tag_repr);
    let payload_offset = Literal::u32_unsuffixed(v.payload_offset() as u32);
    let mut cases = Vec::new();
    let mut reads = Vec::new();
    let mut writes = Vec::new();
    for (i, c) in v.cases.iter().enumerate() {
        let case = names::case(&nt.name, &c.name);
        let case_docs = case_docs(nt, c);
        let value = Literal::usize_unsuffixed(i);
        match &c.tref {
            Some(payload) => {
                let ty = rust_type(payload)
                    .map_err(|e| Error::new(format!("case `{}`: {e}", c.name.as_str())))?;
                cases.push(quote!(#case_docs #case(#ty)));
                reads.push(quote! {
                    #value => ::core::result::Result::Ok(Self::#case(::wasi_stubs::__private::read_field(bytes, #payload_offset)?))
                });
                writes.push(quote! {
                    Self::#case(payload) => {
                        ::wasi_stubs::__private::write_field::<#tag>(bytes, 0, &#value)?;
                        ::wasi_stubs::__private::write_field(bytes, #payload_offset, payload)
                    }
                });
            }
            None => {
                cases.push(quote!(#case_docs #case));
                reads.push(quote!(#value => ::core::result::Result::Ok(Self::#case)));
                writes.push(quote! {
                    Self::#case => ::wasi_stubs::__private::write_field::<#tag>(bytes, 0, &#value)
                });
            }
        }
    }
    let read = quote! {
        let tag: #tag = ::wasi_stubs::__private::read_field(bytes, 0)?;
        match tag {
            #(#reads,)*
            _ => ::core::result::Result::Err(::wasi_stubs::GuestError::InvalidValue { ty: #witx_name, value: tag.into() }),
        }
    };
    // The payloads differ in size: padding is zeroed, so that what lands in guest memory
    // depends only on the value.
    let write = quote! {
        bytes.fill(0);
        match self {
            #(#writes,)*
        }
    };
    let guest = guest_type(nt, read, write);
    let trace = trace_debug(&name);
    Ok(quote! {
        #docs
        #derives
        pub enum #name {
            #(#cases,)*
        }
        #guest
        #trace
    })
}

fn constant(doc: &witx::Document, c: &witx::Constant) -> Result<TokenStream, Error> {
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
