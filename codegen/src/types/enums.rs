//! Enums (variants without payloads): a `#[repr]` Rust enum; an error enum also becomes an error code.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::{NamedType, Variant};

use super::{case_docs, repr, scalar_guest_type, type_docs};
use crate::names;

pub(super) fn enumeration(nt: &NamedType, v: &Variant, is_error: bool) -> TokenStream {
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
