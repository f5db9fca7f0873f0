//! Handles: a newtype over the `u32` the guest holds.

use proc_macro2::TokenStream;
use quote::quote;
use witx::NamedType;

use super::{scalar_guest_type, type_docs};
use crate::names;

pub(super) fn handle(nt: &NamedType) -> TokenStream {
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
