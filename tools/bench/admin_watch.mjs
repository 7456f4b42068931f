// tools/bench/admin_watch.mjs - the admin socket of tools/bench/admin.sh.
//
// One socket.io-client v4 (from tests/node_modules) on the admin namespace,
// WebSocket only, as the Admin UI connects: it counts every notification it
// gets, by name. Prints "ready" once connected (and once more what came
// before), then on SIGTERM/SIGINT, or after --max-s seconds, one line
//   counts total=N event_received=N event_sent=N server_stats=N ... disconnects=N reason=R
// and exits (a dropped connection does not end it: the reason goes into that
// line). A connect error prints "error ..." and exits 1.
//
//   node tools/bench/admin_watch.mjs --port P [--nsp /admin] [--user U --pass P] [--max-s 300]
import { createRequire } from 'node:module';

const require = createRequire(new URL('../../tests/package.json', import.meta.url));
const { io } = require('socket.io-client');

const o = { port: 0, nsp: '/admin', user: null, pass: null, maxS: 300 };
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  switch (argv[i]) {
    case '--port': o.port = Number(argv[++i]); break;
    case '--nsp': o.nsp = argv[++i]; break;
    case '--user': o.user = argv[++i]; break;
    case '--pass': o.pass = argv[++i]; break;
    case '--max-s': o.maxS = Number(argv[++i]); break;
    default: process.stderr.write(`admin_watch: unknown option ${argv[i]}\n`); process.exit(2);
  }
}
if (!(o.port > 0)) { process.stderr.write('admin_watch: --port P needed\n'); process.exit(2); }

const counts = new Map();
let total = 0;
let disconnects = 0;
let reason = '-';
const socket = io(`http://127.0.0.1:${o.port}${o.nsp}`, {
  forceNew: true,
  reconnection: false,
  timeout: 10000,
  transports: ['websocket'],
  ...(o.user !== null ? { auth: { username: o.user, password: o.pass } } : {}),
});
socket.onAny((event) => {
  total++;
  counts.set(event, (counts.get(event) ?? 0) + 1);
});
socket.on('connect', () => process.stdout.write('ready\n'));
socket.on('connect_error', (err) => {
  process.stdout.write(`error connect_error ${String(err && err.message).replace(/\s+/g, '_')}\n`);
  process.exit(1);
});
// Dropped (ours drops a peer whose output queue passes --max-output): keep
// running until stopped, so the counts are still printed, with the reason.
socket.on('disconnect', (why) => {
  disconnects++;
  reason = String(why).replace(/\s+/g, '_');
});

let done = false;
function finish() {
  if (done) return;
  done = true;
  const names = ['event_received', 'event_sent', 'server_stats', 'socket_connected', 'socket_disconnected',
    'room_joined', 'room_left', 'config', 'all_sockets'];
  for (const k of counts.keys()) if (!names.includes(k)) names.push(k);
  const parts = names.map((k) => `${k}=${counts.get(k) ?? 0}`);
  process.stdout.write(`counts total=${total} ${parts.join(' ')} disconnects=${disconnects} reason=${reason}\n`);
  socket.close();
  process.exit(0);
}
process.on('SIGTERM', finish);
process.on('SIGINT', finish);
setTimeout(finish, o.maxS * 1000);   // not unref'd: it keeps the process alive after a drop
