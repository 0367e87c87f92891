"""The migration that gave Session.themes its through model keeps every existing link,
as set by hand."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = [pytest.mark.integration]

MIGRATION = "theme_rules_and_who_set_each_theme"


def _nodes(executor: MigrationExecutor) -> tuple[tuple[str, str], tuple[str, str]]:
    """The migration (whatever its number once branches merge) and the one before it."""
    graph = executor.loader.graph
    [node] = [key for key in graph.nodes if key[0] == "conference" and MIGRATION in key[1]]
    [parent] = [key for key in graph.node_map[node].parents if key[0] == "conference"]
    return node, parent


@pytest.mark.django_db(transaction=True)
def test_existing_theme_links_survive_the_migration_as_hand_set():
    executor = MigrationExecutor(connection)
    node, parent = _nodes(executor)
    leaves = executor.loader.graph.leaf_nodes()
    try:
        executor.migrate([parent])
        old = executor.loader.project_state(parent).apps
        theme = old.get_model("conference", "Theme").objects.create(name="Storage", slug="storage")
        event = old.get_model("conference", "Event").objects.create(
            name="Old",
            slug="old",
            start_date="2030-11-17",
            end_date="2030-11-17",
            time_zone="UTC",
        )
        session = old.get_model("conference", "Session").objects.create(
            event=event,
            title="Old Talk",
            slug="old-talk",
            starts_at="2030-11-17T10:00Z",
            ends_at="2030-11-17T10:30Z",
        )
        session.themes.add(theme)

        executor = MigrationExecutor(connection)
        executor.migrate([node])
        new = executor.loader.project_state(node).apps
        links = new.get_model("conference", "SessionTheme").objects.values_list(
            "session__title", "theme__name", "source", "rule", "set_by"
        )
        assert list(links) == [("Old Talk", "Storage", "hand", None, None)]
    finally:
        MigrationExecutor(connection).migrate(leaves)
