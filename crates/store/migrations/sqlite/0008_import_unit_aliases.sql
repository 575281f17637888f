-- Unit names met in imported ledgers that are not (or not uniquely) names of the unit tree
-- ("机关党委" for 党群工作部), mapped by an importer to a unit of their own subtree and kept
-- for the next import of the same organisation. `scope_unit_id` is the importer's managed
-- unit the mapping was made under; its target always lies within it.
CREATE TABLE import_unit_aliases (
    scope_unit_id INTEGER NOT NULL REFERENCES units(id),
    alias TEXT NOT NULL,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    created_by INTEGER REFERENCES users(id),
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (scope_unit_id, alias)
);
CREATE INDEX import_unit_aliases_alias ON import_unit_aliases(alias);
