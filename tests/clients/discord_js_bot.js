// A discord.js 14 bot pointed at the Discord simulator and otherwise unchanged: it prints
// `ready <bot id> guilds=<n>` once connected, prints `message <id> <content>` for each message
// from someone else, and replies to it.
//
//     NODE_PATH=target/clients/node/node_modules node discord_js_bot.js http://127.0.0.1:PORT TOKEN
//
// discord.js asks `GET /gateway/bot` and dials the URL it answers with `?v=10&encoding=json`
// (`&compress=zlib-stream` only when the optional `zlib-sync` is installed). Only the REST base
// is changed here.

const { Client, Events, GatewayIntentBits } = require('discord.js');

const [base, token] = process.argv.slice(2);
const client = new Client({
  intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMessages, GatewayIntentBits.MessageContent],
  rest: { api: `${base}/api` },
});

client.once(Events.ClientReady, (ready) => {
  console.log(`ready ${ready.user.id} guilds=${ready.guilds.cache.size}`);
});

client.on(Events.MessageCreate, async (message) => {
  if (message.author.id === client.user.id) return;
  console.log(`message ${message.id} ${message.content}`);
  await message.reply({ content: `discord.js heard: ${message.content}`, allowedMentions: { repliedUser: false } });
});

client.login(token);
