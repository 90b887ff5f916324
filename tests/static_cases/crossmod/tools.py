from task_lint import task as job
