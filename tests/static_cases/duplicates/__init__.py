"""TSK206: task names used twice in one project, across modules and within one."""
