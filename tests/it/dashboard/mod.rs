//! The web dashboard, served by the real bot against the simulator: its routes over HTTP
//! (`http`, `actions`), its signing key's life (`key`) and a real browser driving it
//! (`browser`).

mod actions;
mod browser;
mod http;
mod key;
mod limits;
mod team;

use std::path::Path;
use std::sync::Arc;

use frontdesk::app::BotOptions;
use frontdesk::clock::Clock;
use frontdesk_sim::demo::{HELP, OWNER};
use frontdesk_sim::Simulator;
use reqwest::header::{COOKIE, SET_COOKIE};
use reqwest::StatusCode;
use serde_json::json;

use crate::support::{command, wait_ack, Bot};

/// The bot with its dashboard on a free loopback port; every request rechecks the staff role.
pub struct Served {
    pub bot: Bot,
    pub base: String,
    pub http: reqwest::Client,
}

pub async fn serve(sim: &Simulator, data: &Path, clock: Arc<dyn Clock>) -> Served {
    serve_with(sim, data, clock, "").await
}

/// Like [`serve`], with more lines for `[dashboard]` (e.g. `public_url`).
pub async fn serve_with(sim: &Simulator, data: &Path, clock: Arc<dyn Clock>, more: &str) -> Served {
    serve_custom(sim, data, clock, more, |_| {}).await
}

/// Like [`serve_with`], with a last say on the bot's options.
pub async fn serve_custom(
    sim: &Simulator,
    data: &Path,
    clock: Arc<dyn Clock>,
    more: &str,
    adjust: impl FnOnce(&mut BotOptions),
) -> Served {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
    let addr = listener.local_addr().expect("addr");
    let extra = format!("[dashboard]\nlisten = \"{addr}\"\n{more}");
    let bot = Bot::start_custom(sim, data, &extra, clock, |o| {
        o.dashboard_listener = Some(listener);
        o.dashboard_recheck_every = jiff::SignedDuration::ZERO;
        adjust(o);
    })
    .await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    Served {
        bot,
        base: format!("http://{addr}"),
        http,
    }
}

/// A signed-in browser, as far as HTTP goes: its session cookie.
pub struct SignedIn {
    pub cookie: String,
}

impl Served {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `GET path` without a session: status and body.
    pub async fn get_anon(&self, path: &str) -> (StatusCode, String) {
        let r = self.http.get(self.url(path)).send().await.expect("get");
        (r.status(), r.text().await.expect("body"))
    }

    pub async fn get(&self, who: &SignedIn, path: &str) -> (StatusCode, String) {
        let r = self
            .http
            .get(self.url(path))
            .header(COOKIE, &who.cookie)
            .send()
            .await
            .expect("get");
        (r.status(), r.text().await.expect("body"))
    }

    /// Posts a form; returns status, `Location` and body.
    pub async fn post(
        &self,
        who: Option<&SignedIn>,
        path: &str,
        form: &[(&str, &str)],
    ) -> (StatusCode, Option<String>, String) {
        let mut req = self.http.post(self.url(path)).form(form);
        if let Some(w) = who {
            req = req.header(COOKIE, &w.cookie);
        }
        let r = req.send().await.expect("post");
        let location = r
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        (r.status(), location, r.text().await.expect("body"))
    }

    /// Signs in with `link` (open it, press the button); panics unless it works.
    pub async fn sign_in(&self, link: &str) -> SignedIn {
        self.try_sign_in(link)
            .await
            .unwrap_or_else(|(status, body)| panic!("sign-in refused: {status}: {body}"))
    }

    pub async fn try_sign_in(&self, link: &str) -> Result<SignedIn, (StatusCode, String)> {
        let token = token_of(link);
        let r = self
            .http
            .post(self.url("/login"))
            .form(&[("t", token.as_str())])
            .send()
            .await
            .expect("login");
        let status = r.status();
        let cookie = r
            .headers()
            .get(SET_COOKIE)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = r.text().await.expect("body");
        match (status, cookie) {
            (StatusCode::SEE_OTHER, Some(set)) => Ok(SignedIn {
                cookie: set.split(';').next().expect("pair").to_string(),
            }),
            _ => Err((status, body)),
        }
    }
}

/// The token in a login link.
pub fn token_of(link: &str) -> String {
    link.split("?t=")
        .nth(1)
        .expect("a token in the link")
        .to_string()
}

/// `/dashboard` run by `user` in #help: the link in its answer (asserted ephemeral).
pub async fn link_from_discord(sim: &Simulator, user: u64) -> String {
    link_from_channel(sim, user, HELP).await
}

/// `/dashboard` run by `user` in `channel` (a DM too): the link in its answer.
pub async fn link_from_channel(sim: &Simulator, user: u64, channel: u64) -> String {
    let answer = command(sim, user, channel, "dashboard", json!([])).await;
    answer.assert_ephemeral();
    let start = answer.text.find("<http").expect("a link in the answer") + 1;
    let end = answer.text[start..].find('>').expect("link end") + start;
    answer.text[start..end].to_string()
}

/// The owner's link from `/dashboard`.
pub async fn owner_link(sim: &Simulator) -> String {
    link_from_discord(sim, OWNER).await
}

/// A customer writes in #help; waits until frontdesk acknowledged it. Returns the message
/// (and conversation) id.
pub async fn customer_writes(sim: &Simulator, customer: u64, text: &str) -> u64 {
    let id = sim.post_message(customer, HELP, text).await;
    wait_ack(sim, id).await;
    id
}

/// The CSRF token in a page's forms.
pub fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..at + page[at..].find('"').expect("end")].to_string()
}
