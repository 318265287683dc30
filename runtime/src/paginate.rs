//! Paginators: a stream of pages and a stream of items, requested as they are consumed.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_core::Stream;

use super::client::Handle;
use super::error::{ResponseError, SdkError};
use super::operation::Operation;
use super::options::CallOptions;

/// A paginated operation: how to move its token and find its items.
pub trait Paginated: Operation {
    /// One element of the output's `@paginated(items)` list, which [`Items`] yields.
    type Item: Send + Unpin + 'static;
    /// The continuation token: a string, or a map for some services (DynamoDB's `Scan`).
    type Token: Token;
    /// Sets the input's `@paginated(inputToken)` member, for the next page's request.
    fn set_token(input: &mut Self::Input, token: Option<Self::Token>);
    /// The token the input will send.
    fn token(input: &Self::Input) -> Option<&Self::Token>;
    /// The output's `@paginated(outputToken)` member: the token of the next page, if any.
    fn next_token(output: &Self::Output) -> Option<&Self::Token>;
    /// Sets the input's `@paginated(pageSize)` member; does nothing when the operation has none.
    fn set_page_size(input: &mut Self::Input, size: i32);
    /// Moves the page's items out of the output (none when the operation names no items member).
    fn take_items(output: &mut Self::Output) -> Vec<Self::Item>;
}

/// A continuation token's type; an empty token ends the pages, as an absent one does.
pub trait Token: Clone + PartialEq + Send + Unpin + 'static {
    /// Whether the token is empty (`""`, or a map without entries): no more pages.
    fn is_empty(&self) -> bool;
}

impl Token for String {
    fn is_empty(&self) -> bool {
        String::is_empty(self)
    }
}

impl<V: Clone + PartialEq + Send + Unpin + 'static> Token for std::collections::HashMap<String, V> {
    fn is_empty(&self) -> bool {
        std::collections::HashMap::is_empty(self)
    }
}

type Page<O> = Result<<O as Operation>::Output, SdkError<<O as Operation>::Error>>;
type Item<O> = Result<<O as Paginated>::Item, SdkError<<O as Operation>::Error>>;
type PageFuture<O> = Pin<Box<dyn Future<Output = Page<O>> + Send>>;

enum State<O: Paginated> {
    Idle,
    Waiting(PageFuture<O>),
    /// The last page named a token already sent: the error comes next, then nothing.
    Cycled,
    Done,
}

/// Yields whole pages until the service sends no next token or an empty one. Stops after an
/// error. A next token that was already sent (the one just sent, a starting token the caller
/// set, or any earlier one, as in a cycle A, B, A) would repeat pages forever: the page that
/// names it is still yielded, then an error ([`SdkError::Response`]), then nothing.
///
/// Use it as a [`Stream`] or through the inherent [`next`](Paginator::next).
pub struct Paginator<O: Paginated> {
    handle: Handle,
    input: O::Input,
    options: CallOptions,
    state: State<O>,
    /// Every token sent so far, to catch a service that cycles.
    sent: Vec<O::Token>,
}

impl<O: Paginated> Paginator<O> {
    #[doc(hidden)] // Generated `into_paginator` methods call it.
    pub fn new(handle: Handle, input: O::Input, options: CallOptions) -> Self {
        Paginator { handle, input, options, state: State::Idle, sent: Vec::new() }
    }

    /// How many results to ask for per page (the operation's page-size member).
    pub fn page_size(mut self, size: i32) -> Self {
        O::set_page_size(&mut self.input, size);
        self
    }

    /// The next page, or `None` when there are no more.
    pub async fn next(&mut self) -> Option<Page<O>> {
        std::future::poll_fn(|cx| self.poll_page(cx)).await
    }

    /// The items of every page, one by one.
    pub fn items(self) -> Items<O> {
        Items { pages: self, buffer: VecDeque::new() }
    }

    fn poll_page(&mut self, cx: &mut Context<'_>) -> Poll<Option<Page<O>>> {
        loop {
            match &mut self.state {
                State::Done => return Poll::Ready(None),
                State::Cycled => {
                    self.state = State::Done;
                    let problem = format!(
                        "the service sent a pagination token of `{}` that was already sent, after {} pages: \
                         paging would never end",
                        O::NAME,
                        self.sent.len()
                    );
                    return Poll::Ready(Some(Err(SdkError::Response(ResponseError::new(
                        200,
                        None,
                        Bytes::new(),
                        problem,
                    )))));
                }
                State::Idle => {
                    if let Some(token) = O::token(&self.input) {
                        self.sent.push(token.clone());
                    }
                    let handle = self.handle.clone();
                    let input = self.input.clone();
                    let options = self.options.clone();
                    self.state = State::Waiting(Box::pin(async move { handle.call::<O>(&input, &options).await }));
                }
                State::Waiting(fut) => {
                    let page = match fut.as_mut().poll(cx) {
                        Poll::Pending => return Poll::Pending,
                        Poll::Ready(page) => page,
                    };
                    self.state = State::Done;
                    if let Some(next) = page.as_ref().ok().and_then(O::next_token).filter(|t| !t.is_empty()) {
                        // Tokens may be sensitive: they are compared, never printed.
                        if self.sent.contains(next) {
                            self.state = State::Cycled;
                        } else {
                            let next = next.clone();
                            O::set_token(&mut self.input, Some(next));
                            self.state = State::Idle;
                        }
                    }
                    return Poll::Ready(Some(page));
                }
            }
        }
    }
}

impl<O: Paginated> Stream for Paginator<O> {
    type Item = Page<O>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_page(cx)
    }
}

/// The items of every page, one by one; an error ends the stream after it is yielded.
pub struct Items<O: Paginated> {
    pages: Paginator<O>,
    buffer: VecDeque<O::Item>,
}

impl<O: Paginated> Items<O> {
    /// The next item, or `None` when there are no more.
    pub async fn next(&mut self) -> Option<Item<O>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Item<O>>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match self.pages.poll_page(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(mut page))) => self.buffer.extend(O::take_items(&mut page)),
            }
        }
    }
}

impl<O: Paginated> Stream for Items<O> {
    type Item = Item<O>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.get_mut().poll_item(cx)
    }
}
