"""The runtime half: `@task`, the `Task` metaclass, the registry, metadata and serialization."""
