//! frontdesk: acknowledges every customer at once and keeps reminding the owner until they reply.
#![forbid(unsafe_code)]
pub mod sim;
