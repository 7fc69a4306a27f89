//! Parsing, checking and expanding `#[handler]`.

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, quote, quote_spanned};
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::spanned::Spanned;
use syn::{Expr, ExprLit, FnArg, Ident, ItemFn, Lit, Meta, Path, ReturnType, Token, Type};

/// The attribute's options, checked.
struct Config {
    init: Option<Path>,
    shutdown: Option<Path>,
    logging: Option<Path>,
    krate: Option<Path>,
}

impl Config {
    fn parse(args: TokenStream) -> Result<Config, syn::Error> {
        let metas = Punctuated::<Meta, Token![,]>::parse_terminated.parse2(args)?;
        let mut config = Config {
            init: None,
            shutdown: None,
            logging: None,
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
                "logging" => {
                    if config.logging.is_some() {
                        return Err(syn::Error::new_spanned(
                            &pair.path,
                            "`logging` is set twice",
                        ));
                    }
                    config.logging = Some(init_path(&pair.value).map_err(|_| {
                        syn::Error::new_spanned(
                            &pair.value,
                            "`logging` takes the path of a `fn()` that installs a tracing subscriber, like `logging = setup_tracing`",
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
                            "unknown option `{name}`; the options are `init`, `shutdown`, `logging` and `crate`"
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
    for ty in types.iter().filter(|ty| contains_impl_trait(ty)) {
        errors.push(syn::Error::new_spanned(
            ty,
            "a handler cannot be generic: fc calls it with one event type, so name the type",
        ));
    }
    match types.first().and_then(|ty| last_segment(ty)) {
        Some(name) if name == "Json" => errors.push(syn::Error::new_spanned(
            types[0],
            "`Json<T>` is a JSON body a handler returns, not an event: for an HTTP function take \
             `fc::http::Request` and read the body with `req.json::<T>()` (or serve an axum \
             Router with `fc::run`, whose `Json` extractor answers 400); for any other JSON \
             event take `fc::JsonEvent<T>`",
        )),
        Some(name) if name == "Context" => errors.push(syn::Error::new_spanned(
            types[0],
            "the event comes first: `async fn(event, fc::Context)`",
        )),
        _ => {}
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
        match types.last().filter(|_| types.len() >= 2) {
            Some(Type::Reference(state)) if state.mutability.is_some() => {
                errors.push(syn::Error::new_spanned(
                    state,
                    "every invocation shares the state: take it as `&State`, not `&mut State` \
                     (put what changes behind a `Mutex` or an atomic)",
                ));
            }
            Some(Type::Reference(_)) | None => {}
            Some(last) => errors.push(syn::Error::new_spanned(
                last,
                "with `init`, the last parameter receives the state by reference: `&State`",
            )),
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
    fn any_impl(tokens: TokenStream) -> bool {
        tokens.into_iter().any(|tt| match tt {
            TokenTree::Ident(ident) => ident == "impl",
            TokenTree::Group(group) => any_impl(group.stream()),
            _ => false,
        })
    }
    any_impl(ty.to_token_stream())
}

/// The name a type is known by: `Json` for `fc::Json<Order>`.
fn last_segment(ty: &Type) -> Option<&syn::Ident> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path.path.segments.last().map(|s| &s.ident),
        Type::Group(group) => last_segment(&group.elem),
        Type::Paren(paren) => last_segment(&paren.elem),
        _ => None,
    }
}

/// Where a type starts and ends. Generated code that must be reported at the type itself
/// begins with a token spanned at the start and ends with one spanned at the end: the compiler
/// then spans the whole of it as the type, and folds its errors into the type's own.
#[derive(Clone, Copy)]
struct Extent {
    first: Span,
    last: Span,
}

impl Extent {
    fn of(tokens: impl ToTokens) -> Extent {
        let mut spans = tokens.into_token_stream().into_iter().map(|tt| tt.span());
        let first = spans.next().unwrap_or_else(Span::call_site);
        let last = spans.last().unwrap_or(first);
        Extent { first, last }
    }
}

/// `tokens` with every span set to `span`: a path the user gave (`crate = "..."`), placed
/// where an error about it should point.
fn respan(tokens: TokenStream, span: Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tt| {
            if let TokenTree::Group(group) = &tt {
                let mut inner = Group::new(group.delimiter(), respan(group.stream(), span));
                inner.set_span(span);
                tt = TokenTree::Group(inner);
            } else {
                tt.set_span(span);
            }
            tt
        })
        .collect()
}

fn expand(item: &ItemFn, config: &Config, sig: &Signature<'_>) -> TokenStream {
    let krate = config
        .krate
        .clone()
        .unwrap_or_else(|| syn::parse_quote!(::fc))
        .into_token_stream();
    // Each part of the signature is checked by one helper of `fc::__private`, spanned on the
    // user's token, whose result does not depend on whether the check passed: a mistake is
    // reported once, there (see `fc/src/private.rs`).
    let name = &item.sig.ident;
    let at_name = name.span();
    let fc_at = |span: Span| respan(krate.clone(), span);

    let event = sig.event;
    let at_event = Extent::of(event);
    let fc_event = fc_at(at_event.first);
    let event_end = quote_spanned!(at_event.last=> >);
    let checked = quote_spanned! {at_event.first=>
        #fc_event::__private::Checked<#event #event_end
    };

    let event_var = Ident::new("__fc_event", at_name);
    let context_var = Ident::new("__fc_context", at_name);
    let state_var = Ident::new("__fc_state", at_name);
    let fc_name = fc_at(at_name);
    let mut args = vec![event_var.to_token_stream()];
    if let Some(context) = sig.context {
        let at = Extent::of(context);
        let fc = fc_at(at.first);
        args.push(quote_spanned! {at.first=>
            #fc::__private::context::<#context>(#context_var)
        });
    }
    if sig.state.is_some() {
        args.push(state_var.to_token_stream());
    }
    let state = match sig.state {
        Some(state) => state.to_token_stream(),
        None => quote_spanned!(at_name=> ()),
    };

    // `None`: `impl IntoResponse`, which cannot be named.
    let (output, at_output) = match sig.output {
        Some(ty) if !contains_impl_trait(ty) => (Some(ty.to_token_stream()), Extent::of(ty)),
        Some(ty) => (None, Extent::of(ty)),
        None => (
            Some(quote_spanned!(at_name=> ())),
            Extent {
                first: at_name,
                last: at_name,
            },
        ),
    };
    let fc_output = fc_at(at_output.first);
    let reply = match output {
        Some(output) => quote_spanned! {at_output.first=>
            #fc_output::__private::reply::<#checked, #output, _>(#name(#(#args),*).await)
        },
        // The value is spanned as the return type, from its first token to its last, for the
        // compiler to point there.
        None => {
            let mut name = name.clone();
            name.set_span(at_output.first);
            let call = Group::new(Delimiter::Parenthesis, quote!(#(#args),*));
            let await_ = quote_spanned!(at_output.last=> .await);
            quote_spanned! {at_output.first=>
                #fc_output::__private::reply_opaque::<#checked, _>(#name #call #await_)
            }
        }
    };
    let handler = quote_spanned! {at_name=>
        move |#event_var: #event, #context_var: #fc_name::Context, #state_var: &'static #state| {
            async move { #reply }
        }
    };

    let init = match &config.init {
        Some(init) => {
            let at = Extent::of(init);
            let fc = fc_at(at.first);
            quote_spanned!(at.first=> #fc::__private::init::<#state, _, _, _>(#init))
        }
        None => quote_spanned!(at_name=> #fc_name::__private::no_init()),
    };
    let shutdown = match &config.shutdown {
        Some(shutdown) => {
            let at = Extent::of(shutdown);
            let fc = fc_at(at.first);
            quote_spanned! {at.first=>
                ::std::option::Option::Some(#fc::__private::shutdown::<#state, _, _>(#shutdown))
            }
        }
        None => quote_spanned!(at_name=> ::std::option::Option::None),
    };
    let logging = match &config.logging {
        Some(logging) => {
            let at = Extent::of(logging);
            let fc = fc_at(at.first);
            quote_spanned! {at.first=>
                ::std::option::Option::Some(#fc::__private::logging(#logging))
            }
        }
        None => quote_spanned!(at_name=> ::std::option::Option::None),
    };
    // Spanned on the name: a bound of `start` that no helper checked, like a future that is
    // not `Send`, is reported there.
    let start = quote_spanned! {at_name=>
        #fc_name::__private::start::<#event, _, _, _, _>(#handler, #init, #shutdown, #logging)
    };
    quote! {
        #item

        fn main() -> ::std::process::ExitCode {
            #start
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
