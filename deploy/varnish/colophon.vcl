# Colophon behind Varnish 7.1 (`make serve-edge` loads this, after a backend of its own).
#
# What this adds to Varnish's built-in behaviour, which stays as it is (pages are sent
# `Cache-Control: no-cache`, so only static files and covers are kept):
#
# Request bodies are held here, whole, before the request goes to the app
# (std.cache_req_body): a client sending slowly, or stalling halfway, holds one of
# Varnish's many threads, never one of gunicorn's few. A body larger than its kind of
# request may carry is refused with a 413 by its declared length, before it is read;
# the same limits as the app's (website/middleware.py, BodyLimitMiddleware): change
# both together.
#
# Whether the reader's connection was https is said here, never taken from the reader:
# Varnish speaks plain http, so a reader on another machine is told so (the app
# redirects it to https), and one on this machine (`make serve-edge`) is answered as it
# is, as `make serve` answers it. Only a TLS proxy in front, connecting on a listen
# socket named "tls" (varnishd -a tls=127.0.0.1:6081), says X-Forwarded-Proto itself.
#
# Nothing the app marks as one reader's, or true only now, is kept: the built-in VCL
# already passes on a response that sets a cookie or says `no-cache`, `no-store` or
# `private`, and the app says one of those on every redirect, error, health check and
# desk page (website.middleware.CacheControlMiddleware). A redirect or error from a
# backend that says nothing is not kept either (vcl_backend_response).

vcl 4.1;

import std;

acl loopback {
    "127.0.0.0"/8;
    "::1";
}

sub vcl_recv {
    if (local.socket != "tls") {
        if (client.ip ~ loopback) {
            unset req.http.X-Forwarded-Proto;
        } else {
            set req.http.X-Forwarded-Proto = "http";
        }
    }
    # The port the client reached, ours, never one it claims: the app stores a page
    # asked for with a port in its Host only when the port is this one (pagecache/store.py).
    set req.http.X-Forwarded-Port = std.port(server.ip);
    if (req.http.Content-Length || req.http.Transfer-Encoding) {
        # Only the desk's own paths, with a session cookie, may send more than a public
        # form. A cookie is not checked here (the app checks that it is a signed-in
        # editor's), so a made-up one is bounded by Transient storage, which `make
        # serve-edge` caps (-s Transient=malloc,...): give it a bound in production too.
        # "^/admin/" is the desk's path (ADMIN_URL); `make serve-edge` writes in its own.
        if (req.url ~ "^/books/[^/]+/rate/(\?.*)?$") {
            set req.http.X-Body-Limit = "16384";           # a rating: 16 KB
        } elseif (req.url !~ "^/admin/" || req.http.Cookie !~ "(^|;\s*)sessionid=") {
            set req.http.X-Body-Limit = "65536";           # any other public form: 64 KB
        } elseif (req.url ~ "^/admin/catalogue/book/import/(\?.*)?$") {
            set req.http.X-Body-Limit = "54525952";        # an import: 50 MB + 1 MB
        } else {
            set req.http.X-Body-Limit = "11534336";        # a desk form: 10 MB + 1 MB
        }
        if (std.integer(req.http.Content-Length, 0) > std.integer(req.http.X-Body-Limit, 0)) {
            return (synth(413, "Too much to send at once"));
        }
        # Read all of it now (up to the largest limit; a chunked body has no declared
        # length to check first), then hand it to the app at once.
        if (!std.cache_req_body(std.bytes(req.http.X-Body-Limit + "B", 0B))) {
            if (req.http.Content-Length) {
                # Within its limit, yet not held: the client went, or Transient is full.
                return (synth(503, "Could not take the request now"));
            }
            return (synth(413, "Too much to send at once"));
        }
        unset req.http.X-Body-Limit;
    }
    # The shop redirect (catalogue/shop_clicks.py) counts each reader's request as it
    # came: never looked up, so no HEAD is fetched as a GET and no reader's click waits
    # on another's answer (and goes uncounted).
    if (req.url ~ "^/go/") {
        return (pass);
    }
}

sub vcl_synth {
    if (resp.status == 413) {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.Connection = "close";
        synthetic("That was too much to send at once: what you sent is larger than this kind of form may carry, so it was not read and nothing was saved. Your text is not lost: go back and it is still in the form.");
        return (deliver);
    }
}

sub vcl_backend_response {
    # A redirect or an error is true only now (a draft's 404 until it is published):
    # never kept, however little the backend says. As the built-in does for no-store:
    # the next request for the address goes to the backend, and may be kept.
    if ((beresp.status >= 300 && beresp.status < 400 && beresp.status != 304)
        || beresp.status >= 400) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
}
