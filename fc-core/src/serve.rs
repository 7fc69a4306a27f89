//! The one HTTP server of fc's platforms: FC's custom runtime, the local platform and the
//! emulators all accept connections here, so they behave alike under load and at shutdown.
//!
//! Adapters use this; handlers never need it.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use http_body::Body as HttpBody;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower_service::Service;

use crate::error::BoxError;

/// Completes when the process gets SIGTERM, as a platform stops an instance (never elsewhere).
pub async fn terminated() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            term.recv().await;
            return;
        }
    }
    std::future::pending::<()>().await;
}

/// The address a platform's server listens on: `0.0.0.0`, as the platform's front end cannot
/// reach a loopback listener, unless `FC_LISTEN_HOST` names another. An emulator on a laptop
/// sets `127.0.0.1`, so that an instance holding credentials is not open to the network it
/// sits on.
pub fn listen_host() -> Result<std::net::IpAddr, crate::Error> {
    match std::env::var("FC_LISTEN_HOST") {
        Ok(host) => host.trim().parse().map_err(|_| {
            crate::Error::new(
                crate::ErrorKind::Internal,
                format!("FC_LISTEN_HOST must be an IP address, got `{host}`"),
            )
        }),
        Err(_) => Ok(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED)),
    }
}

/// The port to listen on: `PORT` when it is set (as Knative, Cloud Run and the local tests set
/// it), otherwise the platform's `default`.
pub fn port(default: u16) -> Result<u16, crate::Error> {
    match std::env::var("PORT") {
        Ok(value) => value.trim().parse().map_err(|_| {
            crate::Error::new(
                crate::ErrorKind::Internal,
                format!("PORT must be a port number, got `{value}`"),
            )
        }),
        Err(_) => Ok(default),
    }
}

/// Listens on `port` of [`listen_host`], saying where in the log: `what serving on
/// http://<addr>`.
pub async fn bind(port: u16, what: &str) -> Result<TcpListener, crate::Error> {
    let addr = SocketAddr::from((listen_host()?, port));
    let listener = TcpListener::bind(addr).await.map_err(|err| {
        crate::Error::new(
            crate::ErrorKind::Internal,
            format!("cannot listen on {addr}: {err}"),
        )
    })?;
    let addr = listener.local_addr().unwrap_or(addr);
    tracing::info!("{what} serving on http://{addr}");
    Ok(listener)
}

/// How long an accept waits after a failure: out of file descriptors, an accept that failed at
/// once would fail again at once and spin.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// Serves HTTP/1.1 on `listener` until `shutdown` completes: each connection gets the tower
/// service `service(peer)` returns and runs on its own task. Returns the connections still
/// open, for the caller to [drain](Connections::drain) once it has done its own stopping.
pub async fn serve<F, S, B>(
    listener: &TcpListener,
    mut service: F,
    shutdown: impl Future<Output = ()>,
) -> Connections
where
    F: FnMut(SocketAddr) -> S,
    S: Service<http::Request<Incoming>, Response = http::Response<B>> + Clone + Send + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: HttpBody + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(err) => {
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let hyper_service = TowerToHyperService::new(service(peer));
        let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), hyper_service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                tracing::debug!("connection from {peer}: {err}");
            }
        });
    }
    Connections { graceful }
}

/// The connections of a server that stopped accepting.
#[must_use = "connections are only closed gracefully by `drain`"]
pub struct Connections {
    graceful: GracefulShutdown,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections").finish_non_exhaustive()
    }
}

impl Connections {
    /// Lets each connection finish the request it is serving, closing idle ones at once; waits
    /// up to `limit` for them. False when some were still open at the limit.
    pub async fn drain(self, limit: Duration) -> bool {
        tokio::time::timeout(limit, self.graceful.shutdown())
            .await
            .is_ok()
    }
}

/// Why a request's body could not be read whole.
#[derive(Debug)]
#[non_exhaustive]
pub enum BodyError {
    /// It is larger than the limit; what the client sent of it was read and dropped.
    TooLarge,
    /// The connection failed while it was read.
    Failed(BoxError),
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge => f.write_str("the body is larger than the limit"),
            BodyError::Failed(err) => err.fmt(f),
        }
    }
}

impl std::error::Error for BodyError {}

/// Reads a request's body, up to `limit` bytes. Past the limit, the rest is [discarded](discard)
/// so that the client gets to read the refusal.
pub async fn read_body<B>(mut body: B, limit: usize) -> Result<bytes::Bytes, BodyError>
where
    B: HttpBody<Data = bytes::Bytes> + Unpin,
    B::Error: Into<BoxError>,
{
    use http_body_util::BodyExt;
    match http_body_util::Limited::new(&mut body, limit)
        .collect()
        .await
    {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(err) if err.is::<http_body_util::LengthLimitError>() => {
            discard(body).await;
            Err(BodyError::TooLarge)
        }
        Err(err) => Err(BodyError::Failed(err)),
    }
}

/// How much of a refused request's body [`discard`] reads at most, and for how long.
const DISCARD_LIMIT: usize = 64 * 1024 * 1024;
const DISCARD_TIME: Duration = Duration::from_secs(2);

/// Reads what is left of a refused request's body (a 413's) and drops it, within bounds, before
/// the answer goes out. A server that closes the connection with unread data in it resets the
/// connection, and the client, still sending, sees the reset instead of the answer.
pub async fn discard<B: HttpBody + Unpin>(mut body: B) {
    use http_body_util::BodyExt;
    let drained = async {
        let mut seen = 0usize;
        while let Some(Ok(frame)) = body.frame().await {
            seen += frame.data_ref().map_or(0, bytes::Buf::remaining);
            if seen > DISCARD_LIMIT {
                break;
            }
        }
    };
    let _ = tokio::time::timeout(DISCARD_TIME, drained).await;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // a panic is the failure report

    use std::convert::Infallible;
    use std::sync::Arc;
    use std::task::{Context, Poll};

    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    /// A body whose connection broke.
    struct Broken;

    impl HttpBody for Broken {
        type Data = bytes::Bytes;
        type Error = std::io::Error;

        fn poll_frame(
            self: std::pin::Pin<&mut Self>,
            _: &mut Context<'_>,
        ) -> Poll<Option<Result<http_body::Frame<bytes::Bytes>, std::io::Error>>> {
            Poll::Ready(Some(Err(std::io::Error::other("reset by peer"))))
        }
    }

    #[tokio::test]
    async fn bodies_are_read_up_to_the_limit_and_the_rest_dropped() {
        let body = || http_body_util::Full::new(bytes::Bytes::from_static(b"twelve bytes"));
        assert_eq!(read_body(body(), 12).await.unwrap(), "twelve bytes");
        assert!(matches!(
            read_body(body(), 11).await,
            Err(BodyError::TooLarge)
        ));
        let err = read_body(Broken, 12).await.unwrap_err();
        assert_eq!(err.to_string(), "reset by peer");
    }

    /// Says when a request arrived, then answers with the peer's port once released.
    #[derive(Clone)]
    struct Held {
        peer: SocketAddr,
        arrived: tokio::sync::mpsc::UnboundedSender<()>,
        release: Arc<tokio::sync::Notify>,
    }

    impl Service<http::Request<Incoming>> for Held {
        type Response = http::Response<String>;
        type Error = Infallible;
        type Future = std::pin::Pin<
            Box<dyn Future<Output = Result<http::Response<String>, Infallible>> + Send>,
        >;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, _: http::Request<Incoming>) -> Self::Future {
            let port = self.peer.port();
            let _ = self.arrived.send(());
            let release = Arc::clone(&self.release);
            Box::pin(async move {
                release.notified().await;
                Ok(http::Response::new(port.to_string()))
            })
        }
    }

    /// A request in flight when the server stops is answered, and the drain waits for it.
    #[tokio::test]
    async fn a_stop_lets_requests_in_flight_finish() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let (arrived, mut arrivals) = tokio::sync::mpsc::unbounded_channel();
        let release = Arc::new(tokio::sync::Notify::new());
        let held = Arc::clone(&release);
        let server = tokio::spawn(async move {
            let service = |peer| Held {
                peer,
                arrived: arrived.clone(),
                release: Arc::clone(&held),
            };
            let open = serve(&listener, service, async {
                let _ = stopped.await;
            })
            .await;
            open.drain(Duration::from_secs(30)).await
        });
        let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
        let port = client.local_addr().unwrap().port();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        arrivals.recv().await.unwrap();
        stop.send(()).unwrap();
        release.notify_one();
        let mut answer = String::new();
        client.read_to_string(&mut answer).await.unwrap();
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.ends_with(&port.to_string()), "{answer}");
        assert!(server.await.unwrap(), "the drain timed out");
    }
}
