"""Functions and classes that are not tasks are never reported, however they are written."""

import functools

import task_lint


def helper(a, b=[], *args, **kwargs):
    return a


async def fetch(url, /):
    return url


@functools.lru_cache
def cached(key):
    return key


def taskmaster(func):
    return func


@taskmaster
def managed(value):
    return value


class Plain:
    def execute(self, value, *rest):
        return value


class App:
    def task(self, func):
        return func


app = App()


@app.task
def looks_like_celery(value):
    """`app.task` is a task decorator only when the configuration names it."""
    return value


version = task_lint.__version__
