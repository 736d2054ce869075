"""A discord.py 2.x bot pointed at the Discord simulator and otherwise unchanged: it prints
`ready <bot id> guilds=<n>` once connected, prints `message <id> <content>` for each message
from someone else, and replies to it.

    python discord_py_bot.py http://127.0.0.1:PORT TOKEN

discord.py asks `GET /users/@me` and `GET /oauth2/applications/@me` at login, then dials its
`DEFAULT_GATEWAY` (Discord's `wss://gateway.discord.gg/`; a plain `Client` does not ask
`GET /gateway/bot`) with `?v=10&encoding=json&compress=zlib-stream`. Only Discord's two
addresses are changed here, each to the simulator's host: `discord.com/api/v10` and the
gateway, at the root path as Discord's is.
"""

import logging
import sys

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

base, token = sys.argv[1], sys.argv[2]
Route.BASE = f"{base}/api/v10"
DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(base).with_scheme("ws").with_path("/")

intents = discord.Intents.default()
intents.message_content = True
client = discord.Client(intents=intents)


@client.event
async def on_ready():
    print(f"ready {client.user.id} guilds={len(client.guilds)}", flush=True)


@client.event
async def on_message(message):
    if message.author.id == client.user.id:
        return
    print(f"message {message.id} {message.content}", flush=True)
    await message.reply(f"discord.py heard: {message.content}", mention_author=False)


# Plain log lines (discord.py colours them inside containers): a failing test quotes them.
client.run(token, log_formatter=logging.Formatter("%(levelname)s %(name)s: %(message)s"))
