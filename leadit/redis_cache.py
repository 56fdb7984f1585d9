"""Django's Redis cache, reusing one client per connection pool.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` on every call, and
redis-py fills a table of response callbacks in each constructor: about a quarter of a
millisecond per cache call here, more than the round trip itself (see
docs/performance.md). Cache backends are per thread in Django, so one client per pool is
safe to keep.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient

    def clear(self):
        super().clear()
        # Web processes keep copies of cached pages (leadit.local_pages): they drop them too.
        from .local_pages import announce_cleared

        announce_cleared()
