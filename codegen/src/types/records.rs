//! Records and tuples: a struct read and written field by field at the document's offsets; a
//! record of a byte pointer and a length is also a buffer.

use proc_macro2::{Literal, TokenStream};
use quote::quote;
use witx::{Layout, NamedType, RecordDatatype};

use super::{derives, guest_type, has_float, is_buffer, rust_type, trace_debug, type_docs};
use crate::{Error, names};

pub(super) fn record(nt: &NamedType, r: &RecordDatatype) -> Result<TokenStream, Error> {
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
