"""A name that shadows `task` or `task_lint` is not task_lint's decorator."""

import task_lint
from task_lint import task


def task(func):
    return func


@task
def after_shadowing(value):
    return value


def factory(task_lint):
    @task_lint.task
    def inner(value):
        return value

    return inner


def local_scope():
    def task(func):
        return func

    @task
    def inner(value):
        return value

    return inner


class Registry:
    def task(func):
        return func

    @task
    def method(value):
        return value
