"""The content-hash result cache of `task-lint check`.

Most tests call `Checker.check` directly, so that the `Report` counters show how many
files were analysed and how many results came from the cache. The concurrency test
runs the installed command in several processes that share one cache folder.
"""

from __future__ import annotations

import builtins
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cli_support import SAMPLE, console_script, run_main, run_process, write_files

from task_lint.static.cache import Cache
from task_lint.static.checker import Checker, Report
from task_lint.static.config import Config

MODELS_DATACLASS = """\
from dataclasses import dataclass


@dataclass
class Item:
    name: str
"""

MODELS_PLAIN_CLASS = """\
class Item:
    name: str
"""

USES_ITEM = """\
from task_lint import task

from depot.models import Item


@task
def ship(item: Item) -> None:
    pass
"""


CLASHING_ITEM = """\
from dataclasses import dataclass

from task_lint import task

from depot.models import Item as Stock


@dataclass
class Item:
    count: int


@task
def ship(item: Item, stock: Stock) -> None:
    pass
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TASK_LINT_CACHE_DIR", raising=False)
    return tmp_path


def check(paths: list[str], config: Config | None = None, cache_dir: str = ".cache", jobs: int = 1) -> Report:
    """Run the checker with a cache in `cache_dir`, as `task-lint check` builds it."""
    config = config or Config()
    return Checker(config, jobs=jobs, cache=Cache(cache_dir, config.fingerprint())).check(paths)


def codes(report: Report) -> list[tuple[str, int, str]]:
    return [(finding.path, finding.line, finding.code) for finding in report.findings]


def missing_annotation(name: str) -> str:
    return f"from task_lint import task\n\n\n@task\ndef {name}(x) -> int:\n    return 1\n"


def small_project(root: Path) -> None:
    write_files(
        root,
        {
            "depot/__init__.py": "",
            "depot/models.py": MODELS_DATACLASS,
            "depot/shipping.py": USES_ITEM,
            "depot/a.py": missing_annotation("task_a"),
            "depot/b.py": missing_annotation("task_b"),
            "depot/c.py": missing_annotation("task_c"),
        },
    )


def test_first_run_analyses_candidates(project: Path) -> None:
    small_project(project)

    report = check(["depot"])

    assert report.files == 6
    assert report.analysed == 4
    assert report.cached == 0


def test_names_only_entry_not_reported(project: Path) -> None:
    # Checking one file of a project reads the others only for their task names, so
    # their cache entries hold no findings. Checking one of them later analyses it.
    small_project(project)
    (project / "pyproject.toml").write_text("")

    first = check([os.path.join("depot", "a.py")])
    second = check([os.path.join("depot", "b.py")])

    assert codes(first) == [(os.path.join("depot", "a.py"), 5, "TSK101")]
    assert codes(second) == [(os.path.join("depot", "b.py"), 5, "TSK101")]


def test_unchanged_rerun_analyses_nothing(project: Path) -> None:
    small_project(project)

    first = check(["depot"])
    second = check(["depot"])

    assert second.analysed == 0
    assert second.cached == second.files
    assert second.findings == first.findings


def test_unchanged_rerun_reads_no_source(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    small_project(project)
    check(["depot"])
    opened: list[str] = []
    real_open = builtins.open

    def recording_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        opened.append(os.fspath(file) if isinstance(file, (str, os.PathLike)) else repr(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", recording_open)
    report = check(["depot"])

    assert report.analysed == 0
    assert [path for path in opened if path.endswith(".py")] == []


def test_edit_reanalyses_that_file(project: Path) -> None:
    small_project(project)
    check(["depot"])

    (project / "depot" / "b.py").write_text(missing_annotation("task_b").replace("(x)", "(x: int, y)"))
    report = check(["depot"])

    assert report.analysed == 1
    assert report.cached == 3
    assert ("depot/b.py", 5, "TSK101") in codes(report)
    assert [f.message for f in report.findings if f.path == "depot/b.py"] == [
        "parameter `y` of task `task_b` has no type annotation"
    ]


def test_edit_to_clean_file(project: Path) -> None:
    small_project(project)
    check(["depot"])

    (project / "depot" / "c.py").write_text(missing_annotation("task_c").replace("(x)", "(x: int)"))
    report = check(["depot"])

    assert [path for path, _, _ in codes(report)] == ["depot/a.py", "depot/b.py"]


def test_dependency_edit_changes_findings(project: Path) -> None:
    small_project(project)
    before = check(["depot"])

    (project / "depot" / "models.py").write_text(MODELS_PLAIN_CLASS)
    after = check(["depot"])
    (project / "depot" / "models.py").write_text(MODELS_DATACLASS)
    restored = check(["depot"])

    assert ("depot/shipping.py", 7, "TSK301") not in codes(before)
    assert ("depot/shipping.py", 7, "TSK301") in codes(after)
    assert after.analysed >= 1
    assert codes(restored) == codes(before)


ALPHA_TASK = 'from {source} import {decorator}\n\n\n@{decorator}(name="alpha")\ndef run(x: int) -> int:\n    return x\n'


def test_cache_decorator_in_configured_root(project: Path) -> None:
    # `svc/a.py` becomes a task named "alpha", like the one in `svc/c.py`, only when
    # `lib/shared/deco.py` starts to export the decorator. No checked file is under
    # `lib`, so only its place among the configured roots makes the cache see it.
    write_files(
        project,
        {
            "pyproject.toml": "",
            "src/svc/__init__.py": "",
            "src/svc/a.py": ALPHA_TASK.format(source="shared.deco", decorator="job"),
            "src/svc/c.py": ALPHA_TASK.format(source="task_lint", decorator="task"),
            "lib/shared/__init__.py": "",
            "lib/shared/deco.py": "def job(**options):\n    return lambda function: function\n",
        },
    )
    config = Config(source_roots=("src", "lib"))
    paths = [os.path.join("src", "svc", "c.py")]
    before = check(paths, config)

    write_files(project, {"lib/shared/deco.py": "from task_lint import task as job\n"})
    after = check(paths, config)

    assert codes(before) == []
    assert codes(after) == [(os.path.join("src", "svc", "c.py"), 5, "TSK206")]


def layout_project(root: Path) -> None:
    """Write `src/app` whose `jobs/run.py` is a task only while `app` is a package."""
    write_files(
        root,
        {
            "pyproject.toml": "",
            "src/app/__init__.py": "",
            "src/app/helpers.py": "from task_lint import task as job\n",
            "src/app/jobs/run.py": "from app.helpers import job\n\n\n@job\ndef run_job(a: int):\n    return a\n",
        },
    )


@pytest.mark.parametrize("paths", [["src"], ["src/app/jobs/run.py"]], ids=["folder", "file"])
def test_cache_package_marker_toggled(project: Path, paths: list[str]) -> None:
    # Without `app/__init__.py`, `jobs/run.py` is module `run` and `app.helpers` is
    # out of its reach, so `job` is no task decorator there.
    layout_project(project)
    marker = project / "src" / "app" / "__init__.py"
    with_marker = check(paths)

    marker.unlink()
    without = check(paths)
    fresh_without = Checker(Config()).check(paths)
    marker.write_text("")
    again = check(paths)

    assert [code for _, _, code in codes(with_marker)] == ["TSK102"]
    assert codes(without) == codes(fresh_without) == []
    assert codes(again) == codes(with_marker)


def test_cache_package_marker_above_root(project: Path) -> None:
    # `src/__init__.py` makes `src` a package, so the other task becomes `src.app.a:first`.
    write_files(
        project,
        {
            "pyproject.toml": "",
            "src/app/__init__.py": "",
            "src/app/a.py": ALPHA_TASK.format(source="task_lint", decorator="task").replace("run", "first"),
            "src/app/jobs/b.py": ALPHA_TASK.format(source="task_lint", decorator="task").replace("run", "second"),
        },
    )
    paths = [os.path.join("src", "app", "jobs", "b.py")]
    before = check(paths)

    (project / "src" / "__init__.py").write_text("")
    after = check(paths)
    fresh = Checker(Config()).check(paths)

    assert "`app.a:first`" in before.findings[0].message
    assert [finding.message for finding in after.findings] == [finding.message for finding in fresh.findings]
    assert "`src.app.a:first`" in after.findings[0].message


@pytest.mark.parametrize("jobs", [1, 2])
def test_cached_root_serves_other_root(project: Path, jobs: int) -> None:
    # Only `src` has `app`, which the script imports. When the files under `src` come
    # from the cache, the script analysed again must still find `app` there.
    write_files(
        project,
        {
            "pyproject.toml": "",
            "src/app/__init__.py": "",
            "src/app/deco.py": "from task_lint import task as job\n",
            "scripts/run.py": "from app.deco import job\n\n\n@job\ndef run(x) -> int:\n    return 1\n",
        },
    )
    paths = ["src", "scripts"]
    check(paths, jobs=jobs)

    write_files(project, {"scripts/run.py": "from app.deco import job\n\n\n@job\ndef run(y) -> int:\n    return 1\n"})
    after = check(paths, jobs=jobs)

    assert codes(after) == codes(Checker(Config()).check(paths))
    assert codes(after) == [(os.path.join("scripts", "run.py"), 5, "TSK101")]


def test_reused_checker_sees_edits(project: Path) -> None:
    # A caller that keeps one Checker and its Cache, as a long-lived tool would, gets
    # each run's own reads: the hashes of the last run are not reused.
    small_project(project)
    config = Config()
    checker = Checker(config, cache=Cache(".cache", config.fingerprint()))
    before = checker.check(["depot"])

    (project / "depot" / "models.py").write_text(MODELS_PLAIN_CLASS)
    # The run file would replay the last findings; only the per-file entries are under test.
    os.remove(os.path.join(".cache", f"run-{config.fingerprint()}.json"))
    after = checker.check(["depot"])

    assert ("depot/shipping.py", 7, "TSK301") not in codes(before)
    assert ("depot/shipping.py", 7, "TSK301") in codes(after)


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("future", ["", "from __future__ import annotations\n"])
def test_dependency_edit_reaches_every_importer(project: Path, future: str, jobs: int) -> None:
    # Only the first file reads `Item` and its field types afresh. The others reuse
    # that recorded read. They must depend on parts.py, two imports away, all the same.
    models = "from depot.parts import Part\n" + MODELS_DATACLASS.replace("    name: str", "    part: Part")
    write_files(
        project,
        {
            "depot/__init__.py": "",
            "depot/parts.py": MODELS_DATACLASS.replace("Item", "Part"),
            "depot/models.py": models,
            **{f"depot/ship_{n}.py": future + USES_ITEM for n in (1, 2, 3)},
            # Its own `Item` takes the key that the recorded read of depot.models.Item
            # used, so it reads that class afresh, from names resolved before.
            "depot/ship_4.py": future + CLASHING_ITEM,
        },
    )
    before = check(["depot"], jobs=jobs)

    (project / "depot" / "parts.py").write_text(MODELS_PLAIN_CLASS.replace("Item", "Part"))
    after = check(["depot"], jobs=jobs)

    line = 8 if future else 7
    assert codes(before) == []
    assert codes(after) == [
        *((f"depot/ship_{n}.py", line, "TSK301") for n in (1, 2, 3)),
        ("depot/ship_4.py", line + 7, "TSK301"),
    ]


def test_dependency_outside_checked_paths(project: Path) -> None:
    small_project(project)
    before = check(["depot/shipping.py"])

    (project / "depot" / "models.py").write_text(MODELS_PLAIN_CLASS)
    after = check(["depot/shipping.py"])

    assert codes(before) == []
    assert codes(after) == [("depot/shipping.py", 7, "TSK301")]


def test_reexported_decorator_edit(project: Path) -> None:
    write_files(
        project,
        {
            "jobs/__init__.py": "from task_lint import task as job\n",
            "jobs/work.py": "from jobs import job\n\n\n@job\ndef run(x) -> int:\n    return 1\n",
        },
    )
    before = check(["jobs"])

    # `job` is now a plain function, so `run` is no longer a task.
    (project / "jobs" / "__init__.py").write_text(
        "from task_lint import task as unused\n\n\ndef job(function):\n    return function\n"
    )
    after = check(["jobs"])
    uncached = Checker(Config()).check(["jobs"])

    assert codes(before) == [("jobs/work.py", 5, "TSK101")]
    assert codes(after) == []
    assert codes(uncached) == []


def test_new_module_invalidates_importer(project: Path) -> None:
    write_files(project, {"depot/__init__.py": "", "depot/shipping.py": USES_ITEM})
    before = check(["depot"])

    write_files(project, {"depot/models.py": MODELS_DATACLASS})
    after = check(["depot"])

    assert [finding.code for finding in before.findings] == ["TSK103"]
    assert codes(after) == codes(Checker(Config()).check(["depot"]))


def test_deleted_file_dropped(project: Path) -> None:
    small_project(project)
    check(["depot"])

    (project / "depot" / "a.py").unlink()
    report = check(["depot"])

    assert [path for path, _, _ in codes(report)] == ["depot/b.py", "depot/c.py"]


def test_selection_change_uses_own_results(project: Path) -> None:
    small_project(project)
    check(["depot"])

    narrowed = check(["depot"], Config(select=("TSK301",)))
    widened = check(["depot"], Config(extend_select=("TSK901",)))

    assert codes(narrowed) == []
    assert sorted({code for _, _, code in codes(widened)}) == ["TSK101", "TSK901"]


def test_noqa_edit_applies(project: Path) -> None:
    write_files(project, {"tasks.py": SAMPLE})
    check(["tasks.py"])

    (project / "tasks.py").write_text(SAMPLE.replace("options: Any = None):", "options: Any = None):  # noqa: TSK101"))
    report = check(["tasks.py"])

    assert [finding.code for finding in report.findings] == ["TSK102"]


def test_corrupt_cache_file_ignored(project: Path) -> None:
    small_project(project)
    expected = codes(check(["depot"]))
    for cache_file in (project / ".cache").glob("*.json"):
        cache_file.write_text('{"version": 2, "files": {"broken": ')

    report = check(["depot"])

    assert codes(report) == expected
    assert report.analysed == 4


@pytest.mark.parametrize(
    "content",
    [
        '{"version": 2, "files": []}',
        '{"version": 2, "stamps": 1}',
        '{"version": 2, "hashes": "x"}',
        '{"version": 2, "files": {"%s": {"sha": "%s", "dependencies": []}}}',
        "[" * 100_000 + "]" * 100_000,
        '{"version": 2, "files": {"%s": {"sha": "%s", "findings": [["x", "one", null, 5, []]], '
        '"names": [], "noqa": [], "file_noqa": false, "dependencies": {}}}}',
        '{"version": 2, "files": {"%s": {"sha": "%s", "findings": [], '
        '"names": [[1, "yes", 2, 3, "five", null]], "noqa": [], "file_noqa": false, "dependencies": {}}}}',
        '{"version": 2, "files": {"%s": {"sha": "%s", "findings": [], '
        '"names": [], "noqa": [], "file_noqa": "yes", "dependencies": {}}}}',
    ],
    ids=["files", "stamps", "hashes", "dependencies", "deeply nested", "finding row", "name row", "file noqa"],
)
def test_cache_file_of_wrong_shape_ignored(project: Path, content: str) -> None:
    small_project(project)
    expected = codes(check(["depot"]))
    target = os.path.abspath(os.path.join("depot", "a.py"))
    digest = hashlib.sha256((project / "depot" / "a.py").read_bytes()).hexdigest()
    for cache_file in (project / ".cache").glob("results-*.json"):
        cache_file.write_text(content.replace("%s", target, 1).replace("%s", digest, 1))
    for run_file in (project / ".cache").glob("run-*.json"):
        run_file.unlink()

    report = check(["depot"])

    assert codes(report) == expected
    assert report.analysed == 4


def test_deeply_nested_run_file_ignored(project: Path) -> None:
    small_project(project)
    expected = codes(check(["depot"]))
    for run_file in (project / ".cache").glob("run-*.json"):
        run_file.write_text("[" * 100_000 + "]" * 100_000)

    report = check(["depot"])

    assert codes(report) == expected


def test_cache_of_other_version_ignored(project: Path) -> None:
    small_project(project)
    expected = codes(check(["depot"]))
    for cache_file in (project / ".cache").glob("*.json"):
        data = json.loads(cache_file.read_text())
        data["version"] = -1
        cache_file.write_text(json.dumps(data))

    report = check(["depot"])

    assert codes(report) == expected
    assert report.analysed == 4


def test_corrupt_run_file_falls_back_to_file_entries(project: Path) -> None:
    small_project(project)
    expected = codes(check(["depot"]))
    for run_file in (project / ".cache").glob("run-*.json"):
        run_file.write_text('{"version": 2, "key": ')

    report = check(["depot"])

    assert codes(report) == expected
    assert (report.analysed, report.cached) == (0, 4)


def test_cli_rerun_same_output(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_project(project)

    first = run_main(capsys, "check", "depot")
    second = run_main(capsys, "check", "depot")

    assert first.out == second.out
    assert first.code == second.code == 1
    assert (project / ".task_lint_cache").is_dir()


def test_cache_folder_ignored_by_git(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_project(project)

    run_main(capsys, "check", "depot")

    assert (project / ".task_lint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_empty_gitignore_written_again(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A full disk can leave an empty file behind, which the next run writes again.
    small_project(project)
    (project / ".task_lint_cache").mkdir()
    (project / ".task_lint_cache" / ".gitignore").write_text("")

    run_main(capsys, "check", "depot")

    assert (project / ".task_lint_cache" / ".gitignore").read_text().splitlines()[-1] == "*"
    assert [path.name for path in (project / ".task_lint_cache").glob("*.tmp")] == []


def test_no_cache_writes_nothing(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_project(project)

    run = run_main(capsys, "check", "--no-cache", "depot")

    assert run.code == 1
    assert not (project / ".task_lint_cache").exists()
    assert sorted(path.name for path in project.iterdir()) == ["depot"]


def test_no_cache_ignores_stale_cache(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_project(project)
    run_main(capsys, "check", "depot")
    cache_files = sorted((project / ".task_lint_cache").iterdir())
    contents = [path.read_bytes() for path in cache_files]

    (project / "depot" / "a.py").write_text(missing_annotation("task_a").replace("(x)", "(x: int)"))
    run = run_main(capsys, "check", "--no-cache", "depot")

    assert "depot/a.py" not in run.out
    assert sorted((project / ".task_lint_cache").iterdir()) == cache_files
    assert [path.read_bytes() for path in cache_files] == contents


def test_cache_dir_option(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_project(project)

    run_main(capsys, "check", "--cache-dir", "tmp/lint-cache", "depot")

    assert list((project / "tmp" / "lint-cache").glob("results-*.json")) != []
    assert not (project / ".task_lint_cache").exists()


def test_default_cache_next_to_pyproject(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(project)
    (project / "pyproject.toml").write_text("[tool.task_lint]\n", encoding="utf-8")
    monkeypatch.chdir(project / "depot")

    run_main(capsys, "check", ".")

    assert list((project / ".task_lint_cache").glob("results-*.json")) != []
    assert not (project / "depot" / ".task_lint_cache").exists()


def test_cache_dir_in_pyproject_relative_to_it(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(project)
    (project / "pyproject.toml").write_text('[tool.task_lint]\ncache-dir = "build/lint"\n', encoding="utf-8")
    monkeypatch.chdir(project / "depot")

    run_main(capsys, "check", ".")

    assert list((project / "build" / "lint").glob("results-*.json")) != []


def test_cache_dir_environment_variable(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    small_project(project)
    monkeypatch.setenv("TASK_LINT_CACHE_DIR", str(project / "env-cache"))

    run_main(capsys, "check", "depot")

    assert list((project / "env-cache").glob("results-*.json")) != []
    assert not (project / ".task_lint_cache").exists()


def test_unwritable_cache_still_reports(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    small_project(project)
    (project / "blocker").write_text("a file where the cache folder should be\n")

    run = run_main(capsys, "check", "--cache-dir", "blocker/cache", "depot")
    reference = run_main(capsys, "check", "--no-cache", "depot")

    assert run.code == 1
    assert run.out == reference.out


def concurrent_project(root: Path) -> None:
    files = {"app/__init__.py": "", "app/models.py": MODELS_DATACLASS.replace("Item", "Parcel")}
    for number in range(8):
        files[f"app/tasks_{number}.py"] = (
            "from task_lint import task\n\nfrom app.models import Parcel\n\n\n"
            f"@task\ndef send_{number}(parcel: Parcel, note) -> int:\n    return 1\n"
        )
    write_files(root, files)


def test_concurrent_runs_share_cache(tmp_path: Path) -> None:
    concurrent_project(tmp_path)
    command = [console_script(), "check", "--cache-dir", "shared-cache", "--jobs", "2", "app"]

    for round_number in range(4):
        # Change one file per round, so that the runs analyse, store and race again.
        target = tmp_path / "app" / f"tasks_{round_number}.py"
        target.write_text(target.read_text().replace(", note)", ", note, extra)"))
        expected = run_process(["check", "--no-cache", "app"], tmp_path)

        processes = [
            subprocess.Popen(
                command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8"
            )
            for _ in range(3)
        ]
        outputs = [process.communicate(timeout=180) for process in processes]

        for process, (out, err) in zip(processes, outputs):
            assert process.returncode == 1, err
            assert out == expected.out, f"round {round_number}"

    cache_files = list((tmp_path / "shared-cache").glob("results-*.json"))
    assert len(cache_files) == 1
    assert isinstance(json.loads(cache_files[0].read_text()), dict)
    assert list((tmp_path / "shared-cache").glob("*.tmp")) == []
    rerun = run_process(["check", "--cache-dir", "shared-cache", "app"], tmp_path)
    assert rerun.out == expected.out


def test_shared_cache_then_replay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    concurrent_project(tmp_path)
    command = [console_script(), "check", "--cache-dir", "shared-cache", "app"]
    processes = [subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, text=True) for _ in range(2)]
    for process in processes:
        process.communicate(timeout=180)
    monkeypatch.chdir(tmp_path)

    report = check(["app"], cache_dir="shared-cache")

    assert report.analysed == 0
    assert len(report.findings) == 8
