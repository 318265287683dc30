//! One call each to ECR Public, KMS and Step Functions with the official SDK and one shared
//! `SdkConfig`.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:1".into());
    let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region("us-east-1")
        .endpoint_url(endpoint)
        .credentials_provider(aws_sdk_kms::config::Credentials::new("AKID", "SECRET", None, None, "services"))
        .load()
        .await;
    let ecr = aws_sdk_ecrpublic::Client::new(&config);
    let kms = aws_sdk_kms::Client::new(&config);
    let sfn = aws_sdk_sfn::Client::new(&config);
    match ecr.describe_repositories().send().await {
        Ok(out) => println!("{} repositories", out.repositories().len()),
        Err(e) => println!("ecr-public: {e}"),
    }
    match kms.list_keys().send().await {
        Ok(out) => println!("{} keys", out.keys().len()),
        Err(e) => println!("kms: {e}"),
    }
    match sfn.list_state_machines().send().await {
        Ok(out) => println!("{} state machines", out.state_machines().len()),
        Err(e) => println!("sfn: {e}"),
    }
}
