"""Unit tests of `parse_docstring` for Google, NumPy and Sphinx styles."""

import inspect

import pytest

from task_lint.model.docstrings import parse_docstring


def parse(doc: str):  # type: ignore[no-untyped-def]
    """Parse a docstring written indented in a test, cleaned as `inspect.getdoc` would."""
    return parse_docstring(inspect.cleandoc(doc))


# --- No sections ---------------------------------------------------------------


def test_empty_docstring() -> None:
    parsed = parse_docstring("")

    assert parsed.description is None
    assert parsed.parameters == {}
    assert parsed.returns is None


def test_none_docstring() -> None:
    parsed = parse_docstring(None)

    assert parsed.description is None
    assert parsed.parameters == {}
    assert parsed.returns is None


def test_plain_docstring_is_description() -> None:
    parsed = parse(
        """Copy a file to the archive.

        The copy keeps the modification time.
        """
    )

    assert parsed.description == "Copy a file to the archive.\n\nThe copy keeps the modification time."
    assert parsed.parameters == {}
    assert parsed.returns is None


def test_colon_line_is_not_section() -> None:
    parsed = parse(
        """Copy these files:

        report.csv and summary.txt
        """
    )

    assert parsed.description == "Copy these files:\n\nreport.csv and summary.txt"
    assert parsed.parameters == {}


# --- Google style --------------------------------------------------------------


def test_google_parameters() -> None:
    parsed = parse(
        """Resize an image.

        Args:
            path: Image file to read.
            width (int): Width in pixels.
            quality (int, optional): JPEG quality.
        """
    )

    assert parsed.description == "Resize an image."
    assert parsed.parameters == {
        "path": "Image file to read.",
        "width": "Width in pixels.",
        "quality": "JPEG quality.",
    }


def test_google_continuation_lines() -> None:
    parsed = parse(
        """Resize an image.

        Args:
            width: Width in pixels,
                kept when the image is narrower.
                Format: an integer.
            height:
                Height in pixels.
        """
    )

    assert parsed.parameters["width"] == "Width in pixels, kept when the image is narrower. Format: an integer."
    assert parsed.parameters["height"] == "Height in pixels."


def test_google_blank_lines_between_items() -> None:
    parsed = parse(
        """Resize an image.

        Args:
            width: Width in pixels.

            height: Height in pixels.
        """
    )

    assert parsed.parameters == {"width": "Width in pixels.", "height": "Height in pixels."}


def test_google_variadic_parameters() -> None:
    parsed = parse(
        """Tag a photo.

        Args:
            *labels: Labels to add.
            **weights: Weight of each label.
        """
    )

    assert parsed.parameters == {"labels": "Labels to add.", "weights": "Weight of each label."}


def test_google_keyword_args_section() -> None:
    parsed = parse(
        """Tag a photo.

        Args:
            target: Photo to tag.

        Keyword Args:
            strict: Reject unknown labels.
        """
    )

    assert parsed.parameters == {"target": "Photo to tag.", "strict": "Reject unknown labels."}


def test_google_type_with_parentheses() -> None:
    parsed = parse(
        """Resize an image.

        Args:
            path: Image file to read.
            size (tuple(int, int)): Width and height.
        """
    )

    assert parsed.parameters["path"] == "Image file to read."
    assert parsed.parameters["size"] == "Width and height."


def test_google_returns() -> None:
    parsed = parse(
        """Count rows.

        Returns:
            The number of rows,
            not counting the header.
        """
    )

    assert parsed.returns == "The number of rows, not counting the header."


@pytest.mark.parametrize("type_text", ["int", "pathlib.Path", "dict[str, int]", "dict[str, list[int]]", "int | None"])
def test_google_returns_with_type(type_text: str) -> None:
    parsed = parse_docstring(f"Count rows.\n\nReturns:\n    {type_text}: Rows per table.")

    assert parsed.returns == "Rows per table."


def test_google_returns_with_inner_colon() -> None:
    parsed = parse(
        """Write rows.

        Returns:
            The number of rows written. Note: zero when dry_run is set.
        """
    )

    assert parsed.returns == "The number of rows written. Note: zero when dry_run is set."


def test_google_yields() -> None:
    parsed = parse(
        """Stream rows.

        Yields:
            One row at a time.
        """
    )

    assert parsed.returns == "One row at a time."


def test_google_other_sections_ignored() -> None:
    parsed = parse(
        """Resize an image.

        Args:
            width: Width in pixels.

        Raises:
            ValueError: If the width is negative.

        Example:
            >>> resize(10)
        """
    )

    assert parsed.description == "Resize an image."
    assert parsed.parameters == {"width": "Width in pixels."}
    assert parsed.returns is None


# --- NumPy style ---------------------------------------------------------------


def test_numpy_parameters() -> None:
    parsed = parse(
        """Scale values.

        Parameters
        ----------
        values : list of float
            Numbers to scale.
        factor : float, optional
            Multiplier applied to each value,
            2.0 unless given.
        offset
            Added after scaling.
        """
    )

    assert parsed.description == "Scale values."
    assert parsed.parameters == {
        "values": "Numbers to scale.",
        "factor": "Multiplier applied to each value, 2.0 unless given.",
        "offset": "Added after scaling.",
    }


def test_numpy_shared_description() -> None:
    parsed = parse(
        """Add two numbers.

        Parameters
        ----------
        x1, x2 : float
            Numbers to add.
        """
    )

    assert parsed.parameters.get("x1") == "Numbers to add."
    assert parsed.parameters.get("x2") == "Numbers to add."


def test_numpy_variadic_and_other_parameters() -> None:
    parsed = parse(
        """Tag a photo.

        Parameters
        ----------
        *labels : str
            Labels to add.

        Other Parameters
        ----------------
        debug : bool
            Log each label.
        """
    )

    assert parsed.parameters == {"labels": "Labels to add.", "debug": "Log each label."}


def test_numpy_returns() -> None:
    parsed = parse(
        """Scale values.

        Returns
        -------
        list of float
            The scaled numbers,
            in input order.
        """
    )

    assert parsed.returns == "The scaled numbers, in input order."


def test_numpy_named_returns() -> None:
    parsed = parse(
        """Count rows.

        Returns
        -------
        count : int
            Number of rows.
        """
    )

    assert parsed.returns == "Number of rows."


def test_numpy_other_sections_ignored() -> None:
    parsed = parse(
        """Scale values.

        Parameters
        ----------
        factor : float
            Multiplier.

        Raises
        ------
        ValueError
            If the factor is negative.
        """
    )

    assert parsed.parameters == {"factor": "Multiplier."}
    assert parsed.returns is None


# --- Sphinx style --------------------------------------------------------------


def test_sphinx_parameters() -> None:
    parsed = parse(
        """Resize an image.

        :param path: Image file to read.
        :param int width: Width in pixels.
        :type path: pathlib.Path
        """
    )

    assert parsed.description == "Resize an image."
    assert parsed.parameters == {"path": "Image file to read.", "width": "Width in pixels."}


def test_sphinx_continuation_lines() -> None:
    parsed = parse(
        """Resize an image.

        :param width: Width in pixels,
            kept when the image is narrower.
        :param height:
            Height in pixels.
        """
    )

    assert parsed.parameters["width"] == "Width in pixels, kept when the image is narrower."
    assert parsed.parameters["height"] == "Height in pixels."


def test_sphinx_returns() -> None:
    parsed = parse(
        """Count rows.

        :param table: Table to count.
        :returns: The number of rows,
            not counting the header.
        :rtype: int
        """
    )

    assert parsed.returns == "The number of rows, not counting the header."


def test_sphinx_return_alias() -> None:
    parsed = parse(
        """Count rows.

        :return: The number of rows.
        """
    )

    assert parsed.returns == "The number of rows."


def test_sphinx_raises_ignored() -> None:
    parsed = parse(
        """Count rows.

        :param table: Table to count.
        :raises KeyError: If the table is missing.
        """
    )

    assert parsed.description == "Count rows."
    assert parsed.parameters == {"table": "Table to count."}
    assert parsed.returns is None


def test_sphinx_without_summary() -> None:
    parsed = parse_docstring(":param table: Table to count.")

    assert parsed.description is None
    assert parsed.parameters == {"table": "Table to count."}
