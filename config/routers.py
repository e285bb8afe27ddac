"""Reads to the replica, writes to the primary (active when DATABASE_REPLICA_URL is set).

What a visitor must see the moment after writing it stays on the primary: sessions,
logins and lockouts, ratings (the redirect after rating shows "your rating") and the
rate limits' counters (a count read from a lagging replica would let a flood through);
and parts of pages with the changes that tell them stale (pagecache.stored_parts).
"""

PRIMARY_ONLY_APPS = {"sessions", "auth", "axes", "admin", "contenttypes", "pagecache"}
PRIMARY_ONLY_MODELS = {("catalogue", "rating"), ("catalogue", "ratelimitcounter")}


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        meta = model._meta
        if (
            meta.app_label in PRIMARY_ONLY_APPS
            or (meta.app_label, meta.model_name) in PRIMARY_ONLY_MODELS
        ):
            return "default"
        return "replica"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the same data

    def allow_migrate(self, db, app_label, **hints):
        return db == "default"
