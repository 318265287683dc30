//! One DescribeRepositories call with `aws-sdk-ecrpublic`, default HTTP client.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:1".into());
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(aws_config::Region::new("us-east-1"))
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_ecrpublic::config::Credentials::new("AKID", "SECRET", None, None, "minimal"))
        .load()
        .await;
    let client = aws_sdk_ecrpublic::Client::new(&config);
    match client.describe_repositories().send().await {
        Ok(out) => println!("{} repositories", out.repositories().len()),
        Err(e) => println!("error: {e}"),
    }
}
