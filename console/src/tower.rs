//! The console as a [`tower_service::Service`] (cargo feature `tower`), mounted in axum with
//! `Router::new().nest_service("/back-office", service)`: the request's body is read, the core
//! runs on tokio's blocking pool (its calls wait on the database), and the answer comes back as
//! an `http::Response`.

use crate::{Console, Handoff, Request, Response, Who};
use bytes::Bytes;
use http_body::Frame;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

/// The body of the service's responses: the whole page, or (a running import) a page sent as
/// it grows.
pub type ConsoleBody = UnsyncBoxBody<Bytes, std::convert::Infallible>;

/// The largest form body the service reads (a pasted import list is the largest form).
const MOST_BODY: usize = 16 * 1024 * 1024;

/// Who is acting, from the request's head (the host's session cookie, a header its auth layer
/// set, an extension): `None` when nobody is signed in.
pub type WhoFn = dyn Fn(&http::request::Parts) -> Option<Who> + Send + Sync;

/// What the host does with a [`Handoff`]: keep an impersonation token in the admin's
/// session, send an invitee to sign-up. It may change the response (a `set-cookie` header, a
/// redirect) before it is sent.
pub type HandoffFn =
    dyn Fn(&http::request::Parts, Handoff, &mut http::Response<ConsoleBody>) + Send + Sync;

/// The email the person is signed in with on the host's site, from the request's head; `None`
/// when nobody is.
pub type SignedInFn = dyn Fn(&http::request::Parts) -> Option<String> + Send + Sync;

/// Which pages a service answers, and how it learns who is asking.
#[derive(Clone)]
enum Pages {
    BackOffice(Arc<WhoFn>),
    Invitee(Arc<SignedInFn>),
}

/// A [`Console`] mounted at a prefix: the back office with the host's "who is acting", or the
/// invitee's pages with the host's "who is signed in".
#[derive(Clone)]
pub struct ConsoleService {
    console: Arc<Console>,
    mount: Arc<str>,
    pages: Pages,
    handoff: Option<Arc<HandoffFn>>,
}

impl ConsoleService {
    /// `console` mounted at `mount` (`/back-office`: what the host's router strips before the
    /// service sees the path), answering as whoever `who` says.
    pub fn new(
        console: Arc<Console>,
        mount: &str,
        who: impl Fn(&http::request::Parts) -> Option<Who> + Send + Sync + 'static,
    ) -> Self {
        ConsoleService {
            console,
            mount: mount.trim_end_matches('/').into(),
            pages: Pages::BackOffice(Arc::new(who)),
            handoff: None,
        }
    }

    /// The invitee's pages ([`Console::invitee`]) mounted at `mount` (where the host's invite
    /// links point), with the email `signed_in` says the person is signed in with.
    pub fn invitee(
        console: Arc<Console>,
        mount: &str,
        signed_in: impl Fn(&http::request::Parts) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        ConsoleService {
            console,
            mount: mount.trim_end_matches('/').into(),
            pages: Pages::Invitee(Arc::new(signed_in)),
            handoff: None,
        }
    }

    /// What the host does with a [`Handoff`] (without one, the console's page is sent as is).
    pub fn on_handoff(
        mut self,
        handoff: impl Fn(&http::request::Parts, Handoff, &mut http::Response<ConsoleBody>)
            + Send
            + Sync
            + 'static,
    ) -> Self {
        self.handoff = Some(Arc::new(handoff));
        self
    }
}

type Answer = Pin<
    Box<dyn Future<Output = Result<http::Response<ConsoleBody>, std::convert::Infallible>> + Send>,
>;

impl<B> tower_service::Service<http::Request<B>> for ConsoleService
where
    B: http_body::Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<ConsoleBody>;
    type Error = std::convert::Infallible;
    type Future = Answer;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let service = self.clone();
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let asking = match &service.pages {
                Pages::BackOffice(who) => Asking::Admin(who(&parts)),
                Pages::Invitee(signed_in) => Asking::Invitee(signed_in(&parts)),
            };
            let body = match Limited::new(body, MOST_BODY).collect().await {
                Ok(collected) => collected.to_bytes().to_vec(),
                Err(_) => return Ok(plain(413, "The form is too large.")),
            };
            let request = Request {
                method: parts.method.as_str().to_owned(),
                mount: service.mount.to_string(),
                path: parts.uri.path().to_owned(),
                query: parts.uri.query().unwrap_or("").to_owned(),
                headers: parts
                    .headers
                    .iter()
                    .filter_map(|(n, v)| Some((n.as_str().to_owned(), v.to_str().ok()?.to_owned())))
                    .collect(),
                body,
            };
            let console = service.console.clone();
            let answer = tokio::task::spawn_blocking(move || match asking {
                Asking::Admin(who) => console.handle(&request, who.as_ref()),
                Asking::Invitee(email) => console.invitee(&request, email.as_deref()),
            })
            .await;
            Ok(match answer {
                Ok(mut response) => {
                    let handoff = response.handoff.take();
                    let mut converted = convert(response);
                    if let (Some(handoff), Some(host)) = (handoff, &service.handoff) {
                        host(&parts, handoff, &mut converted);
                    }
                    converted
                }
                Err(_) => plain(500, "The console failed."),
            })
        })
    }
}

/// Who is asking, as the host said.
enum Asking {
    Admin(Option<Who>),
    Invitee(Option<String>),
}

fn convert(response: Response) -> http::Response<ConsoleBody> {
    let mut out = http::Response::builder().status(response.status);
    for (name, value) in &response.headers {
        out = out.header(name, value);
    }
    let body = match response.rest {
        None => Full::new(Bytes::from(response.body)).boxed_unsync(),
        Some(rest) => growing(response.body, rest),
    };
    out.body(body)
        .unwrap_or_else(|_| plain(500, "The console made a response HTTP cannot carry."))
}

/// `first`, then each chunk of `rest` as it is made (waited for on the blocking pool).
fn growing(first: Vec<u8>, rest: crate::Rest) -> ConsoleBody {
    let (chunks, arriving) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
    tokio::task::spawn_blocking(move || {
        for chunk in std::iter::once(first).chain(rest) {
            // The browser went away: stop reading (the import itself goes on).
            if chunks.blocking_send(chunk).is_err() {
                break;
            }
        }
    });
    let frames = futures_util::stream::unfold(arriving, |mut arriving| async move {
        let chunk = arriving.recv().await?;
        Some((Ok(Frame::data(Bytes::from(chunk))), arriving))
    });
    StreamBody::new(frames).boxed_unsync()
}

fn plain(status: u16, text: &'static str) -> http::Response<ConsoleBody> {
    let body = Full::new(Bytes::from_static(text.as_bytes())).boxed_unsync();
    let mut response = http::Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or_default();
    response
}
