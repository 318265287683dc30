//! The request builder's `set_x`/`get_x` pair, for code that passes `Option`s through, and
//! `Output::builder()` for stubbed responses: as a user porting from the official SDK writes them.

use ecrpublic::operation::DescribeRepositories;
use ecrpublic::output::DescribeRepositoriesOutput;
use ecrpublic::stub::Stubs;
use ecrpublic::types::Repository;
use ecrpublic::Client;

#[tokio::test]
async fn set_and_get_pass_options_through() {
    let stubs = Stubs::new();
    let page = DescribeRepositoriesOutput::builder()
        .with_repositories([Repository::default().with_repository_name("app")])
        .with_next_token("t2");
    stubs.respond::<DescribeRepositories>(Ok(page.clone()));
    stubs.respond::<DescribeRepositories>(Ok(DescribeRepositoriesOutput::builder()));
    let client = Client::new(&stubs.config());

    let from_caller: Option<i32> = Some(5);
    let call = client.describe_repositories().set_max_results(from_caller).set_next_token(None);
    assert_eq!(call.get_max_results(), &Some(5));
    assert_eq!(call.get_next_token(), &None);
    let got = call.send().await.expect("stubbed");
    assert_eq!((&got.repositories, &got.next_token), (&page.repositories, &page.next_token));

    // `set_x(None)` clears what a setter set.
    let call = client.describe_repositories().registry_id("123456789012").set_registry_id(None);
    assert_eq!(call.get_registry_id(), &None);
    call.send().await.expect("stubbed");

    let sent = stubs.inputs::<DescribeRepositories>();
    assert_eq!((sent[0].max_results, sent[0].next_token.as_deref()), (Some(5), None));
    assert_eq!(sent[1].registry_id, None);
}

#[test]
fn required_members_can_be_read_back() {
    let stubs = Stubs::new();
    let client = Client::new(&stubs.config());
    let call = client.create_repository("my-app");
    assert_eq!(call.get_repository_name(), "my-app");
}
