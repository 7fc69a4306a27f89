//! Tower services as HTTP functions: an axum `Router`, or any `Service<Request>`.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context as TaskContext, Poll, ready};

use bytes::Bytes;
use tower_service::Service;

use crate::context::Context;
use crate::error::{BoxError, Error, ErrorKind};
use crate::function::Function;
use crate::http::{Body, IntoResponse, Request, Response};

/// A tower service fc can run as an HTTP function: an axum `Router`, a `tower-http`-layered
/// service, any `Service<http::Request<fc::http::Body>>` that is `Clone + Send + 'static` and
/// answers with an `http_body::Body` of `Bytes`. Implemented for all of them.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an HTTP service fc can run",
    label = "not a `tower::Service<http::Request<fc::http::Body>>` fc can run",
    note = "fc runs a `Clone + Send + 'static` tower service whose response body is an `http_body::Body<Data = Bytes>`; an axum `Router` whose state is given with `.with_state(..)` is one"
)]
pub trait HttpService: Send + 'static {
    /// The function that serves with this service.
    #[doc(hidden)]
    fn into_function(self) -> Function<Request>;
}

impl<S, B> HttpService for S
where
    S: Service<Request, Response = ::http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    fn into_function(self) -> Function<Request> {
        // The mutex makes a `Send` service shareable between invocations; it is held only to
        // clone the service.
        let service = Mutex::new(self);
        Function::new(move |mut request: Request, ctx: Context| {
            // Moved, not copied: a service has no other way to the context.
            request.extensions_mut().insert(ctx);
            let service = service
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone();
            call(service, request)
        })
    }
}

impl Function<Request> {
    /// An HTTP function from a tower service: an axum `Router` as it is, a `tower-http`-layered
    /// service, anything that answers an `http::Request<fc::http::Body>`.
    ///
    /// Each invocation calls a clone of the service (as axum and lambda_http do), with the
    /// [`Context`] and [`RequestInfo`](crate::http::RequestInfo) in the request's extensions.
    /// The response body may be any `http_body::Body`: a platform that can stream passes it
    /// through, the others collect it. A service error is a 500 that names the request id; its
    /// detail goes to the log.
    pub fn from_service(service: impl HttpService) -> Self {
        service.into_function()
    }
}

pin_project_lite::pin_project! {
    /// One call of a service: ready, then called, then its answer as fc's response. Written out
    /// rather than as an `async fn` so that the request and the service's future share their
    /// space (an `async fn` keeps its arguments beside what it awaits), which keeps the boxed
    /// invocation small.
    #[project = CallProj]
    enum Call<S: Service<Request>> {
        Ready { service: S, request: Option<Request> },
        Called { #[pin] future: S::Future },
    }
}

fn call<S: Service<Request>>(service: S, request: Request) -> Call<S> {
    Call::Ready {
        service,
        request: Some(request),
    }
}

impl<S, B> Future for Call<S>
where
    S: Service<Request, Response = ::http::Response<B>>,
    S::Error: Into<BoxError>,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<BoxError>,
{
    type Output = Response;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Response> {
        loop {
            match self.as_mut().project() {
                CallProj::Ready { service, request } => {
                    if let Err(err) = ready!(service.poll_ready(cx)) {
                        return Poll::Ready(failed(err.into()));
                    }
                    let Some(request) = request.take() else {
                        panic!("a service call polled after it ended");
                    };
                    let future = service.call(request);
                    self.set(Call::Called { future });
                }
                CallProj::Called { future } => {
                    return Poll::Ready(match ready!(future.poll(cx)) {
                        Ok(response) => response.map(Body::new),
                        Err(err) => failed(err.into()),
                    });
                }
            }
        }
    }
}

fn failed(err: BoxError) -> Response {
    Error::new(ErrorKind::Handler, format!("the service failed: {err}")).into_response()
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::future::Ready;
    use std::task::{Context as TaskContext, Poll};

    use super::*;
    use crate::http::{RequestExt, StatusCode};
    use crate::testing;

    /// Echoes the request id from the context in the extensions, and the path.
    #[derive(Clone)]
    struct Echo;

    impl Service<Request> for Echo {
        type Response = ::http::Response<http_body_util::Full<Bytes>>;
        type Error = Infallible;
        type Future = Ready<Result<Self::Response, Infallible>>;

        fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, req: Request) -> Self::Future {
            let id = req
                .extensions()
                .get::<Context>()
                .map(|ctx| ctx.request_id.clone())
                .unwrap_or_default();
            let text = format!("{id} {} {:?}", req.uri().path(), req.info().trigger);
            std::future::ready(Ok(::http::Response::new(http_body_util::Full::new(
                Bytes::from(text),
            ))))
        }
    }

    #[derive(Clone)]
    struct Broken;

    impl Service<Request> for Broken {
        type Response = Response;
        type Error = std::io::Error;
        type Future = Ready<Result<Response, std::io::Error>>;

        fn poll_ready(&mut self, _: &mut TaskContext<'_>) -> Poll<Result<(), std::io::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: Request) -> Self::Future {
            std::future::ready(Err(std::io::Error::other(
                "database password=hunter2 refused",
            )))
        }
    }

    #[tokio::test]
    async fn services_see_the_context_and_stream_their_body() {
        let instance = Function::from_service(Echo).init().await.expect("init");
        let mut ctx = testing::context();
        ctx.request_id = "r-7".into();
        let response = instance.invoke(testing::get("/items/1"), ctx).await;
        assert!(response.body().is_stream());
        let body = response.into_body().collect(None).await.expect("collects");
        assert_eq!(body.as_str(), Some("r-7 /items/1 Local"));
    }

    #[tokio::test]
    async fn service_errors_are_500s_without_the_detail() {
        let instance = Function::from_service(Broken).init().await.expect("init");
        let mut ctx = testing::context();
        ctx.request_id = "r-8".into();
        let response = instance.invoke(testing::get("/"), ctx).await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = response.body().as_str().unwrap_or_default();
        assert!(body.contains("r-8") && !body.contains("hunter2"), "{body}");
    }
}
