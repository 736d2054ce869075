//! Blocking abusive users: the list, and the quiet resolution of their open conversations.
//! Their later messages still go through the intake (`intake`), which stores them marked
//! and answers nothing.

use jiff::Timestamp;

use super::{Desk, DeskError};
use crate::core::{step, Command, Input};
use crate::model::UserId;
use crate::store::BlockRecord;

/// What `/block` did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// They were on the list already (the reason was updated).
    pub already: bool,
    /// Open conversations of theirs that were resolved quietly.
    pub resolved: usize,
}

impl Desk {
    /// Blocks `user` and resolves their open conversations without a word to them (no
    /// closing text, no rating request). Durable before it returns.
    pub fn block(
        &self,
        user: UserId,
        by: UserId,
        reason: &str,
        now: Timestamp,
    ) -> Result<Blocked, DeskError> {
        let already = self.store.block(&BlockRecord::new(user, by, now, reason))?;
        let mut resolved = 0;
        for conv in self.store.customer_conversations(user)? {
            if !conv.is_open() {
                continue;
            }
            let _turn = self.conversation_lock(conv.id);
            let Some(conv) = self.store.conversation(conv.id)? else {
                continue;
            };
            let cx = self.context(now, None, "", false, 0);
            let out = step(Some(&conv), Input::Command(Command::Block { by }), &cx);
            if out.conversation.is_some() {
                self.commit_quiet(out, now)?;
                resolved += 1;
            }
        }
        self.store.flush()?;
        Ok(Blocked { already, resolved })
    }

    /// Unblocks `user`; returns whether they were blocked. Their next message is answered
    /// as anyone's.
    pub fn unblock(&self, user: UserId) -> Result<bool, DeskError> {
        let was = self.store.unblock(user)?;
        self.store.flush()?;
        Ok(was)
    }

    /// Whether `user` is blocked, and by whom, when and why.
    pub fn block_of(&self, user: UserId) -> Option<BlockRecord> {
        self.store
            .blocked_users()
            .into_iter()
            .find(|b| b.user == user)
    }

    /// Every blocked user, by id.
    pub fn blocked_users(&self) -> Vec<BlockRecord> {
        self.store.blocked_users()
    }
}
