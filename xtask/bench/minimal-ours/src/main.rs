//! One DescribeRepositories call with `ecrpublic`, default transport (hyper + rustls).

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:1".into());
    let config = ecrpublic::Config::builder()
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials(ecrpublic::Credentials::new("AKID", "SECRET", None, None, "minimal"))
        .build();
    let client = ecrpublic::Client::new(&config);
    match client.describe_repositories().send().await {
        Ok(out) => println!("{} repositories", out.repositories.len()),
        Err(e) => println!("error: {e}"),
    }
}
