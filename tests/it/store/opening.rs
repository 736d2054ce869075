//! Openings: a new conversation acknowledged before it is written, and what waits for it.

use super::*;

fn opening(live: frontdesk::desk::Live) -> frontdesk::desk::Opening {
    match live {
        frontdesk::desk::Live::Opening(o) => *o,
        other => panic!("expected an opening, got {other:?}"),
    }
}

/// A new customer's acknowledgement goes out before the conversation is written: until
/// `finish_opening` its outbox entries are pending without being in sled, a delivery mark is
/// kept and applied by the commit, and what was not delivered stays in the outbox.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_opening_is_delivered_before_it_is_written_and_its_marks_are_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = desk(dir.path());
    let m = message(1000, 5, 10, "how much is shipping?", t("10:00"));
    let mut o = opening(d.handle_live(&m, ME, m.at).await.expect("live"));
    assert_eq!(o.conversation(), m.id);
    let deliver = o.take_deliveries();
    let ack = deliver
        .iter()
        .find(|p| matches!(p.record.item, OutboxItem::Ack { .. }))
        .expect("an acknowledgement")
        .key
        .clone();
    let notice = deliver
        .iter()
        .find(|p| matches!(p.record.item, OutboxItem::Notice { .. }))
        .expect("a notice")
        .key
        .clone();
    let store = d.store();
    assert_eq!(
        store.conversation(m.id).expect("read"),
        None,
        "not written yet"
    );
    assert!(store.pending().expect("outbox").is_empty());
    assert!(store.is_pending(&ack).expect("pending"));
    store.complete(&ack).expect("delivered");
    assert!(!store.is_pending(&ack).expect("pending"));
    let (id, _) = stored(d.finish_opening(o).expect("commit"));
    assert_eq!(id, m.id);
    assert!(store.conversation(m.id).expect("read").is_some());
    assert!(store.is_claimed(m.id).expect("claim"));
    let left: Vec<_> = store
        .pending()
        .expect("outbox")
        .into_iter()
        .map(|p| p.key)
        .collect();
    assert_eq!(left, vec![notice], "the delivered acknowledgement is gone");
}

/// While an opening is not written, the same customer's next message in the place and a
/// second delivery of the opening message wait for it: the follow-up joins the conversation
/// instead of opening a second one, and the duplicate is recognised.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_follow_up_and_a_duplicate_wait_for_the_opening_to_be_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = std::sync::Arc::new(desk(dir.path()));
    let first = message(2000, 6, 10, "is the shop open today?", t("10:00"));
    let o = opening(d.handle_live(&first, ME, first.at).await.expect("live"));
    let follow_up = message(2001, 6, 10, "and tomorrow?", t("10:00"));
    let again = first.clone();
    let (d1, d2) = (d.clone(), d.clone());
    let follow = tokio::spawn(async move { d1.handle_live(&follow_up, ME, follow_up.at).await });
    let dup = tokio::spawn(async move { d2.handle_live(&again, ME, again.at).await });
    crate::support::quiet_period(std::time::Duration::from_millis(100)).await;
    assert!(!follow.is_finished() && !dup.is_finished(), "both wait");
    stored(d.finish_opening(o).expect("commit"));
    let follow = follow.await.expect("task").expect("follow-up");
    let dup = dup.await.expect("task").expect("duplicate");
    match follow {
        frontdesk::desk::Live::Done(h) => assert_eq!(stored(h).0, first.id, "same conversation"),
        other => panic!("expected the follow-up stored, got {other:?}"),
    }
    assert!(
        matches!(dup, frontdesk::desk::Live::Done(Handled::Duplicate)),
        "{dup:?}"
    );
    assert_eq!(
        d.store()
            .customer_conversations(UserId(6))
            .expect("read")
            .len(),
        1
    );
}

/// A staff reply handled while the conversation it answers is still being opened waits for
/// the commit, then answers it: handled at once it would find no stored conversation.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_staff_reply_waits_for_the_opening_it_answers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = std::sync::Arc::new(desk(dir.path()));
    let first = message(4000, 9, 10, "do you ship abroad?", t("10:00"));
    let o = opening(d.handle_live(&first, ME, first.at).await.expect("live"));
    let mut reply = message(4001, OWNER, 10, "We do!", t("10:00"));
    reply.reply_to = Some(first.id);
    let d1 = d.clone();
    let staff = tokio::spawn(async move { d1.handle_live(&reply, ME, reply.at).await });
    crate::support::quiet_period(std::time::Duration::from_millis(100)).await;
    assert!(!staff.is_finished(), "the reply waits for the opening");
    stored(d.finish_opening(o).expect("commit"));
    match staff.await.expect("task").expect("staff") {
        frontdesk::desk::Live::Done(h) => assert_eq!(stored(h).0, first.id, "answers it"),
        other => panic!("expected the reply stored, got {other:?}"),
    }
    assert_eq!(
        d.store()
            .conversation(first.id)
            .expect("read")
            .map(|c| c.state),
        Some(State::Answered)
    );
}

/// An opening dropped without being written (its task cancelled at shutdown) does not block
/// the customer: the next message finds it abandoned and opens the conversation itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_opening_does_not_block_the_customer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let d = desk(dir.path());
    let first = message(3000, 8, 10, "hello?", t("10:00"));
    let mut abandoned = opening(d.handle_live(&first, ME, first.at).await.expect("live"));
    let keys: Vec<_> = abandoned
        .take_deliveries()
        .into_iter()
        .map(|p| p.key)
        .collect();
    drop(abandoned);
    for key in &keys {
        assert!(!d.store().is_pending(key).expect("pending"), "taken back");
    }
    let again = opening(d.handle_live(&first, ME, first.at).await.expect("again"));
    stored(d.finish_opening(again).expect("commit"));
    assert!(d.store().is_claimed(first.id).expect("claim"));
}
