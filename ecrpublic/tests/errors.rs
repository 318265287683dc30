//! The service-wide `ecrpublic::Error`: `?` across operations, each modeled error in the variant
//! of its name, everything else in `Unhandled` with the original error as its source, and the
//! metadata of `ProvideErrorMetadata` through `ecrpublic::prelude`.

use std::error::Error as _;

use bytes::Bytes;
use ecrpublic::error::{DescribeRepositoriesError, RepositoryNotFoundException};
use ecrpublic::operation::DescribeRepositories;
use ecrpublic::prelude::*;
use ecrpublic::stub::Stubs;
use ecrpublic::{
    BoxFuture, Client, Config, Credentials, Error, HttpRequest, HttpResponse, RetryConfig, SdkError, Transport,
    TransportError, TransportErrorKind, Unhandled, ValidationError,
};

fn config_for(url: &str) -> Config {
    Config::builder()
        .region("us-east-1")
        .endpoint_url(url)
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        // One attempt: the error of the first answer is the one under test.
        .retry(RetryConfig::disabled())
        .build()
}

/// The error a call ended in, converted as `?` would.
fn wide<T: std::fmt::Debug, E>(result: Result<T, SdkError<E>>) -> Error
where
    Error: From<SdkError<E>>,
{
    Error::from(result.expect_err("the call should fail"))
}

#[test]
fn the_error_is_thread_safe_and_boxes() {
    fn check<T: std::error::Error + Send + Sync + 'static>() {}
    check::<Error>();
    let boxed: Box<dyn std::error::Error + Send + Sync> =
        Error::from(DescribeRepositoriesError::RepositoryNotFoundException(RepositoryNotFoundException::default()))
            .into();
    assert!(boxed.to_string().starts_with("RepositoryNotFoundException"), "{boxed}");
}

#[test]
fn an_operation_error_converts_variant_by_variant() {
    let op = DescribeRepositoriesError::RepositoryNotFoundException(
        RepositoryNotFoundException::default().with_message("no such repository"),
    );
    let text = op.to_string();
    let err = Error::from(op);
    let Error::RepositoryNotFoundException(inner) = &err else { panic!("{err:?}") };
    assert_eq!(inner.message(), Some("no such repository"));
    // The same text, and the modeled error itself as the source.
    assert_eq!(err.to_string(), text);
    assert!(err.source().and_then(|s| s.downcast_ref::<RepositoryNotFoundException>()).is_some());
    assert_eq!(err.code(), Some("RepositoryNotFoundException"));
    assert_eq!(err.message(), Some("no such repository"));
    assert_eq!((err.request_id(), err.extended_request_id()), (None, None));

    // An unmodeled service error keeps its code, message and request id.
    let op = DescribeRepositoriesError::Unhandled(Unhandled::new("Brand", Some("new".into()), Some("rid".into()), 418));
    let err = Error::from(op);
    assert!(matches!(err, Error::Unhandled(_)), "{err:?}");
    assert_eq!((err.code(), err.message(), err.request_id()), (Some("Brand"), Some("new"), Some("rid")));
    let source = err.source().and_then(|s| s.downcast_ref::<Unhandled>()).expect("the original error");
    assert_eq!(source.status(), 418);
    assert_eq!(err.to_string(), "Brand: new (request id: rid)");
}

#[tokio::test]
async fn stubbed_errors_convert_from_the_sdk_error() {
    let stubs = Stubs::new();
    stubs.respond::<DescribeRepositories>(Err(DescribeRepositoriesError::RepositoryNotFoundException(
        RepositoryNotFoundException::default().with_message("gone"),
    )));
    let client = Client::new(&stubs.config());
    let sdk = client.describe_repositories().send().await.expect_err("stubbed error");
    // The trait on every layer tells the same.
    assert_eq!(sdk.code(), Some("RepositoryNotFoundException"));
    assert_eq!(sdk.service_error().and_then(ProvideErrorMetadata::request_id), Some("stub-request"));
    let err = Error::from(sdk);
    let Error::RepositoryNotFoundException(e) = &err else { panic!("{err:?}") };
    assert_eq!(ProvideErrorMetadata::code(e), Some("RepositoryNotFoundException"));
    assert_eq!((err.message(), err.request_id()), (Some("gone"), Some("stub-request")));
}

/// A transport answering every call with an error response of `code`, with `x-amz-id-2` when
/// `extended` is set.
#[derive(Clone)]
struct ErrorResponse {
    code: &'static str,
    extended: Option<&'static str>,
}

impl Transport for ErrorResponse {
    fn send(&self, _request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let mut b = http::Response::builder()
            .status(400)
            .header("x-amzn-RequestId", "rid-1")
            .header("x-amzn-ErrorType", self.code);
        if let Some(ext) = self.extended {
            b = b.header("x-amz-id-2", ext);
        }
        let body = format!(r#"{{"__type":"{}","message":"from the transport"}}"#, self.code);
        Box::pin(std::future::ready(Ok(b.body(Bytes::from(body)).expect("response"))))
    }
}

fn client_answering(code: &'static str, extended: Option<&'static str>) -> Client {
    let config = Config::builder()
        .region("us-east-1")
        .credentials(Credentials::new("AKID", "SECRET", None, None, "test"))
        .retry(RetryConfig::disabled())
        .transport(ErrorResponse { code, extended })
        .build();
    Client::new(&config)
}

#[tokio::test]
async fn the_extended_request_id_comes_from_x_amz_id_2() {
    for code in ["RepositoryNotFoundException", "SomethingUnmodeled"] {
        let client = client_answering(code, Some("ext-id-2"));
        let sdk = client.describe_repositories().send().await.expect_err("error response");
        assert_eq!(sdk.extended_request_id(), Some("ext-id-2"), "{code}");
        let op = sdk.service_error().expect("a service error");
        assert_eq!(ProvideErrorMetadata::extended_request_id(op), Some("ext-id-2"), "{code}");
        if let DescribeRepositoriesError::RepositoryNotFoundException(e) = op {
            assert_eq!(e.extended_request_id(), Some("ext-id-2"));
        }
        let err = Error::from(sdk);
        assert_eq!(err.extended_request_id(), Some("ext-id-2"), "{code}");
        assert_eq!((err.code(), err.request_id()), (Some(code), Some("rid-1")));
        assert_eq!(err.message(), Some("from the transport"));
    }
    // Without the header there is none.
    let client = client_answering("RepositoryNotFoundException", None);
    let err = wide(client.describe_repositories().send().await);
    assert!(matches!(err, Error::RepositoryNotFoundException(_)), "{err:?}");
    assert_eq!((err.request_id(), err.extended_request_id()), (Some("rid-1"), None));
}

#[tokio::test]
async fn a_transport_failure_is_unhandled_with_its_source() {
    // A port nothing listens on any more: the connection is refused.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let client = Client::new(&config_for(&format!("http://127.0.0.1:{port}")));
    let sdk = client.describe_repositories().send().await.expect_err("nothing listens");
    assert!(matches!(sdk, SdkError::Transport(_)), "{sdk:?}");
    // No service answered, so no metadata on either layer.
    assert_eq!((sdk.code(), sdk.request_id()), (None, None));
    let text = sdk.to_string();
    let err = Error::from(sdk);
    let Error::Unhandled(unhandled) = &err else { panic!("{err:?}") };
    assert_eq!(unhandled.to_string(), text);
    let transport = err.source().and_then(|s| s.downcast_ref::<TransportError>()).expect("the transport error");
    assert_eq!(transport.kind(), TransportErrorKind::Connect);
    assert_eq!(err.to_string(), text);
    assert_eq!((err.code(), err.message(), err.request_id(), err.extended_request_id()), (None, None, None, None));
}

#[tokio::test]
async fn a_validation_failure_is_unhandled_with_its_source() {
    let stubs = Stubs::new();
    let client = Client::new(&stubs.config());
    // Repository names are at least two characters: nothing is sent.
    let err = wide(client.create_repository("x").send().await);
    assert!(matches!(err, Error::Unhandled(_)), "{err:?}");
    let v = err.source().and_then(|s| s.downcast_ref::<ValidationError>()).expect("the validation error");
    assert_eq!(v.operation(), "CreateRepository");
    assert_eq!(err.code(), None);
    assert_eq!(stubs.calls(), 0);
}

#[cfg(feature = "emulator")]
mod emulated {
    use super::*;
    use ecrpublic::emulator::Emulator;
    use ecrpublic::types::{ImageIdentifier, RepositoryType, Tag};

    /// Creates a repository, tags it and reads its tags back: three operations, three error
    /// types, one `?`.
    async fn create_tagged(client: &Client, name: &str) -> Result<Vec<String>, Error> {
        let created = client.create_repository(name).send().await?;
        let arn = created.repository.and_then(|r| r.repository_arn).unwrap_or_default();
        client.tag_resource(&arn, [Tag::default().with_key("team").with_value("infra")]).send().await?;
        let listed = client.list_tags_for_resource(&arn).send().await?;
        Ok(listed.tags.into_iter().filter_map(|t| t.key).collect())
    }

    #[tokio::test]
    async fn question_mark_works_across_operations() {
        let emu = Emulator::start().await.expect("emulator");
        let client = Client::new(&config_for(&emu.url()));
        assert_eq!(create_tagged(&client, "app").await.expect("all three succeed"), ["team"]);

        // The first call fails.
        match create_tagged(&client, "app").await {
            Err(Error::RepositoryAlreadyExistsException(e)) => {
                assert!(e.message().is_some_and(|m| m.contains("app")), "{e}");
                assert!(e.request_id().is_some());
            }
            other => panic!("expected RepositoryAlreadyExistsException, got {other:?}"),
        }
        // The third call fails.
        emu.fail_next("ListTagsForResource", "RepositoryNotFoundException", 1);
        match create_tagged(&client, "other").await {
            Err(err @ Error::RepositoryNotFoundException(_)) => {
                assert_eq!(err.code(), Some("RepositoryNotFoundException"));
                assert!(err.message().is_some_and(|m| m.contains("ListTagsForResource")), "{err}");
                assert!(err.request_id().is_some());
            }
            other => panic!("expected RepositoryNotFoundException, got {other:?}"),
        }
        emu.shutdown().await;
    }

    /// For each listed error `V` of an operation: the emulator answers the next call with code
    /// `V`, and the call's error lands in `Error::V`.
    macro_rules! each_error_lands_in_its_variant {
        ($emu:ident, $op:literal, $call:expr, [$($variant:ident),+ $(,)?]) => {$(
            $emu.fail_next($op, stringify!($variant), 1);
            let err = wide($call.send().await);
            assert!(matches!(err, Error::$variant(_)), "{}: {err:?}", stringify!($variant));
            assert_eq!(err.code(), Some(ecrpublic::error::$variant::CODE));
            assert!(err.message().is_some_and(|m| m.contains("injected")), "{err}");
            assert!(err.request_id().is_some(), "{err:?}");
        )+};
    }

    #[tokio::test]
    async fn every_modeled_error_reaches_its_variant() {
        let emu = Emulator::start().await.expect("emulator");
        let c = Client::new(&config_for(&emu.url()));
        let digest = format!("sha256:{}", "a".repeat(64));
        let upload = "0123abcd-0123-4567-89ab-0123456789ab";
        // Operations chosen so that together they list every error the model defines.
        each_error_lands_in_its_variant!(
            emu,
            "PutImage",
            c.put_image("app", "{}"),
            [
                ConflictException,
                ImageAlreadyExistsException,
                ImageDigestDoesNotMatchException,
                ImageTagAlreadyExistsException,
                InvalidParameterException,
                LayersNotFoundException,
                LimitExceededException,
                ReferencedImagesNotFoundException,
                RegistryNotFoundException,
                RepositoryNotFoundException,
                ServerException,
                UnsupportedCommandException,
                ValidationException,
            ]
        );
        each_error_lands_in_its_variant!(
            emu,
            "CompleteLayerUpload",
            c.complete_layer_upload("app", upload, [&digest]),
            [
                EmptyUploadException,
                InvalidLayerException,
                LayerAlreadyExistsException,
                LayerPartTooSmallException,
                UploadNotFoundException,
            ]
        );
        each_error_lands_in_its_variant!(
            emu,
            "CreatePremiumRepository",
            c.create_premium_repository("app", ["prod-1"]),
            [InvalidTagParameterException, RepositoryAlreadyExistsException, TooManyTagsException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "DescribeEntitledImages",
            c.describe_entitled_images("app", "alias"),
            [EntitlementNotFoundException, ImageNotFoundException,]
        );
        let associate = || c.associate_repositories("app", RepositoryType::Free, "paid", RepositoryType::Premium);
        each_error_lands_in_its_variant!(
            emu,
            "AssociateRepositories",
            associate(),
            [AssociationAlreadyExistsException]
        );
        let disassociate = || c.disassociate_repositories("app", RepositoryType::Free, "paid", RepositoryType::Premium);
        each_error_lands_in_its_variant!(
            emu,
            "DisassociateRepositories",
            disassociate(),
            [AssociationNotFoundException]
        );
        let image = ImageIdentifier::default().with_image_tag("v1");
        each_error_lands_in_its_variant!(
            emu,
            "BatchDeleteImage",
            c.batch_delete_image("app", [image.clone()]),
            [DeletionNotAllowedException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "DeletePremiumRepository",
            c.delete_premium_repository("app"),
            [RepositoryNotEmptyException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "DeletePremiumRepositoryPolicy",
            c.delete_premium_repository_policy("app"),
            [RepositoryPolicyNotFoundException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "DescribeImageScanFindings",
            c.describe_image_scan_findings("app", image.clone()),
            [ScanNotFoundException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "GetDownloadUrlForPublisherReport",
            c.get_download_url_for_publisher_report("report1"),
            [PublisherReportNotFoundException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "GetPremiumRepositoryCatalogData",
            c.get_premium_repository_catalog_data("app"),
            [RepositoryCatalogDataNotFoundException]
        );
        each_error_lands_in_its_variant!(
            emu,
            "UploadLayerPart",
            c.upload_layer_part("app", upload, 0, 0, &b"x"[..]),
            [InvalidLayerPartException]
        );
        emu.shutdown().await;
    }

    #[tokio::test]
    async fn an_unmodeled_code_is_unhandled_with_its_metadata() {
        let emu = Emulator::start().await.expect("emulator");
        let client = Client::new(&config_for(&emu.url()));
        // A code the model never defines, and one it defines but not for this operation.
        for code in ["BrandNewException", "ImageNotFoundException"] {
            emu.fail_next("CreateRepository", code, 1);
            let err = wide(client.create_repository("app").send().await);
            let Error::Unhandled(_) = &err else { panic!("{code}: {err:?}") };
            assert_eq!(err.code(), Some(code));
            assert!(err.message().is_some_and(|m| m.contains("injected")), "{err}");
            let request_id = err.request_id().expect("the emulator sends a request id").to_owned();
            let source = err.source().and_then(|s| s.downcast_ref::<Unhandled>()).expect("the original error");
            assert_eq!((source.code(), source.status()), (code, 400));
            assert_eq!(source.request_id(), Some(request_id.as_str()));
            assert!(err.to_string().starts_with(code), "{err}");
        }
        emu.shutdown().await;
    }
}

/// Code ported from the official SDK names `error::SdkError` and `error::ProvideErrorMetadata`.
#[tokio::test]
async fn the_error_module_has_the_names_ported_code_uses() {
    fn code_of(e: &ecrpublic::error::SdkError<DescribeRepositoriesError>) -> Option<&str> {
        ecrpublic::error::ProvideErrorMetadata::code(e)
    }
    let stubs = Stubs::new();
    stubs.respond::<DescribeRepositories>(Err(DescribeRepositoriesError::RepositoryNotFoundException(
        RepositoryNotFoundException::default().with_message("gone"),
    )));
    let client = ecrpublic::Client::new(&stubs.config());
    let err = client.describe_repositories().send().await.unwrap_err();
    assert_eq!(code_of(&err), Some("RepositoryNotFoundException"));
}
