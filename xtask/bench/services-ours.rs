//! One call each to ECR Public, KMS and Step Functions with our generated crates: the program
//! whose clean builds `cargo xtask bench services` measures. It is written into
//! `target/bench/services/*/app` beside the crates generated for it.

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let endpoint = std::env::args().nth(1).unwrap_or_else(|| "http://127.0.0.1:1".into());
    let credentials = ecrpublic::Credentials::new("AKID", "SECRET", None, None, "services");
    let ecr = ecrpublic::Client::new(
        &ecrpublic::Config::builder()
            .region("us-east-1")
            .endpoint_url(&endpoint)
            .credentials(credentials.clone())
            .build(),
    );
    let kms = kms::Client::new(
        &kms::Config::builder().region("us-east-1").endpoint_url(&endpoint).credentials(credentials.clone()).build(),
    );
    let sfn = sfn::Client::new(
        &sfn::Config::builder().region("us-east-1").endpoint_url(&endpoint).credentials(credentials).build(),
    );
    match ecr.describe_repositories().send().await {
        Ok(out) => println!("{} repositories", out.repositories.len()),
        Err(e) => println!("ecr-public: {e}"),
    }
    match kms.list_keys().send().await {
        Ok(out) => println!("{} keys", out.keys.len()),
        Err(e) => println!("kms: {e}"),
    }
    match sfn.list_state_machines().send().await {
        Ok(out) => println!("{} state machines", out.state_machines.len()),
        Err(e) => println!("sfn: {e}"),
    }
}
