/* chat.c - a chat room in one C file: open http://localhost:3000 in two
   browser windows.

   The page below is served by the same program, and loads the browser
   client the server provides at /socket.io/socket.io.js. Events:
     client -> server   "join" name, "message" text, "typing" bool,
                        "file" {name, type}, <bytes>
     server -> client   "history" [entries], "joined"/"left" {name, users},
                        "message" {name, text, time}, "typing" {name, typing},
                        "file" {name, file, type}, <bytes>

   The page shows when the server is gone ("disconnected, reconnecting..."),
   and holds what is sent meanwhile, visibly, until the connection is back.

   Build: cc -std=c99 -O2 -I.. chat.c -o chat      (or: make demo [PORT=3000])
   Run:   ./chat [--port 3000] [--host 0.0.0.0] [--client-js FILE]
          [--tls-cert PEM --tls-key PEM]   (https: build with -DSIO_TLS_BEARSSL -lbearssl) */
#define SOCKETIO_IMPLEMENTATION
#include "../socketio.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HISTORY 50           /* messages a newcomer sees */
#define NAME_MAX_LEN 32

/* Split in parts: C99 guarantees string literals of 4095 bytes only. */
static const char *const page_parts[] = {
    "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
    "<title>socketio.h chat</title>\n<link rel=\"icon\" type=\"image/svg+xml\" href=\"/favicon.ico\">\n<style>\n"
    "body{font:15px system-ui,sans-serif;margin:0;background:#f4f5f7;color:#222}\n"
    "header{background:#24292f;color:#fff;padding:10px 16px;display:flex;flex-wrap:wrap;gap:4px 12px;"
    "justify-content:space-between}\n"
    "body.offline header{background:#9a2a1f}\n"
    "main{max-width:760px;margin:0 auto;padding:12px}\n"
    "#messages{list-style:none;margin:0;padding:0;background:#fff;border-radius:8px;height:60vh;overflow-y:auto;"
    "box-shadow:0 1px 3px #0002}\n"
    "#messages li{padding:6px 12px;border-bottom:1px solid #eee;overflow-wrap:anywhere}\n"   /* long words wrap */
    "#messages li.notice{color:#777;font-style:italic}#messages li.pending{color:#888}\n"
    "#messages b{color:#0969da}#messages img{max-width:240px;display:block;margin-top:4px;border-radius:4px}\n"
    "form{display:flex;flex-wrap:wrap;gap:8px;margin-top:10px}input[type=text]{flex:1;min-width:0;padding:8px;"
    "border:1px solid #ccc;border-radius:6px}button{padding:8px 14px;border:0;border-radius:6px;background:#2da44e;"
    "color:#fff}\n"
    "#file{min-width:0;max-width:100%}@media (max-width:480px){#file{flex-basis:100%}}\n"   /* 375 px phones */
    "#typing{height:1.4em;color:#777;font-size:13px;padding:4px 2px}\n"
    "[hidden]{display:none!important}\n"
    "</style></head><body>\n",
    "<header><span>socketio.h chat</span><span id=\"state\" hidden>transport: <span id=\"transport\">-</span> "
    "&middot; <span id=\"users\">0</span> online</span><span id=\"offline\">connecting...</span></header>\n<main>\n"
    "<form id=\"login\"><input type=\"text\" id=\"name\" placeholder=\"Your name\" maxlength=\"32\" autofocus>"
    "<button id=\"join\">Join</button></form>\n"
    "<div id=\"room\" hidden><ul id=\"messages\"></ul><div id=\"typing\"></div>\n"
    "<form id=\"say\"><input type=\"text\" id=\"text\" placeholder=\"Message\" autocomplete=\"off\">"
    "<button id=\"send\">Send</button><input type=\"file\" id=\"file\" title=\"share a file\"></form></div>\n"
    "</main>\n<script src=\"/socket.io/socket.io.js\"></script>\n<script>\n",
    "const $ = (id) => document.getElementById(id);\n"
    "const params = new URLSearchParams(location.search);\n"
    "const opts = params.get('transport') ? { transports: [params.get('transport')] } : {};\n"
    "const socket = io(opts);\n"
    "const showTransport = () => { $('transport').textContent = socket.io.engine ? "
    "socket.io.engine.transport.name : '-'; };\n"
    "let me = null, typingTimer = null, typingSent = false;\n"
    "const queue = [];   /* messages sent while offline: shown, and sent once joined again */\n"
    "function online(on, text) { $('state').hidden = !on; $('offline').hidden = on; "
    "document.body.classList.toggle('offline', !on);\n"
    "  $('file').disabled = !on; if (!on) { $('transport').textContent = '-'; $('offline').textContent = text; } }\n"
    "socket.on('connect', () => { online(true); showTransport(); socket.io.engine.on('upgrade', showTransport);\n"
    "  if (!me) return;\n"
    "  socket.emit('join', me);   /* first: the server takes messages from joined users only */\n"
    "  for (const q of queue.splice(0)) { q.li.remove(); socket.emit('message', q.text); } });\n"
    "socket.on('disconnect', () => online(false, 'disconnected, reconnecting...'));\n"
    "socket.io.on('reconnect_attempt', (n) => online(false, 'disconnected, reconnecting (attempt ' + n + ')...'));\n"
    "const typers = new Map();\n"
    "function add(html, cls) { const li = document.createElement('li'); if (cls) li.className = cls;\n"
    "  li.innerHTML = html; $('messages').appendChild(li); li.scrollIntoView(); return li; }\n"
    "const esc = (s) => String(s).replace(/[&<>\"']/g, (c) => '&#' + c.charCodeAt(0) + ';');\n"
    "function showMessage(m) { add('<b>' + esc(m.name) + '</b> ' + esc(m.text)); }\n"
    "function showFile(info, bytes) { const blob = new Blob([bytes], { type: info.type || "
    "'application/octet-stream' });\n"
    "  const url = URL.createObjectURL(blob);\n"
    "  const li = add('<b>' + esc(info.name) + '</b> shared <a download=\"' + esc(info.file) + '\" href=\"' + url +"
    " '\">' + esc(info.file) + '</a> (' + blob.size + ' bytes)');\n"
    "  li.classList.add('file');\n"
    "  if ((info.type || '').startsWith('image/')) { const img = document.createElement('img'); img.src = url; "
    "li.appendChild(img); } }\n",
    "socket.on('history', (items) => { $('messages').innerHTML = ''; items.forEach(showMessage); });\n"
    "socket.on('message', showMessage);\n"
    "socket.on('joined', (u) => { add(esc(u.name) + ' joined', 'notice'); $('users').textContent = u.users; });\n"
    "socket.on('left', (u) => { add(esc(u.name) + ' left', 'notice'); $('users').textContent = u.users; "
    "typers.delete(u.name); renderTyping(); });\n"
    "socket.on('typing', (t) => { if (t.typing) typers.set(t.name, 1); else typers.delete(t.name); "
    "renderTyping(); });\n"
    "socket.on('file', showFile);\n"
    "function renderTyping() { const n = [...typers.keys()]; $('typing').textContent = n.length ? n.join(', ') +"
    " (n.length > 1 ? ' are' : ' is') + ' typing...' : ''; }\n"
    "$('login').onsubmit = (e) => { e.preventDefault(); me = $('name').value.trim() || 'anonymous';\n"
    "  if (socket.connected) socket.emit('join', me);  /* else the connect handler joins */\n"
    "  $('login').hidden = true; $('room').hidden = false; $('text').focus(); };\n"
    "const typing = (on) => { typingSent = on; if (socket.connected) socket.emit('typing', on); };\n"
    "$('say').onsubmit = (e) => { e.preventDefault(); const t = $('text').value; if (!t) return;\n"
    "  if (socket.connected) socket.emit('message', t);\n"
    "  else queue.push({ text: t, li: add('<b>' + esc(me) + '</b> ' + esc(t) + ' (not sent yet: offline)', "
    "'pending') });\n"
    "  $('text').value = ''; clearTimeout(typingTimer); typing(false); };\n"
    "$('text').oninput = () => { if (!typingSent) typing(true);\n"
    "  clearTimeout(typingTimer); typingTimer = setTimeout(() => typing(false), 1500); };\n"
    "$('file').onchange = async () => { const f = $('file').files[0]; if (!f) return;\n"
    "  socket.emit('file', { name: f.name, type: f.type }, await f.arrayBuffer()); $('file').value = ''; };\n"
    "</script></body></html>\n",
    NULL};

/* A speech bubble, served at /favicon.ico (browsers ask for it). */
static const char favicon[] =
    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\"><rect x=\"2\" y=\"4\" width=\"28\" "
    "height=\"19\" rx=\"5\" fill=\"#2da44e\"/><path d=\"M8 22l-1 8 9-8z\" fill=\"#2da44e\"/><g fill=\"#fff\">"
    "<circle cx=\"10\" cy=\"13.5\" r=\"2\"/><circle cx=\"16\" cy=\"13.5\" r=\"2\"/><circle cx=\"22\" "
    "cy=\"13.5\" r=\"2\"/></g></svg>\n";

typedef struct chat_user {
    char name[NAME_MAX_LEN + 1];
} chat_user;

typedef struct chat {
    sio_server *srv;
    char *page;
    size_t page_len;
    char *history[HISTORY];     /* JSON objects, oldest first */
    int nhistory;
    int users;
} chat;

static volatile sig_atomic_t stop_requested;
static void on_signal(int sig) {
    (void)sig;
    stop_requested = 1;
}

static void serve_page(sio_http_request *req, void *user) {
    chat *ch = (chat *)user;
    sio_str path = req->msg->path;
    if (path.len == 1)
        sio_http_respond(req, 200, "text/html; charset=utf-8", ch->page, ch->page_len, NULL);
    else if (path.len == 12 && memcmp(path.ptr, "/favicon.ico", 12) == 0)
        sio_http_respond(req, 200, "image/svg+xml", favicon, sizeof favicon - 1, NULL);
    else
        sio_http_respond(req, 404, "text/plain", "not found", 9, NULL);
}

/* The library's last error line: it holds the system's words for a
   failure that has no code of its own (a bad certificate file, say). */
static char last_error[300];

static void on_log(sio_log_level level, const char *msg, void *user) {
    (void)user;
    if (level != SIO_LOG_ERROR) return;
    snprintf(last_error, sizeof last_error, "%s", msg);
}

/* Why the server could not start, in words. */
static void say_cannot_start(const sio_server_desc *d, int err) {
    if (err == SIO_ERR_ADDRINUSE) {
        fprintf(stderr, "chat: cannot listen on port %d: %s\n", d->port, sio_strerror(err));
        fprintf(stderr, "chat: another program has port %d (another chat?): try --port 8080, or make demo PORT=8080\n",
                d->port);
        return;
    }
    fprintf(stderr, "chat: cannot start: %s%s%s\n", sio_strerror(err), last_error[0] ? ": " : "", last_error);
}

static void remember(chat *ch, const char *json, size_t n) {
    char *copy = (char *)malloc(n + 1);
    if (!copy) return;
    memcpy(copy, json, n);
    copy[n] = 0;
    if (ch->nhistory == HISTORY) {
        free(ch->history[0]);
        memmove(ch->history, ch->history + 1, (HISTORY - 1) * sizeof ch->history[0]);
        ch->nhistory--;
    }
    ch->history[ch->nhistory++] = copy;
}

/* {"name": ..., "users": N} to everyone */
static void announce(chat *ch, const char *event, const char *name) {
    sio_msg m;
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    sio_json_str(&m.w, name);
    sio_json_key(&m.w, "users");
    sio_json_int(&m.w, ch->users);
    sio_json_obj_end(&m.w);
    sio_broadcast(sio_of(ch->srv, "/"), NULL, event, &m);
    sio_msg_free(&m);
}

static void on_join(const sio_event *ev, void *user) {
    chat *ch = (chat *)user;
    chat_user *u = (chat_user *)sio_socket_data(ev->socket);
    sio_msg m;
    int i, first = u == NULL;
    if (!u) {
        u = (chat_user *)calloc(1, sizeof *u);
        if (!u) return;
        sio_socket_set_data(ev->socket, u);
        ch->users++;
    }
    sio_args_strcpy(&ev->args, 0, u->name, sizeof u->name);
    if (!u->name[0]) strcpy(u->name, "anonymous");
    /* the newcomer gets the history, everyone the notice */
    sio_msg_init(&m);
    sio_json_arr_begin(&m.w);
    for (i = 0; i < ch->nhistory; i++) sio_json_raw(&m.w, ch->history[i], strlen(ch->history[i]));
    sio_json_arr_end(&m.w);
    sio_emit(ev->socket, "history", &m);
    sio_msg_free(&m);
    if (first) announce(ch, "joined", u->name);
}

static void on_message(const sio_event *ev, void *user) {
    chat *ch = (chat *)user;
    chat_user *u = (chat_user *)sio_socket_data(ev->socket);
    char text[2048];
    sio_msg m;
    if (!u) return;
    sio_args_strcpy(&ev->args, 0, text, sizeof text);
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    sio_json_str(&m.w, u->name);
    sio_json_key(&m.w, "text");
    sio_json_str(&m.w, text);
    sio_json_key(&m.w, "time");
    sio_json_int(&m.w, (long long)time(NULL));
    sio_json_obj_end(&m.w);
    /* m.buf holds "[{...}" : the object alone goes into the history */
    remember(ch, m.buf.data + 1, m.buf.len - 1);
    sio_broadcast(sio_socket_nsp(ev->socket), NULL, "message", &m);
    sio_msg_free(&m);
}

static void on_typing(const sio_event *ev, void *user) {
    chat_user *u = (chat_user *)sio_socket_data(ev->socket);
    sio_json v;
    const char *except[1];
    sio_bcast to;
    sio_msg m;
    (void)user;
    if (!u || sio_args_get(&ev->args, 0, &v) != SIO_OK) return;
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    sio_json_str(&m.w, u->name);
    sio_json_key(&m.w, "typing");
    sio_json_bool(&m.w, sio_json_is_true(v));
    sio_json_obj_end(&m.w);
    except[0] = sio_socket_id(ev->socket);
    memset(&to, 0, sizeof to);
    to.except = except;
    to.nexcept = 1;
    sio_broadcast(sio_socket_nsp(ev->socket), &to, "typing", &m);
    sio_msg_free(&m);
}

/* "file" {name, type}, <bytes>: relayed to everyone, bytes untouched */
static void on_file(const sio_event *ev, void *user) {
    chat_user *u = (chat_user *)sio_socket_data(ev->socket);
    sio_json info, v;
    sio_str bytes;
    char file[256], type[128];
    sio_msg m;
    (void)user;
    if (!u || sio_args_get(&ev->args, 0, &info) != SIO_OK || sio_args_get(&ev->args, 1, &v) != SIO_OK ||
        !sio_args_bin(&ev->args, v, &bytes))
        return;
    file[0] = type[0] = 0;
    if (sio_json_get(info, "name", &v) == SIO_OK) sio_json_strcpy(v, file, sizeof file);
    if (sio_json_get(info, "type", &v) == SIO_OK) sio_json_strcpy(v, type, sizeof type);
    sio_msg_init(&m);
    sio_json_obj_begin(&m.w);
    sio_json_key(&m.w, "name");
    sio_json_str(&m.w, u->name);
    sio_json_key(&m.w, "file");
    sio_json_str(&m.w, file);
    sio_json_key(&m.w, "type");
    sio_json_str(&m.w, type);
    sio_json_obj_end(&m.w);
    sio_msg_bin(&m, bytes.ptr, bytes.len);
    sio_broadcast(sio_socket_nsp(ev->socket), NULL, "file", &m);
    sio_msg_free(&m);
}

static void on_disconnect(sio_socket *s, const char *reason, void *user) {
    chat *ch = (chat *)user;
    chat_user *u = (chat_user *)sio_socket_data(s);
    (void)reason;
    if (!u) return;
    ch->users--;
    announce(ch, "left", u->name);
    free(u);
}

int main(int argc, char **argv) {
    sio_server_desc d;
    sio_namespace *nsp;
    chat ch;
    int i, err;

    memset(&d, 0, sizeof d);
    memset(&ch, 0, sizeof ch);
    d.port = 3000;
    d.on_http = serve_page;
    d.http_user = &ch;
    d.logger.fn = on_log;
    d.logger.level = SIO_LOG_ERROR;
    for (i = 0; page_parts[i]; i++) ch.page_len += strlen(page_parts[i]);
    ch.page = (char *)malloc(ch.page_len + 1);
    if (!ch.page) return 1;
    ch.page[0] = 0;
    for (i = 0; page_parts[i]; i++) strcat(ch.page, page_parts[i]);
    d.max_payload = 10000000;   /* files up to ~7 MB once base64'd over polling */
    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--port") == 0) d.port = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--host") == 0) d.host = argv[i + 1];
        else if (strcmp(argv[i], "--client-js") == 0) d.client_js_file = argv[i + 1];
        else if (strcmp(argv[i], "--tls-cert") == 0) d.tls.cert_file = argv[i + 1];  /* build/tls/chat */
        else if (strcmp(argv[i], "--tls-key") == 0) d.tls.key_file = argv[i + 1];
        else break;
    }
    if (i < argc) {
        fprintf(stderr, "usage: chat [--port N] [--host H] [--client-js FILE] [--tls-cert PEM --tls-key PEM]\n");
        return 2;
    }
    ch.srv = sio_server_create(&d, &err);
    if (!ch.srv) {
        say_cannot_start(&d, err);
        return 1;
    }
    nsp = sio_of(ch.srv, "/");
    sio_on(nsp, "join", on_join, &ch);
    sio_on(nsp, "message", on_message, &ch);
    sio_on(nsp, "typing", on_typing, &ch);
    sio_on(nsp, "file", on_file, &ch);
    sio_on_disconnect(nsp, on_disconnect, &ch);

    /* C's signal() is all a stop flag needs, on POSIX and Windows alike */
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
#ifdef SIGPIPE   /* POSIX: a peer gone must not kill the server; Windows has no SIGPIPE */
    signal(SIGPIPE, SIG_IGN);
#endif
    printf("chat: open %s://localhost:%d (listening on port %d)\n", d.tls.cert_file ? "https" : "http",
           sio_server_port(ch.srv), sio_server_port(ch.srv));
    fflush(stdout);
    while (!stop_requested) sio_server_poll(ch.srv, 1000);
    sio_server_destroy(ch.srv);
    for (i = 0; i < ch.nhistory; i++) free(ch.history[i]);
    free(ch.page);
    return 0;
}
