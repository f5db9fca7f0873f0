//! Flags (records of bits): a newtype over the integer with a constant per flag and set operations.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::{IntRepr, Layout, NamedType, RecordDatatype};

use super::{repr, scalar_guest_type, trace_debug, type_docs};
use crate::{Error, names};

pub(super) fn flags(
    nt: &NamedType,
    r: &RecordDatatype,
    repr_int: IntRepr,
) -> Result<TokenStream, Error> {
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
