//! Parsing, checking and expanding `#[handler]`.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, FnArg, ItemFn, Lit, Meta, Path, ReturnType, Token, Type};

/// The attribute's options, checked.
struct Config {
    init: Option<Path>,
    shutdown: Option<Path>,
    krate: Option<Path>,
}

impl Config {
    fn parse(args: TokenStream) -> Result<Config, syn::Error> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
        let mut config = Config {
            init: None,
            shutdown: None,
            krate: None,
        };
        for meta in metas {
            let Meta::NameValue(pair) = &meta else {
                return Err(syn::Error::new_spanned(
                    &meta,
                    "expected `name = value`: `init = setup` or `crate = \"fc\"`",
                ));
            };
            let name = pair.path.to_token_stream().to_string();
            match name.as_str() {
                "init" => {
                    if config.init.is_some() {
                        return Err(syn::Error::new_spanned(&pair.path, "`init` is set twice"));
                    }
                    config.init = Some(init_path(&pair.value)?);
                }
                "shutdown" => {
                    if config.shutdown.is_some() {
                        return Err(syn::Error::new_spanned(
                            &pair.path,
                            "`shutdown` is set twice",
                        ));
                    }
                    config.shutdown = Some(init_path(&pair.value).map_err(|_| {
                        syn::Error::new_spanned(
                            &pair.value,
                            "`shutdown` takes the path of an `async fn(&State)`, like `shutdown = close`",
                        )
                    })?);
                }
                "crate" => {
                    if config.krate.is_some() {
                        return Err(syn::Error::new_spanned(&pair.path, "`crate` is set twice"));
                    }
                    config.krate = Some(crate_path(&pair.value)?);
                }
                _ => {
                    return Err(syn::Error::new_spanned(
                        &pair.path,
                        format!(
                            "unknown option `{name}`; the options are `init`, `shutdown` and `crate`"
                        ),
                    ));
                }
            }
        }
        if let (Some(shutdown), None) = (&config.shutdown, &config.init) {
            return Err(syn::Error::new_spanned(
                shutdown,
                "`shutdown` needs `init`: the hook receives the state `init` made",
            ));
        }
        Ok(config)
    }
}

fn init_path(value: &Expr) -> Result<Path, syn::Error> {
    match value {
        Expr::Path(path) if path.qself.is_none() => Ok(path.path.clone()),
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => text.parse::<Path>(),
        _ => Err(syn::Error::new_spanned(
            value,
            "`init` takes the path of an `async fn() -> Result<State, Error>`, like `init = setup`",
        )),
    }
}

fn crate_path(value: &Expr) -> Result<Path, syn::Error> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(text),
            ..
        }) => text.parse::<Path>().map_err(|_| {
            syn::Error::new_spanned(
                text,
                "`crate` takes a path in a string, like `crate = \"fc\"`",
            )
        }),
        _ => Err(syn::Error::new_spanned(
            value,
            "`crate` takes a path in a string, like `crate = \"fc\"`",
        )),
    }
}

/// The parts of the handler's signature the expansion needs.
struct Signature<'a> {
    event: &'a Type,
    context: Option<&'a Type>,
    state: Option<&'a Type>,
    output: Option<&'a Type>,
}

fn check<'a>(item: &'a ItemFn, config: &Config) -> Result<Signature<'a>, syn::Error> {
    let sig = &item.sig;
    let mut errors: Vec<syn::Error> = Vec::new();
    if sig.asyncness.is_none() {
        errors.push(syn::Error::new_spanned(
            sig.fn_token,
            "the `async` keyword is missing from the function declaration",
        ));
    }
    if sig.ident == "main" {
        errors.push(syn::Error::new_spanned(
            &sig.ident,
            "a handler cannot be named `main`: `#[handler]` generates `main` itself",
        ));
    }
    if !sig.generics.params.is_empty() || sig.generics.where_clause.is_some() {
        errors.push(syn::Error::new(
            sig.generics.span(),
            "a handler cannot be generic: fc calls it with one event type",
        ));
    }
    let mut types = Vec::new();
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(receiver) => errors.push(syn::Error::new_spanned(
                receiver,
                "a handler cannot take `self`: make it a free function",
            )),
            FnArg::Typed(typed) => types.push(&*typed.ty),
        }
    }
    let max = if config.init.is_some() { 3 } else { 2 };
    if let Some(extra) = sig.inputs.iter().nth(max) {
        let message = if config.init.is_some() {
            "too many parameters: a handler with `init` takes the event, optionally `fc::Context`, and `&State`"
        } else {
            "too many parameters: a handler takes the event and, optionally, `fc::Context` (with `#[handler(init = ...)]`, also `&State`)"
        };
        errors.push(syn::Error::new_spanned(extra, message));
    }
    let min = if config.init.is_some() { 2 } else { 1 };
    if sig.inputs.len() < min && sig.receiver().is_none() {
        let message = if config.init.is_some() {
            "a handler with `init` takes the event and, last, `&State` (the value `init` returns)"
        } else {
            "a handler takes the event as its first parameter, like `req: fc::http::Request`"
        };
        errors.push(syn::Error::new(sig.paren_token.span.join(), message));
    }
    if config.init.is_some() {
        if let Some(last) = types.last().filter(|_| types.len() >= 2) {
            if !matches!(last, Type::Reference(_)) {
                errors.push(syn::Error::new_spanned(
                    last,
                    "with `init`, the last parameter receives the state by reference: `&State`",
                ));
            }
        }
    } else if let Some(Type::Reference(state)) = types.get(1) {
        errors.push(syn::Error::new_spanned(
            state,
            "a `&State` parameter needs `#[handler(init = ...)]`, the function that makes the state",
        ));
    }
    if let Some(first) = errors.pop() {
        let combined = errors.into_iter().fold(first, |mut all, e| {
            all.combine(e);
            all
        });
        return Err(combined);
    }
    let context = match (types.len(), config.init.is_some()) {
        (2, false) | (3, true) => Some(types[1]),
        _ => None,
    };
    let state = match types.last() {
        Some(Type::Reference(state)) if config.init.is_some() => Some(&*state.elem),
        _ => None,
    };
    let output = match &sig.output {
        ReturnType::Default => None,
        ReturnType::Type(_, ty) => Some(&**ty),
    };
    Ok(Signature {
        event: types[0],
        context,
        state,
        output,
    })
}

fn contains_impl_trait(ty: &Type) -> bool {
    ty.to_token_stream()
        .into_iter()
        .any(|tt| matches!(&tt, proc_macro2::TokenTree::Ident(i) if i == "impl"))
}

fn expand(item: &ItemFn, config: &Config, sig: &Signature<'_>) -> TokenStream {
    let krate = config
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::fc));
    let name = &item.sig.ident;
    let event = sig.event;
    // Each check is spanned on the token it is about, so the compiler points there.
    let event_check = quote_spanned! {event.span()=>
        #krate::__private::assert_event::<#event>();
    };
    let context_check = sig.context.map(|ty| {
        quote_spanned! {ty.span()=> #krate::__private::assert_context::<#ty>(); }
    });
    let output_check = match sig.output {
        Some(ty) if !contains_impl_trait(ty) => Some(quote_spanned! {ty.span()=>
            #krate::__private::assert_reply::<#event, #ty, _>();
        }),
        Some(_) => None,
        None => Some(quote! { #krate::__private::assert_reply::<#event, (), _>(); }),
    };
    let init_check = config.init.as_ref().zip(sig.state).map(|(init, state)| {
        quote_spanned! {init.span()=> #krate::__private::assert_init::<#state, _, _, _>(#init); }
    });
    let function = match (&config.init, &config.shutdown) {
        (Some(init), Some(shutdown)) => quote_spanned! {name.span()=>
            #krate::__private::Function::with_lifecycle(#name, #init, #shutdown)
        },
        (Some(init), None) => quote_spanned! {name.span()=>
            #krate::__private::Function::with_init(#name, #init)
        },
        _ => quote_spanned! {name.span()=> #krate::__private::Function::new(#name) },
    };
    quote! {
        #item

        fn main() -> ::std::process::ExitCode {
            #event_check
            #context_check
            #output_check
            #init_check
            #krate::__private::start(#function)
        }
    }
}

pub(crate) fn handler(args: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: ItemFn = match syn::parse2(item.clone()) {
        Ok(item_fn) => item_fn,
        Err(_) => {
            let error = syn::Error::new(
                Span::call_site(),
                "#[handler] goes on an `async fn` that takes the event",
            );
            let error = error.to_compile_error();
            return quote! { #item #error };
        }
    };
    let result = Config::parse(args).and_then(|config| {
        let sig = check(&item_fn, &config)?;
        Ok(expand(&item_fn, &config, &sig))
    });
    match result {
        Ok(tokens) => tokens,
        // Keep the function so the rest of the crate (and the IDE) still sees it, and a `main`
        // so one mistake gives one error.
        Err(error) => {
            let error = error.to_compile_error();
            let main = (item_fn.sig.ident != "main").then(|| quote! { fn main() {} });
            quote! { #item_fn #main #error }
        }
    }
}
