//! A local HTTP server on 127.0.0.1 standing in for the ECS and IMDS endpoints in tests: it
//! records every request and answers through a handler.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::Full;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;

#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: http::Method,
    pub path: String,
    pub headers: http::HeaderMap,
}

type Handler = dyn Fn(&Recorded) -> (u16, String) + Send + Sync;

pub struct TestServer {
    pub addr: SocketAddr,
    requests: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(handler: impl Fn(&Recorded) -> (u16, String) + Send + Sync + 'static) -> TestServer {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let requests: Arc<Mutex<Vec<Recorded>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let log = requests.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (log, handler) = (log.clone(), handler.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |req: http::Request<hyper::body::Incoming>| {
                        let recorded = Recorded {
                            method: req.method().clone(),
                            path: req.uri().path_and_query().map(|p| p.to_string()).unwrap_or_default(),
                            headers: req.headers().clone(),
                        };
                        let (status, body) = handler(&recorded);
                        log.lock().unwrap().push(recorded);
                        let response =
                            http::Response::builder().status(status).body(Full::new(Bytes::from(body))).unwrap();
                        async move { Ok::<_, Infallible>(response) }
                    });
                    let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
                });
            }
        });
        TestServer { addr, requests, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}
