# task-lint-config: task-decorators=celery.shared_task,airflow.sdk.task,prefect.task,app.task
"""Decorators of other frameworks, named in the configuration, mark tasks too."""

import prefect
from airflow.sdk import task
from celery import Celery, shared_task
from celery import shared_task as background

app = Celery("shop")


@shared_task
def charge(amount) -> None:  # expect: TSK101:12
    pass


@background(bind=False)
def refund(amount: int):  # expect: TSK102:1
    pass


@task.python
def extract(*paths: str) -> None:  # expect: TSK201:14
    pass


@task(retries=2)
def load(rows: list[str] = []) -> None:  # expect: TSK402:28
    pass


@prefect.task
def notify(address, /) -> None:  # expect: TSK101:12 TSK202:12
    pass


@app.task(queue="slow")
def report(day) -> None:  # expect: TSK101:12
    pass


@prefect.flow
def pipeline(value):
    """`prefect.flow` is not configured, so this is not a task."""
