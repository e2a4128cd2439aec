"""Schema changes a large registry needs done without stopping its writers."""

from django.db.migrations.operations import AddIndex


class AddIndexOnline(AddIndex):
    """AddIndex that builds the index with CREATE INDEX CONCURRENTLY on PostgreSQL: a province's
    ten million members keep being written while it is built (a plain CREATE INDEX would hold
    their writes for the minute or so it takes); a plain CREATE INDEX elsewhere. The migration
    must say `atomic = False` (PostgreSQL refuses CONCURRENTLY inside a transaction)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
        return None

    def describe(self) -> str:
        return super().describe() + " (online on PostgreSQL)"
