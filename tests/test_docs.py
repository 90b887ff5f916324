"""Markdown reference docs rendered by `task_lint.markdown_docs`."""

import enum
from pathlib import Path

import pytest

import task_lint
from task_lint import task


class Shade(enum.Enum):
    LIGHT = "light"
    DARK = "dark"


def section(markdown: str, task_name: str) -> list[str]:
    """Return the lines of one task's section, from its `## ` heading to the next one."""
    lines = markdown.splitlines()
    start = lines.index(f"## {task_name}")
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return lines[start:end]


def headings(markdown: str) -> list[str]:
    return [line.removeprefix("## ") for line in markdown.splitlines() if line.startswith("## ")]


@pytest.fixture
def resize_image() -> task_lint.Task:
    @task
    def resize_image(path: Path, max_width: int, quality: int = 85, *, shade: Shade = Shade.LIGHT) -> Path:
        """Shrink an image to fit a width.

        Args:
            path: Image file to read.
            max_width: Largest width in pixels,
                kept when the image is narrower.
            quality: JPEG quality from 1 to 95.

        Returns:
            Path of the written image.
        """
        return path

    return resize_image


def test_docs_start_with_title() -> None:
    markdown = task_lint.markdown_docs([])

    assert markdown.splitlines()[0] == "# Tasks"


def test_docs_use_custom_title() -> None:
    markdown = task_lint.markdown_docs([], title="Image tasks")

    assert markdown.splitlines()[0] == "# Image tasks"


def test_docs_without_tasks_say_so() -> None:
    markdown = task_lint.markdown_docs([])

    assert "No tasks found." in markdown


def test_docs_heading_per_task(resize_image: task_lint.Task) -> None:
    markdown = task_lint.markdown_docs([resize_image])

    assert headings(markdown) == ["resize_image"]


def test_docs_show_signature(resize_image: task_lint.Task) -> None:
    lines = section(task_lint.markdown_docs([resize_image]), "resize_image")

    expected = "`resize_image(path: Path, max_width: int, quality: int = 85, *, shade: Shade = Shade.LIGHT) -> Path`"
    assert expected in lines


def test_docs_show_description(resize_image: task_lint.Task) -> None:
    lines = section(task_lint.markdown_docs([resize_image]), "resize_image")

    assert "Shrink an image to fit a width." in lines


def test_docs_leave_sections_out_of_description(resize_image: task_lint.Task) -> None:
    text = "\n".join(section(task_lint.markdown_docs([resize_image]), "resize_image"))

    assert "Args:" not in text
    assert "Returns:\n" not in text


def test_docs_parameter_table(resize_image: task_lint.Task) -> None:
    lines = section(task_lint.markdown_docs([resize_image]), "resize_image")

    assert "| Parameter | Type | Default | Description |" in lines
    assert "|---|---|---|---|" in lines
    assert "| `path` | `Path` | required | Image file to read. |" in lines
    assert "| `max_width` | `int` | required | Largest width in pixels, kept when the image is narrower. |" in lines
    assert "| `quality` | `int` | `85` | JPEG quality from 1 to 95. |" in lines
    assert "| `shade` | `Shade` | `Shade.LIGHT` |  |" in lines


def test_docs_parameter_rows_in_order(resize_image: task_lint.Task) -> None:
    lines = section(task_lint.markdown_docs([resize_image]), "resize_image")

    names = [line.split("|")[1].strip() for line in lines if line.startswith("| `")]
    assert names == ["`path`", "`max_width`", "`quality`", "`shade`"]


def test_docs_show_return_type(resize_image: task_lint.Task) -> None:
    lines = section(task_lint.markdown_docs([resize_image]), "resize_image")

    assert "**Returns:** `Path`: Path of the written image." in lines


def test_docs_return_without_description() -> None:
    @task
    def count(items: list[str]) -> int:
        return len(items)

    lines = section(task_lint.markdown_docs([count]), "count")

    assert "**Returns:** `int`" in lines


def test_docs_escape_pipes_in_description() -> None:
    @task
    def split(text: str, separator: str = "|") -> list[str]:
        """Split text on a separator.

        Args:
            text: Input such as a|b|c.
            separator: Character between fields.
        """
        return text.split(separator)

    lines = section(task_lint.markdown_docs([split]), "split")

    assert r"| `text` | `str` | required | Input such as a\|b\|c. |" in lines
    assert r"| `separator` | `str` | `'\|'` | Character between fields. |" in lines


def test_docs_escape_pipes_in_types() -> None:
    @task
    def search(query: str, limit: int | None = None) -> list[str] | None:
        return None

    lines = section(task_lint.markdown_docs([search]), "search")

    assert r"| `limit` | `int \| None` | `None` |  |" in lines


def test_docs_table_rows_have_four_cells() -> None:
    @task
    def split(text: str, separator: str = "|", limit: int | None = None) -> list[str]:
        """Split text.

        Args:
            text: Input such as a|b.
        """
        return text.split(separator)

    lines = section(task_lint.markdown_docs([split]), "split")
    rows = [line for line in lines if line.startswith("| `")]

    for row in rows:
        unescaped_pipes = row.replace("\\|", "").count("|")
        assert unescaped_pipes == 5, row


def test_docs_sort_tasks() -> None:
    @task
    def zeta(count: int) -> int:
        return count

    @task
    def alpha(count: int) -> int:
        return count

    @task
    def mid(count: int) -> int:
        return count

    markdown = task_lint.markdown_docs([zeta, alpha, mid])

    assert headings(markdown) == ["alpha", "mid", "zeta"]


def test_docs_list_contents() -> None:
    @task
    def beta(count: int) -> int:
        return count

    @task
    def alpha(count: int) -> int:
        return count

    markdown = task_lint.markdown_docs([beta, alpha])
    contents = [line for line in markdown.splitlines() if line.startswith("- [")]

    assert len(contents) == 2
    assert contents[0].startswith("- [alpha](#alpha)")
    assert contents[1].startswith("- [beta](#beta)")


def test_docs_without_docstring() -> None:
    @task
    def bare(count: int) -> int:
        return count

    lines = section(task_lint.markdown_docs([bare]), "bare")

    assert "No description available." in lines


def test_docs_without_parameters() -> None:
    @task
    def ping() -> str:
        """Check that the worker responds."""
        return "pong"

    lines = section(task_lint.markdown_docs([ping]), "ping")

    assert "This task takes no parameters." in lines
    assert "| Parameter | Type | Default | Description |" not in lines


def test_docs_mark_variadic_parameters() -> None:
    @task
    def tag(target: str, *labels: str, **weights: float) -> None:
        pass

    lines = section(task_lint.markdown_docs([tag]), "tag")

    assert "| `*labels` | `str` | (variadic) |  |" in lines
    assert "| `**weights` | `float` | (variadic) |  |" in lines
    assert "`tag(target: str, *labels: str, **weights: float) -> None`" in lines


def test_docs_use_explicit_name() -> None:
    @task(name="images.resize")
    def resize(width: int) -> None:
        pass

    markdown = task_lint.markdown_docs([resize])

    assert headings(markdown) == ["images.resize"]


def test_docs_default_to_registered_tasks() -> None:
    @task
    def first(count: int) -> int:
        return count

    @task
    def second(count: int) -> int:
        return count

    markdown = task_lint.markdown_docs()

    assert headings(markdown) == ["first", "second"]


def test_docs_missing_return_annotation() -> None:
    with pytest.warns(task_lint.TaskDefinitionWarning):

        @task
        def legacy(count: int):  # type: ignore[no-untyped-def]
            return count

    lines = section(task_lint.markdown_docs([legacy]), "legacy")

    assert "**Returns:** `(not annotated)`" in lines
