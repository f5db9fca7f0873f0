//! Unions (variants with payloads): a Rust enum read and written as a tag and a payload.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::{NamedType, Variant};

use super::{case_docs, derives, guest_type, has_float, repr, rust_type, trace_debug, type_docs};
use crate::{Error, names};

pub(super) fn union(nt: &NamedType, v: &Variant) -> Result<TokenStream, Error> {
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
