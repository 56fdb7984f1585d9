"""Background jobs used by the job tests; they count their runs in the cache."""

from django.core.cache import cache

from leadit.jobs import background_job


@background_job(name="tests.count_run", transient=(ConnectionError,))
def count_run(*, key: str, fail_first: int = 0, fail_with: str = "") -> int:
    runs = cache.incr(key) if cache.get(key) is not None else cache.set(key, 1) or 1
    if fail_with:
        raise ValueError(fail_with)
    if runs <= fail_first:
        raise ConnectionError(f"transient failure {runs}")
    return runs
