from crossmod import base as bases

from ..tools import job


@job
def relative(count) -> int:  # expect: TSK101:14
    return 0


class JsonImport(bases.ImportJob):
    def execute(self, path, rows: list[str] = []) -> int:  # expect: TSK101:23 TSK402:47
        return 0
