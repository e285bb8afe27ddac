# Colophon behind Varnish 7.1 with varnish-modules' xkey (`make serve-edge` loads this,
# after a backend of its own).
#
# The app names what each response is; this decides nothing by guessing:
#
# Pages. A page the app stored for everyone says `Cache-Control: public, max-age=0,
# s-maxage=N` with its tags in `xkey` (pagecache/edge.py): kept here N seconds, dropped
# the moment the app purges one of its tags. Anything else (`no-cache`, `no-store`,
# `private`, a Set-Cookie) is passed by the built-in rules, and a redirect or an error
# is never kept whatever it says. A page whose rating form the app left as an Edge Side
# Include (`Surrogate-Control: content="ESI/1.0"`) is kept once and has the form filled
# per reader from /_visitor/…, which is passed with the reader's cookies.
#
# Requests. GET and HEAD are looked up under one spelling of the host (lower case, no
# trailing dot, no default port) and the scheme this side says, never the reader's. A
# session or flash messages (cookies `sessionid`, `messages`), the desk, previews and
# the shop redirect are passed; any other cookie is kept from the app on a lookup (it
# could only make the shared page one reader's) and given back to the includes.
#
# Purges. `PURGE` with `xkey-purge: TAG …` from the `purgers` ACL (this machine; add
# your app hosts) soft-purges every page carrying one of the tags (kept for grace, below);
# with `xkey-purge-gone: 1` too (what the pages showed was withdrawn or deleted:
# pagecache.edge.purge) it purges them outright, so no copy of them is ever served
# again. From anywhere else a purge is refused (403), and never taken on the TLS
# proxy's socket. A purged page is fetched anew on the next request.
#
# The app down. With the backends probed (health.vcl: /healthz), a shared page is kept
# past its time or its purge (grace) for as long as the app says in `stale-if-error=N`
# (an hour at most; none when it says nothing; until the page's next scheduled change,
# such as an article's withdrawal time, at most: pagecache/edge.py) and served from there while the app is
# sick, or when it answers a lookup with a 5xx or not at all (the request is restarted
# once, allowed the old copy). Nothing else is ever served stale: the desk, previews,
# sessions and the per-reader includes are passed, never kept; an include that cannot
# be fetched is left out of the page (the rating form goes, the page stays). A page
# with no copy to fall back on answers the app's own error, or, with no app to answer,
# a 503 page that says so.
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
# Who the reader is, likewise: the app takes the last address in X-Forwarded-For
# (TRUSTED_PROXIES=1). Varnish appends the address it sees; behind the TLS proxy, which
# appended the reader's, that is the proxy's, and it is taken off again. So the tls
# socket must be reachable by the TLS proxy alone (bind it to the internal address,
# or firewall it): whoever else connects there names their own address and scheme.

vcl 4.1;

import std;
import xkey;

acl loopback {
    "127.0.0.0"/8;
    "::1";
}

# Who may purge: the app servers (EDGE_PURGE_URLS names this Varnish on each of them).
acl purgers {
    "127.0.0.0"/8;
    "::1";
}

sub vcl_recv {
    if (req.restarts == 0) {
        # Said here only, after a lookup the app failed (vcl_synth), never by a client.
        unset req.http.X-Colophon-Stale-Ok;
    }
    if (req.method == "PURGE") {
        if (local.socket == "tls" || client.ip !~ purgers) {
            return (synth(403, "Not allowed to purge"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the tags to purge in xkey-purge"));
        }
        if (req.http.xkey-purge-gone == "1") {
            set req.http.X-Purged = xkey.purge(req.http.xkey-purge);
        } else {
            set req.http.X-Purged = xkey.softpurge(req.http.xkey-purge);
        }
        return (synth(200, "Purged " + req.http.X-Purged));
    }
    if (local.socket != "tls") {
        if (client.ip ~ loopback) {
            unset req.http.X-Forwarded-Proto;
        } else {
            set req.http.X-Forwarded-Proto = "http";
        }
    } elseif (req.restarts == 0 && req.esi_level == 0 && client.ip == remote.ip
              && req.http.X-Forwarded-For ~ ",") {
        # The TLS proxy appended the reader's address to X-Forwarded-For, and Varnish its
        # own (the proxy's) after it: that one goes, so the app is told the reader's last
        # (TRUSTED_PROXIES=1, as behind `make serve-edge`'s Varnish alone). Kept, every
        # reader was the proxy to the login lockouts and the rating and click limits.
        # A proxy speaking the PROXY protocol (hitch) names the reader as client.ip, which
        # Varnish appended: then nothing goes.
        set req.http.X-Forwarded-For = regsub(req.http.X-Forwarded-For, "\s*,[^,]*$", "");
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
    # One spelling of the host, as the app names its pages in its cache (pagecache/store.py).
    set req.http.Host = regsub(std.tolower(req.http.Host), "\.?(:[0-9]+)?$", "\1");
    if (req.http.X-Forwarded-Proto == "https") {
        set req.http.Host = regsub(req.http.Host, ":443$", "");
    } else {
        set req.http.Host = regsub(req.http.Host, ":80$", "");
    }
    # Said here, so the app believes it (pagecache.edge.processes_esi).
    set req.http.Surrogate-Capability = {"varnish="ESI/1.0""};
    if (req.url ~ "^/_visitor/") {
        # One reader's part of a shared page: with their cookies, never kept.
        if (req.http.X-Colophon-Cookie) {
            set req.http.Cookie = req.http.X-Colophon-Cookie;
        }
        return (pass);
    }
    if (req.restarts == 0) {
        unset req.http.X-Colophon-Cookie;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # "^/admin/" is the desk's path (ADMIN_URL); `make serve-edge` writes in its own.
    if (req.url ~ "^/admin/" || req.url ~ "^/articles/preview/" || req.http.Authorization
        || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Any other cookie (the CSRF token's, the rater's, analytics') cannot change the
    # shared page: kept from the app, and handed to the includes that need it.
    if (req.http.Cookie) {
        set req.http.X-Colophon-Cookie = req.http.Cookie;
        unset req.http.Cookie;
    }
    set req.url = std.querysort(req.url);
    # A purged page is fetched anew at once; the old one is served only while the app
    # is sick (health.vcl's probe), or once it failed this very request (vcl_synth).
    if (req.http.X-Colophon-Stale-Ok) {
        set req.grace = 1h;  # what a restart keeps would otherwise be this one's 0s
    } elseif (std.healthy(req.backend_hint)) {
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hash {
    # The page names its scheme in its links: one copy per scheme (the host and the
    # address are hashed by the built-in vcl_hash).
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_backend_fetch {
    if (bereq.url !~ "^/_visitor/") {
        unset bereq.http.X-Colophon-Cookie;
    }
}

sub vcl_synth {
    # A lookup whose fetch the app failed (vcl_backend_response, vcl_backend_error):
    # once more, allowed the copy kept past its time, if there is one.
    if (resp.status == 503 && resp.reason == "Service Unavailable" && req.restarts == 0
        && (req.method == "GET" || req.method == "HEAD") && req.esi_level == 0) {
        set req.http.X-Colophon-Stale-Ok = "1";
        return (restart);
    }
    if (resp.status == 413) {
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        set resp.http.Connection = "close";
        synthetic("That was too much to send at once: what you sent is larger than this kind of form may carry, so it was not read and nothing was saved. Your text is not lost: go back and it is still in the form.");
        return (deliver);
    }
}

sub vcl_backend_response {
    # A reader's part of a shared page that the app could not give (an error, a book
    # readers cannot see): left out, never the app's error page inside the page.
    if (bereq.url ~ "^/_visitor/" && beresp.status >= 400) {
        return (error(503, "Part unavailable"));
    }
    # The app failing a page others may share: the reader gets the copy kept past its
    # time instead (vcl_synth restarts the request; a background fetch just gives up).
    # On the second try, with no copy to give, the app's own error, kept by no one and
    # in the way of no copy. A passed request (the desk, a session's page) gets the
    # app's own answer as it is.
    if (beresp.status >= 500 && !bereq.uncacheable) {
        if (bereq.is_bgfetch || !bereq.http.X-Colophon-Stale-Ok) {
            return (abandon);
        }
        set beresp.ttl = 0s;
        set beresp.grace = 0s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # A redirect or an error is true only now (a draft's 404 until it is published):
    # never kept, however little the backend says. As the built-in does for no-store:
    # the next request for the address goes to the backend, and may be kept.
    if ((beresp.status >= 300 && beresp.status < 400 && beresp.status != 304)
        || beresp.status >= 400) {
        set beresp.ttl = 120s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    if (beresp.http.Surrogate-Control ~ "ESI/1\.0") {
        unset beresp.http.Surrogate-Control;
        set beresp.do_esi = true;
        set beresp.http.X-Colophon-ESI = "1";
    }
    if (beresp.http.Cache-Control ~ "s-maxage") {
        # Served past its time only while the app is unhealthy (see vcl_recv), and no
        # longer than the app says: not past what the page shows changing by the clock.
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control,
            "^.*stale-if-error=([0-9]+).*$", "\1s"), 0s);
        if (beresp.grace > 1h) {
            set beresp.grace = 1h;
        }
    }
}

sub vcl_deliver {
    if (resp.http.X-Colophon-ESI) {
        # Filled in for this reader: theirs alone, and no ETag names what they got.
        set resp.http.Cache-Control = "private, no-cache";
        unset resp.http.ETag;
        unset resp.http.X-Colophon-ESI;
    }
    # A page's tags are the edge's business, in both spellings (Surrogate-Key is for a
    # CDN in this one's place, which strips it too): no reader learns what a page
    # depends on (the ids of drafts among it) or which purge drops it.
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    if (obj.hits > 0) {
        # A copy: no request of the app answered it, and the id the first reader's
        # request had (one a client may choose) is not every later reader's.
        unset resp.http.X-Request-ID;
    }
    if (obj.hits > 0 && obj.ttl <= 0s) {
        set resp.http.X-Cache = "stale";  # past its time or purged: the app is failing
    } elseif (obj.hits > 0) {
        set resp.http.X-Cache = "hit";
    } else {
        set resp.http.X-Cache = "miss";
    }
}

sub vcl_backend_error {
    # No answer from the app at all (down, or too slow).
    if (!bereq.uncacheable && (bereq.is_bgfetch || !bereq.http.X-Colophon-Stale-Ok)) {
        return (abandon);  # as for a 5xx (vcl_backend_response)
    }
    set beresp.ttl = 0s;
    set beresp.grace = 0s;
    set beresp.http.Cache-Control = "no-store";
    set beresp.http.Retry-After = "30";
    if (bereq.url ~ "^/_visitor/") {
        # A reader's part of a shared page: left out, the page around it still served.
        synthetic("");
        return (deliver);
    }
    set beresp.http.Content-Type = "text/html; charset=utf-8";
    if (bereq.method == "GET" || bereq.method == "HEAD") {
        synthetic({"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Colophon is unavailable for a moment</title></head>
<body><h1>Colophon is unavailable for a moment</h1>
<p>The site cannot answer just now, and no copy of this page was kept from before. Please try again in a minute.</p></body></html>
"});
    } else {
        synthetic({"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Colophon is unavailable for a moment</title></head>
<body><h1>Colophon is unavailable for a moment</h1>
<p>What you sent did not reach the site, so nothing was saved. It is not lost: go back and it is still in the form; send it again in a minute.</p></body></html>
"});
    }
    return (deliver);
}
