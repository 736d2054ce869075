//! A REST route as Discord rate-limits it: the method, the route's template and its major
//! parameter ("Rate Limits", https://discord.com/developers/docs/topics/rate-limits). Two
//! requests share a rate-limit bucket exactly when all three agree: posting in a channel and
//! reading its history (`POST` and `GET /channels/{channel_id}/messages`) are two buckets, so
//! a history read never moves the window that decides when acknowledgements are merged.
//!
//! Written by hand: serenity's `Route` keys its buckets by path and major parameter alone (a
//! `GET` and a `POST` of one path share one) and builds discord.com addresses.

use std::fmt;
use std::fmt::Write as _;

use reqwest::Method;

/// The parameter a route's limit is counted per. Discord's major parameters are a channel,
/// a server and a webhook (id and token); frontdesk sends nothing to a webhook itself
/// (interaction answers leave through serenity), so the third has no variant here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Major {
    None,
    Channel(u64),
    Guild(u64),
}

/// Requests that share one rate limit on Discord's side.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Bucket {
    method: Method,
    template: &'static str,
    major: Major,
}

/// One request's route: the method, the template as Discord's documentation writes it
/// (`/channels/{channel_id}/messages`) and the path with the ids filled in.
#[derive(Clone, Debug)]
pub struct Route {
    method: Method,
    template: &'static str,
    path: String,
    major: Major,
}

impl Route {
    /// `template`'s parameters are filled from `ids`, in order. The first one named
    /// `channel_id` or `guild_id` is the major parameter, wherever it stands in the route.
    pub fn new(method: Method, template: &'static str, ids: &[u64]) -> Route {
        let mut path = String::with_capacity(template.len() + 20 * ids.len());
        let mut major = Major::None;
        let mut ids = ids.iter().copied();
        let mut rest = template;
        while let Some((before, after)) = rest.split_once('{') {
            let (name, after) = after.split_once('}').unwrap_or((after, ""));
            let id = ids.next();
            debug_assert!(id.is_some(), "{template}: no id for {{{name}}}");
            let id = id.unwrap_or(0);
            if major == Major::None {
                major = match name {
                    "channel_id" => Major::Channel(id),
                    "guild_id" => Major::Guild(id),
                    _ => Major::None,
                };
            }
            path.push_str(before);
            let _ = write!(path, "{id}");
            rest = after;
        }
        path.push_str(rest);
        debug_assert!(ids.next().is_none(), "{template}: more ids than parameters");
        Route {
            method,
            template,
            path,
            major,
        }
    }

    pub fn get(template: &'static str, ids: &[u64]) -> Route {
        Route::new(Method::GET, template, ids)
    }

    pub fn post(template: &'static str, ids: &[u64]) -> Route {
        Route::new(Method::POST, template, ids)
    }

    pub fn put(template: &'static str, ids: &[u64]) -> Route {
        Route::new(Method::PUT, template, ids)
    }

    pub fn patch(template: &'static str, ids: &[u64]) -> Route {
        Route::new(Method::PATCH, template, ids)
    }

    /// The same route with a query string; the bucket does not depend on it.
    pub fn query(mut self, pairs: &[(&str, u64)]) -> Route {
        for (i, (key, value)) in pairs.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            let _ = write!(self.path, "{sep}{key}={value}");
        }
        self
    }

    /// The rate-limit bucket this request counts against.
    pub fn bucket(&self) -> Bucket {
        Bucket {
            method: self.method.clone(),
            template: self.template,
            major: self.major,
        }
    }

    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path after `/api/v10`, with its query.
    pub fn path(&self) -> &str {
        &self.path
    }
}

impl fmt::Display for Route {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.method, self.path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGES: &str = "/channels/{channel_id}/messages";

    #[test]
    fn a_history_read_and_a_post_in_one_channel_are_two_buckets() {
        let post = Route::post(MESSAGES, &[7]);
        let read = Route::get(MESSAGES, &[7]).query(&[("after", 1), ("limit", 100)]);
        assert_ne!(post.bucket(), read.bucket());
        assert_eq!(read.path(), "/channels/7/messages?after=1&limit=100");
        assert_eq!(
            read.bucket(),
            Route::get(MESSAGES, &[7]).bucket(),
            "the query is not part of the bucket"
        );
        assert_eq!(post.bucket(), Route::post(MESSAGES, &[7]).bucket());
        assert_ne!(
            post.bucket(),
            Route::post(MESSAGES, &[8]).bucket(),
            "another channel, another bucket"
        );
    }

    #[test]
    fn the_major_parameter_is_the_channel_or_server_and_minor_ids_do_not_count() {
        let thread = |message| {
            Route::post(
                "/channels/{channel_id}/messages/{message_id}/threads",
                &[7, message],
            )
        };
        assert_eq!(thread(1).path(), "/channels/7/messages/1/threads");
        assert_eq!(thread(1).bucket(), thread(2).bucket());
        assert_eq!(thread(1).major, Major::Channel(7));
        let member = |user| Route::get("/guilds/{guild_id}/members/{user_id}", &[3, user]);
        assert_eq!(member(1).bucket(), member(2).bucket());
        assert_eq!(member(1).major, Major::Guild(3));
        let commands = Route::put(
            "/applications/{application_id}/guilds/{guild_id}/commands",
            &[9, 3],
        );
        assert_eq!(commands.major, Major::Guild(3), "wherever it stands");
        assert_eq!(commands.path(), "/applications/9/guilds/3/commands");
        let me = Route::get("/users/@me", &[]);
        assert_eq!(me.major, Major::None);
        assert_eq!(me.to_string(), "GET /users/@me");
    }

    #[test]
    fn two_routes_of_one_server_are_two_buckets() {
        assert_ne!(
            Route::get("/guilds/{guild_id}/roles", &[3]).bucket(),
            Route::get("/guilds/{guild_id}/channels", &[3]).bucket()
        );
    }
}
