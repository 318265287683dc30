//! Configuration from the environment and the shared files, end to end: each setting is read
//! through `Config::loader()` with an isolated `Env` (the process environment is never touched)
//! and profile files in a temporary directory, and then observed where it matters: the request's
//! destination, its signature, the client's configuration.

mod common;

use std::sync::{Arc, Mutex};

use common::tmp::TempDir;
use common::{Canned, MockServer};
use ecrpublic::{
    BoxFuture, Client, Config, ConfigBuilder, ConfigError, Credentials, Env, HttpRequest, HttpResponse, RetryConfig,
    RetryMode, SdkError, Transport, TransportError,
};

/// A transport that records each request's URI and answers `200 {}`: for endpoints that must
/// not be contacted (real AWS hosts).
#[derive(Clone, Default)]
struct Recorder {
    requests: Arc<Mutex<Vec<HttpRequest>>>,
}

impl Recorder {
    fn uris(&self) -> Vec<String> {
        self.requests.lock().unwrap().iter().map(|r| r.uri().to_string()).collect()
    }

    /// The URI of the one request sent.
    fn only_uri(&self) -> String {
        let uris = self.uris();
        assert_eq!(uris.len(), 1, "expected exactly one request: {uris:?}");
        uris[0].clone()
    }

    fn only_authorization(&self) -> String {
        let requests = self.requests.lock().unwrap();
        assert_eq!(requests.len(), 1, "expected exactly one request");
        requests[0].headers()["authorization"].to_str().unwrap().to_owned()
    }
}

impl Transport for Recorder {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.requests.lock().unwrap().push(request);
        Box::pin(async {
            Ok(http::Response::builder()
                .status(200)
                .header("content-type", "application/x-amz-json-1.1")
                .body(bytes::Bytes::from_static(b"{}"))
                .unwrap())
        })
    }
}

/// A temporary directory with the shared `config` and `credentials` files.
struct Files {
    dir: TempDir,
}

impl Files {
    fn new(config: &str, credentials: &str) -> Self {
        let dir = TempDir::new();
        dir.write("config", config);
        dir.write("credentials", credentials);
        Files { dir }
    }

    /// An environment pointing at these files, IMDS off (nothing may leave 127.0.0.1), plus `vars`.
    fn env(&self, vars: &[(&str, &str)]) -> Env {
        let mut all = vec![
            ("AWS_CONFIG_FILE".to_owned(), self.dir.file("config")),
            ("AWS_SHARED_CREDENTIALS_FILE".to_owned(), self.dir.file("credentials")),
            ("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()),
        ];
        all.extend(vars.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        Env::from_vars(all)
    }
}

async fn load(env: Env) -> ConfigBuilder {
    Config::loader().env(env).load().await.expect("configuration loads")
}

async fn load_err(env: Env) -> ConfigError {
    match Config::loader().env(env).load().await {
        Ok(b) => panic!("expected a configuration error, got {:?}", b.build()),
        Err(e) => e,
    }
}

/// Static credentials for tests that are not about credentials.
fn test_credentials() -> Credentials {
    Credentials::new("AKID", "SECRET", None, None, "test")
}

/// One DescribeRepositories call with the given configuration.
async fn call(config: Config) -> Result<(), SdkError<ecrpublic::error::DescribeRepositoriesError>> {
    Client::new(&config).describe_repositories().send().await.map(|_| ())
}

/// Loads `env`, sends one call through a recorder and returns the URI it went to.
async fn uri_with(env: Env, tweak: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> String {
    let recorder = Recorder::default();
    let builder = load(env).await.credentials(test_credentials()).transport(recorder.clone());
    call(tweak(builder).build()).await.expect("call succeeds");
    recorder.only_uri()
}

// ---------------------------------------------------------------------------------------------
// Region
// ---------------------------------------------------------------------------------------------

const REGION_FILES: &str = "[default]\nregion = eu-west-1\n\n[profile other]\nregion = ap-south-1\n";

/// The region the client ends up with, checked against where and how the request went.
async fn region_with(env: Env, tweak: impl FnOnce(ConfigBuilder) -> ConfigBuilder) -> String {
    let recorder = Recorder::default();
    let builder = load(env).await.credentials(test_credentials()).transport(recorder.clone());
    let config = tweak(builder).build();
    let client = Client::new(&config);
    let region = client.config().region().expect("a region").to_owned();
    client.describe_repositories().send().await.expect("call succeeds");
    assert_eq!(recorder.only_uri(), format!("https://api.ecr-public.{region}.amazonaws.com/"));
    let auth = recorder.only_authorization();
    assert!(auth.contains(&format!("/{region}/ecr-public/aws4_request")), "signed for {region}: {auth}");
    region
}

#[tokio::test]
async fn region_comes_from_the_profile() {
    let files = Files::new(REGION_FILES, "");
    assert_eq!(region_with(files.env(&[]), |b| b).await, "eu-west-1");
}

#[tokio::test]
async fn aws_default_region_beats_the_profile() {
    let files = Files::new(REGION_FILES, "");
    assert_eq!(region_with(files.env(&[("AWS_DEFAULT_REGION", "us-west-2")]), |b| b).await, "us-west-2");
}

#[tokio::test]
async fn aws_region_beats_aws_default_region() {
    let files = Files::new(REGION_FILES, "");
    let env = files.env(&[("AWS_REGION", "ca-central-1"), ("AWS_DEFAULT_REGION", "us-west-2")]);
    assert_eq!(region_with(env, |b| b).await, "ca-central-1");
}

#[tokio::test]
async fn explicit_region_beats_the_environment() {
    let files = Files::new(REGION_FILES, "");
    let env = files.env(&[("AWS_REGION", "ca-central-1"), ("AWS_DEFAULT_REGION", "us-west-2")]);
    assert_eq!(region_with(env, |b| b.region("sa-east-1")).await, "sa-east-1");
}

#[tokio::test]
async fn aws_profile_selects_the_profile() {
    let files = Files::new(REGION_FILES, "");
    assert_eq!(region_with(files.env(&[("AWS_PROFILE", "other")]), |b| b).await, "ap-south-1");
    // The loader's explicit profile beats AWS_PROFILE.
    let recorder = Recorder::default();
    let config = Config::loader()
        .env(files.env(&[("AWS_PROFILE", "other")]))
        .profile("default")
        .load()
        .await
        .unwrap()
        .transport(recorder)
        .build();
    assert_eq!(config.region(), Some("eu-west-1"));
}

#[tokio::test]
async fn an_unknown_explicit_profile_is_an_error() {
    let files = Files::new(REGION_FILES, "");
    let err = Config::loader().env(files.env(&[])).profile("missing").load().await.unwrap_err();
    assert!(err.message().contains("profile `missing`"), "{err}");
}

#[tokio::test]
async fn a_region_that_is_not_a_host_label_is_refused_before_any_url() {
    // From the environment or a profile: the loader refuses it and names where it came from.
    let files = Files::new("[default]\nregion = us-east-1.attacker.example\n", "");
    let err = load_err(files.env(&[])).await;
    assert!(err.message().contains("region `us-east-1.attacker.example` is not valid"), "{err}");
    assert!(err.message().contains("from the profile's `region`"), "{err}");
    let err = load_err(files.env(&[("AWS_REGION", "eu west 1")])).await;
    assert!(err.message().contains("region `eu west 1` is not valid") && err.message().contains("AWS_REGION"), "{err}");

    // Set in code: every call is a configuration error, and nothing is sent.
    let recorder = Recorder::default();
    let config = Config::builder()
        .region("evil.example.com/#")
        .credentials(test_credentials())
        .transport(recorder.clone())
        .build();
    match call(config).await {
        Err(SdkError::Config(e)) => assert!(e.message().contains("region `evil.example.com/#` is not valid"), "{e}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(recorder.uris().is_empty(), "nothing is sent");
}

#[tokio::test]
async fn the_region_comes_from_imds_last() {
    let imds = common::aws::imds("IMDSKEY").await;
    let files = Files::new("", "");
    // Files::env turns IMDS off; this environment has it on, pointing at the stand-in.
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", files.dir.file("config")),
        ("AWS_SHARED_CREDENTIALS_FILE", files.dir.file("credentials")),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()),
    ]);
    assert_eq!(load(env.clone()).await.build().region(), Some("us-west-2"));
    // Any other source wins, and IMDS is not asked.
    let before = imds.requests().len();
    let files = Files::new("[default]\nregion = eu-north-1\n", "");
    let env = Env::from_vars([
        ("AWS_CONFIG_FILE", files.dir.file("config")),
        ("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url()),
    ]);
    assert_eq!(load(env).await.build().region(), Some("eu-north-1"));
    assert_eq!(imds.requests().len(), before);
}

#[tokio::test]
async fn no_region_and_no_endpoint_is_a_config_error() {
    let files = Files::new("", "");
    let recorder = Recorder::default();
    let config = load(files.env(&[])).await.credentials(test_credentials()).transport(recorder.clone()).build();
    assert_eq!(config.region(), None);
    match call(config).await {
        Err(SdkError::Config(e)) => assert!(e.message().contains("no region and no endpoint"), "{e}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(recorder.uris().is_empty(), "nothing is sent");
}

// ---------------------------------------------------------------------------------------------
// Endpoint
// ---------------------------------------------------------------------------------------------

/// Five servers, one per way of configuring the endpoint, from the strongest.
struct Endpoints {
    explicit: MockServer,
    service_env: MockServer,
    global_env: MockServer,
    services_section: MockServer,
    profile: MockServer,
}

impl Endpoints {
    async fn start() -> Self {
        let ok = || MockServer::start(Canned::ok("{}", "req"));
        Endpoints {
            explicit: ok().await,
            service_env: ok().await,
            global_env: ok().await,
            services_section: ok().await,
            profile: ok().await,
        }
    }

    /// Profile files with a `services` section and a profile `endpoint_url`; `extra` goes in
    /// `[default]`.
    fn files(&self, extra: &str) -> Files {
        let config = format!(
            "[default]\nregion = us-east-1\nservices = local\nendpoint_url = {}\n{extra}\n\n\
             [services local]\necr_public =\n  endpoint_url = {}\n",
            self.profile.endpoint(),
            self.services_section.endpoint()
        );
        Files::new(&config, "")
    }

    /// Sends one call and returns the name of the one server that received it.
    async fn receiver(&self, config: Config) -> &'static str {
        call(config).await.expect("call succeeds");
        let counts = [
            ("explicit", self.explicit.requests().len()),
            ("AWS_ENDPOINT_URL_ECR_PUBLIC", self.service_env.requests().len()),
            ("AWS_ENDPOINT_URL", self.global_env.requests().len()),
            ("services section", self.services_section.requests().len()),
            ("profile endpoint_url", self.profile.requests().len()),
        ];
        let hit: Vec<_> = counts.iter().filter(|(_, n)| *n > 0).collect();
        assert_eq!(hit.len(), 1, "exactly one server gets the request: {counts:?}");
        assert_eq!(hit[0].1, 1, "{counts:?}");
        hit[0].0
    }
}

#[tokio::test]
async fn endpoint_precedence() {
    // Each case uses fresh servers, so that each server's count is that case's alone.
    async fn case(env_vars: &[&str], explicit: bool) -> &'static str {
        let servers = Endpoints::start().await;
        let files = servers.files("");
        let mut vars = Vec::new();
        for name in env_vars {
            let server = match *name {
                "AWS_ENDPOINT_URL_ECR_PUBLIC" => &servers.service_env,
                "AWS_ENDPOINT_URL" => &servers.global_env,
                other => panic!("{other}"),
            };
            vars.push((*name, server.endpoint()));
        }
        let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut builder = load(files.env(&vars)).await.credentials(test_credentials());
        if explicit {
            builder = builder.endpoint_url(servers.explicit.endpoint());
        }
        servers.receiver(builder.build()).await
    }
    let both = ["AWS_ENDPOINT_URL_ECR_PUBLIC", "AWS_ENDPOINT_URL"];
    assert_eq!(case(&both, true).await, "explicit");
    assert_eq!(case(&both, false).await, "AWS_ENDPOINT_URL_ECR_PUBLIC");
    assert_eq!(case(&["AWS_ENDPOINT_URL"], false).await, "AWS_ENDPOINT_URL");
    assert_eq!(case(&[], false).await, "services section");
}

#[tokio::test]
async fn profile_endpoint_url_without_a_services_section() {
    let servers = Endpoints::start().await;
    let config = format!("[default]\nendpoint_url = {}\n", servers.profile.endpoint());
    let files = Files::new(&config, "");
    let builder = load(files.env(&[])).await.credentials(test_credentials());
    assert_eq!(servers.receiver(builder.build()).await, "profile endpoint_url");
}

#[tokio::test]
async fn the_services_section_of_the_selected_profile() {
    // AWS_PROFILE picks a profile whose `services` names a section; another section is ignored.
    let target = MockServer::start(Canned::ok("{}", "req")).await;
    let other = MockServer::start(Canned::ok("{}", "req")).await;
    let config = format!(
        "[default]\nservices = wrong\n\n[profile dev]\nservices = dev-services\n\n\
         [services wrong]\necr_public =\n  endpoint_url = {}\n\n\
         [services dev-services]\ns3 =\n  endpoint_url = http://127.0.0.1:1\necr_public =\n  endpoint_url = {}\n",
        other.endpoint(),
        target.endpoint()
    );
    let files = Files::new(&config, "");
    let builder = load(files.env(&[("AWS_PROFILE", "dev")])).await.credentials(test_credentials());
    call(builder.build()).await.expect("call succeeds");
    assert_eq!(target.requests().len(), 1);
    assert_eq!(other.requests().len(), 0);
}

#[tokio::test]
async fn ignore_configured_endpoint_urls() {
    for (env_flag, profile_flag) in [("true", ""), ("TRUE", ""), ("", "ignore_configured_endpoint_urls = true")] {
        let servers = Endpoints::start().await;
        let files = servers.files(profile_flag);
        let env = files.env(&[
            ("AWS_ENDPOINT_URL_ECR_PUBLIC", &servers.service_env.endpoint()),
            ("AWS_ENDPOINT_URL", &servers.global_env.endpoint()),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", env_flag),
        ]);
        // Configured endpoints are ignored: the region's endpoint is used.
        let uri = uri_with(env.clone(), |b| b).await;
        assert_eq!(uri, "https://api.ecr-public.us-east-1.amazonaws.com/", "flag {env_flag:?}/{profile_flag:?}");
        // An endpoint set in code is not a configured one: it still wins.
        let builder = load(env).await.credentials(test_credentials()).endpoint_url(servers.explicit.endpoint());
        assert_eq!(servers.receiver(builder.build()).await, "explicit");
    }
}

#[tokio::test]
async fn ignore_flag_false_keeps_configured_endpoints() {
    let servers = Endpoints::start().await;
    let files = servers.files("");
    let env = files
        .env(&[("AWS_ENDPOINT_URL", &servers.global_env.endpoint()), ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "false")]);
    let builder = load(env).await.credentials(test_credentials());
    assert_eq!(servers.receiver(builder.build()).await, "AWS_ENDPOINT_URL");
}

#[tokio::test]
async fn fips_and_dual_stack_hosts() {
    let files = Files::new("[default]\nregion = us-east-1\n", "");
    let plain = uri_with(files.env(&[]), |b| b).await;
    assert_eq!(plain, "https://api.ecr-public.us-east-1.amazonaws.com/");

    let fips = uri_with(files.env(&[("AWS_USE_FIPS_ENDPOINT", "true")]), |b| b).await;
    assert_eq!(fips, "https://api.ecr-public-fips.us-east-1.amazonaws.com/");

    let dual = uri_with(files.env(&[("AWS_USE_DUALSTACK_ENDPOINT", "true")]), |b| b).await;
    assert_eq!(dual, "https://ecr-public.us-east-1.api.aws/");

    let env = files.env(&[("AWS_USE_FIPS_ENDPOINT", "true"), ("AWS_USE_DUALSTACK_ENDPOINT", "true")]);
    let both = uri_with(env, |b| b).await;
    assert_eq!(both, "https://api.ecr-public-fips.us-east-1.api.aws/");

    // The builder's settings win over the environment's.
    let env = files.env(&[("AWS_USE_FIPS_ENDPOINT", "true")]);
    assert_eq!(uri_with(env, |b| b.use_fips(false)).await, plain);
    assert_eq!(uri_with(files.env(&[]), |b| b.use_fips(true).use_dual_stack(true)).await, both);
}

#[tokio::test]
async fn fips_and_dual_stack_from_the_profile() {
    let files = Files::new("[default]\nregion = eu-central-1\nuse_dualstack_endpoint = true\n", "");
    assert_eq!(uri_with(files.env(&[]), |b| b).await, "https://ecr-public.eu-central-1.api.aws/");
    // The environment beats the profile.
    let env = files.env(&[("AWS_USE_DUALSTACK_ENDPOINT", "false")]);
    assert_eq!(uri_with(env, |b| b).await, "https://api.ecr-public.eu-central-1.amazonaws.com/");

    let files = Files::new("[default]\nregion = eu-central-1\nuse_fips_endpoint = TRUE\n", "");
    assert_eq!(uri_with(files.env(&[]), |b| b).await, "https://api.ecr-public-fips.eu-central-1.amazonaws.com/");
}

#[tokio::test]
async fn a_bad_flag_value_is_a_clear_error() {
    let files = Files::new("[default]\nuse_dualstack_endpoint = maybe\n", "");
    let err = load_err(files.env(&[("AWS_USE_FIPS_ENDPOINT", "yes")])).await;
    assert!(err.message().contains("AWS_USE_FIPS_ENDPOINT") && err.message().contains("`yes`"), "{err}");
    let err = load_err(files.env(&[])).await;
    assert!(err.message().contains("use_dualstack_endpoint") && err.message().contains("`maybe`"), "{err}");
}

#[tokio::test]
async fn fips_with_a_custom_endpoint_is_a_config_error() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("[default]\nregion = us-east-1\n", "");
    let builder = load(files.env(&[("AWS_USE_FIPS_ENDPOINT", "true"), ("AWS_ENDPOINT_URL", &server.endpoint())]))
        .await
        .credentials(test_credentials());
    match call(builder.build()).await {
        Err(SdkError::Config(e)) => assert!(e.message().contains("FIPS and custom endpoint"), "{e}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// Malformed files
// ---------------------------------------------------------------------------------------------

/// Line 3 lacks its `=`; it holds a secret, which no message may show.
const MALFORMED: &str = "[default]\nregion = us-east-1\naws_secret_access_key hunter2\n";

#[tokio::test]
async fn a_malformed_profile_file_names_the_file_and_line() {
    let files = Files::new(MALFORMED, "");
    let err = load_err(files.env(&[])).await;
    let expected = format!("{}:3:", files.dir.file("config"));
    assert!(err.message().contains(&expected), "`{expected}` in: {err}");
    assert!(!err.message().contains("hunter2"), "the line's text is not shown: {err}");

    // The credentials file too.
    let files = Files::new("[default]\n", "[default]\naws_access_key_id = A\n[broken\n");
    let err = load_err(files.env(&[])).await;
    let expected = format!("{}:3:", files.dir.file("credentials"));
    assert!(err.message().contains(&expected), "`{expected}` in: {err}");
}

/// `Config::from_env` reads the process environment, which tests must not change: this test
/// runs itself again as a child process with an environment of its own, and the child checks
/// that every call reports the malformed file as `SdkError::Config`.
#[test]
fn from_env_reports_a_malformed_file_on_every_call() {
    const CHILD: &str = "ECRPUBLIC_TEST_FROM_ENV_CHILD";
    if std::env::var_os(CHILD).is_some() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(async {
            let config = Config::from_env().await;
            let path = std::env::var("AWS_CONFIG_FILE").unwrap();
            for _ in 0..2 {
                match call(config.clone()).await {
                    Err(SdkError::Config(e)) => {
                        assert!(e.message().contains(&format!("{path}:3:")), "{e}");
                        assert!(!e.message().contains("hunter2"), "{e}");
                    }
                    other => panic!("expected a configuration error, got {other:?}"),
                }
            }
        });
        return;
    }
    let files = Files::new(MALFORMED, "");
    let status = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "from_env_reports_a_malformed_file_on_every_call", "--test-threads=1"])
        .env_clear()
        .env(CHILD, "1")
        .env("AWS_CONFIG_FILE", files.dir.file("config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", files.dir.file("credentials"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run the test binary");
    let out = String::from_utf8_lossy(&status.stdout);
    assert!(status.status.success(), "child failed: {out}{}", String::from_utf8_lossy(&status.stderr));
    assert!(out.contains("1 passed"), "the child ran the test: {out}");
}

// ---------------------------------------------------------------------------------------------
// Retries
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn retry_settings_from_the_environment_and_profile() {
    let files = Files::new("[default]\nmax_attempts = 7\nretry_mode = adaptive\n", "");
    let retry = *load(files.env(&[])).await.build().retry();
    assert_eq!((retry.max_attempts, retry.mode), (7, RetryMode::Adaptive));

    let env = files.env(&[("AWS_MAX_ATTEMPTS", "5"), ("AWS_RETRY_MODE", "standard")]);
    let retry = *load(env).await.build().retry();
    assert_eq!((retry.max_attempts, retry.mode), (5, RetryMode::Standard));

    // Nothing configured: the defaults.
    let files = Files::new("", "");
    assert_eq!(*load(files.env(&[])).await.build().retry(), RetryConfig::default());

    // The builder wins.
    let env = files.env(&[("AWS_MAX_ATTEMPTS", "5")]);
    assert_eq!(load(env).await.max_attempts(2).build().retry().max_attempts, 2);
}

#[tokio::test]
async fn max_attempts_from_the_environment_limits_the_calls() {
    let server = MockServer::start(Canned::new(400, r#"{"__type":"ThrottlingException"}"#)).await;
    let files = Files::new("", "");
    let env = files.env(&[("AWS_MAX_ATTEMPTS", "1"), ("AWS_ENDPOINT_URL", &server.endpoint())]);
    let result = call(load(env).await.credentials(test_credentials()).build()).await;
    assert!(matches!(result, Err(SdkError::Service(_))), "{result:?}");
    assert_eq!(server.requests().len(), 1, "AWS_MAX_ATTEMPTS=1: no retry of a throttling error");
}

#[tokio::test]
async fn bad_retry_values_are_clear_errors() {
    let files = Files::new("", "");
    for bad in ["0", "many", "-1"] {
        let err = load_err(files.env(&[("AWS_MAX_ATTEMPTS", bad)])).await;
        assert!(err.message().contains("max attempts") && err.message().contains(&format!("`{bad}`")), "{err}");
    }
    let err = load_err(files.env(&[("AWS_RETRY_MODE", "fast")])).await;
    assert!(err.message().contains("retry mode `fast`"), "{err}");

    let files = Files::new("[default]\nmax_attempts = lots\n", "");
    let err = load_err(files.env(&[])).await;
    assert!(err.message().contains("`lots`"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// Credentials
// ---------------------------------------------------------------------------------------------

/// The access key id the one request to `server` was signed with.
fn signed_with(server: &MockServer) -> String {
    let request = server.only_request();
    let auth = request.header("authorization");
    let rest = auth.split("Credential=").nth(1).unwrap_or_else(|| panic!("no Credential= in {auth}"));
    rest.split('/').next().unwrap().to_owned()
}

const STATIC_KEYS: &str = "[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = s1\n\n\
                           [dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = s2\n";

#[tokio::test]
async fn static_keys_from_the_credentials_file_sign_the_request() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("", STATIC_KEYS);
    let config = load(files.env(&[("AWS_ENDPOINT_URL", &server.endpoint())])).await.build();
    call(config).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDDEFAULT");
}

#[tokio::test]
async fn static_keys_of_the_selected_profile() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("", STATIC_KEYS);
    let env = files.env(&[("AWS_ENDPOINT_URL", &server.endpoint()), ("AWS_PROFILE", "dev")]);
    call(load(env).await.build()).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDDEV");

    // Keys in the config file's `[profile x]` work too.
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("[profile cfg]\naws_access_key_id = AKIDCFG\naws_secret_access_key = s\n", "");
    let env = files.env(&[("AWS_ENDPOINT_URL", &server.endpoint())]);
    let config = Config::loader().env(env).profile("cfg").load().await.unwrap().build();
    call(config).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDCFG");
}

#[tokio::test]
async fn environment_keys_beat_the_profile() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("", STATIC_KEYS);
    let env = files.env(&[
        ("AWS_ENDPOINT_URL", &server.endpoint()),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ]);
    call(load(env).await.build()).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDENV");
}

#[tokio::test]
async fn explicit_credentials_beat_the_chain() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("", STATIC_KEYS);
    let env = files.env(&[
        ("AWS_ENDPOINT_URL", &server.endpoint()),
        ("AWS_ACCESS_KEY_ID", "AKIDENV"),
        ("AWS_SECRET_ACCESS_KEY", "s"),
    ]);
    let explicit = Credentials::new("AKIDEXPLICIT", "s", None, None, "test");
    call(load(env).await.credentials(explicit).build()).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDEXPLICIT");
}

#[tokio::test]
async fn no_credentials_anywhere_is_a_config_error() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let files = Files::new("", "");
    let env = files.env(&[("AWS_ENDPOINT_URL", &server.endpoint())]);
    match call(load(env).await.build()).await {
        Err(SdkError::Config(e)) => assert!(e.message().contains("no credentials"), "{e}"),
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.requests().is_empty(), "nothing unsigned is sent");
}

#[cfg(unix)]
#[tokio::test]
async fn credential_process_end_to_end() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let dir = TempDir::new();
    let script = dir.write(
        "creds.sh",
        "#!/bin/sh\ncat <<'JSON'\n{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"s\", \
         \"SessionToken\": \"TOKEN-FROM-PROCESS\", \"Expiration\": \"2999-01-01T00:00:00Z\"}\nJSON\n",
    );
    let files = Files::new(&format!("[default]\ncredential_process = sh {}\n", script.display()), "");
    let config = load(files.env(&[("AWS_ENDPOINT_URL", &server.endpoint())])).await.build();
    call(config).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDPROCESS");
    assert_eq!(server.only_request().header("x-amz-security-token"), "TOKEN-FROM-PROCESS");
}

#[cfg(unix)]
#[tokio::test]
async fn a_failing_credential_process_is_reported() {
    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let dir = TempDir::new();
    let script = dir.write("creds.sh", "#!/bin/sh\necho 'token expired, log in again' >&2\nexit 3\n");
    let files = Files::new(&format!("[default]\ncredential_process = sh {}\n", script.display()), "");
    let config = load(files.env(&[("AWS_ENDPOINT_URL", &server.endpoint())])).await.build();
    match call(config).await {
        Err(SdkError::Config(e)) => {
            assert!(e.message().contains("credential_process"), "{e}");
            assert!(e.message().contains("token expired, log in again"), "{e}");
        }
        other => panic!("expected a configuration error, got {other:?}"),
    }
    assert!(server.requests().is_empty());
}

// ---------------------------------------------------------------------------------------------
// aws-config
// ---------------------------------------------------------------------------------------------

/// `Config::from(&SdkConfig)` takes region, credentials, endpoint, retry, timeouts and app name.
/// (Feature `aws-config`: `cargo test -p ecrpublic --features aws-config --test config`.)
#[cfg(feature = "aws-config")]
#[tokio::test]
async fn an_sdk_config_of_aws_config_in_one_line() {
    use aws_config::retry::RetryConfig as SdkRetry;
    use aws_config::timeout::TimeoutConfig;
    use std::time::Duration;

    let server = MockServer::start(Canned::ok("{}", "req")).await;
    let provider = aws_credential_types::provider::SharedCredentialsProvider::new(Credentials::new(
        "AKIDSDK",
        "sdk-secret",
        None,
        None,
        "sdk",
    ));
    let sdk = aws_config::SdkConfig::builder()
        .region(aws_config::Region::new("eu-central-1"))
        .credentials_provider(provider)
        .endpoint_url(server.endpoint())
        .retry_config(SdkRetry::adaptive().with_max_attempts(5).with_initial_backoff(Duration::from_millis(50)))
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(Duration::from_secs(2))
                .read_timeout(Duration::from_secs(7))
                .operation_timeout(Duration::from_secs(30))
                .operation_attempt_timeout(Duration::from_secs(10))
                .build(),
        )
        .app_name(aws_config::AppName::new("my-app").unwrap())
        .build();
    let config = Config::from(&sdk);
    assert_eq!(config.region(), Some("eu-central-1"));
    assert_eq!(config.endpoint_url(), Some(server.endpoint().as_str()));
    assert_eq!((config.retry().max_attempts, config.retry().mode), (5, RetryMode::Adaptive));
    assert_eq!(config.retry().initial_backoff, Duration::from_millis(50));
    let shown = format!("{config:?}");
    for expected in [
        "connect_timeout: Some(2s)",
        "read_timeout: Some(7s)",
        "operation_timeout: Some(30s)",
        "attempt_timeout: Some(10s)",
    ] {
        assert!(shown.contains(expected), "`{expected}` in {shown}");
    }
    call(config).await.expect("call succeeds");
    assert_eq!(signed_with(&server), "AKIDSDK");
    let request = server.only_request();
    assert!(request.header("user-agent").ends_with(" app/my-app"), "{}", request.header("user-agent"));
    assert!(request.header("authorization").contains("/eu-central-1/ecr-public/aws4_request"));
}
