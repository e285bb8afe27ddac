# How Varnish tells whether an app server is up: included before the backends, each of
# which names it (`.probe = colophon_health;`, as `make serve-edge` writes them).
#
# /healthz answers while the process does (website/middleware.py). Two failures in the
# last three, a second apart, and the server is sick: colophon.vcl then serves the last
# good copy of a shared page (grace) rather than ask it. It starts healthy (`.initial`),
# so a new Varnish in front of a running app passes its first requests at once.

vcl 4.1;

probe colophon_health {
    .url = "/healthz";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}
