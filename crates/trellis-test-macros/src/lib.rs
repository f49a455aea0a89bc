//! `#[on_every_backend]`: one test, written once, run on every storage
//! backend. Writing the test is enough; there is no list to forget it in.
//!
//! ```text
//! #[on_every_backend]
//! async fn a_member_registers(app: TestApp) { /* … */ }
//! ```
//!
//! keeps the function as it is and adds, beside it,
//!
//! ```text
//! mod a_member_registers {
//!     #[tokio::test]
//!     async fn sqlite() { crate::run(trellis_store::Backend::Sqlite, super::a_member_registers).await }
//!     #[tokio::test]
//!     async fn postgres() { crate::run(trellis_store::Backend::Postgres, super::a_member_registers).await }
//! }
//! ```
//!
//! so the tests are named `module::a_member_registers::sqlite` and
//! `…::postgres`. The module and the function share a name without clashing
//! (one is a type-namespace item, the other a value).
//!
//! Each test crate says how a test is set up by defining (or importing) a
//! `run(backend, test)` at its root: it prepares what the test takes (a
//! fresh store, a running instance, …) on that backend, or skips the test
//! with a note when the backend is not available, and then runs it.

use proc_macro::TokenStream;
use proc_macro2::Span;
use quote::quote;
use syn::{Error, ItemFn, parse_macro_input};

/// Runs the `async fn` it marks, which takes one argument, on SQLite and
/// on PostgreSQL through the test crate's `crate::run`.
#[proc_macro_attribute]
pub fn on_every_backend(args: TokenStream, item: TokenStream) -> TokenStream {
    if !args.is_empty() {
        return Error::new(Span::call_site(), "#[on_every_backend] takes no arguments")
            .into_compile_error()
            .into();
    }
    let test = parse_macro_input!(item as ItemFn);
    match expand(&test) {
        Ok(tokens) => tokens.into(),
        Err(error) => {
            let error = error.into_compile_error();
            quote!(#test #error).into()
        }
    }
}

fn expand(test: &ItemFn) -> syn::Result<proc_macro2::TokenStream> {
    let signature = &test.sig;
    if signature.asyncness.is_none() {
        return Err(Error::new_spanned(
            signature.fn_token,
            "#[on_every_backend] runs an `async fn`",
        ));
    }
    if !signature.generics.params.is_empty() {
        return Err(Error::new_spanned(
            &signature.generics,
            "#[on_every_backend] runs a function without generics",
        ));
    }
    if signature.inputs.len() != 1 {
        return Err(Error::new_spanned(
            &signature.inputs,
            "#[on_every_backend] runs a function of one argument: what `crate::run` sets up",
        ));
    }
    let name = &signature.ident;
    Ok(quote! {
        #test

        mod #name {
            #[::tokio::test]
            async fn sqlite() {
                crate::run(::trellis_store::Backend::Sqlite, super::#name).await;
            }

            #[::tokio::test]
            async fn postgres() {
                crate::run(::trellis_store::Backend::Postgres, super::#name).await;
            }
        }
    })
}
