-- Issue 7: the organisation tree is cached by the server and read again only when it has
-- changed. Every change of the tree (an organisation added, removed or moved), by whichever
-- process, counts here, so a cache compares one number per request instead of reading every
-- organisation.
CREATE TABLE org_tree_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);

INSERT INTO org_tree_version (id, version) VALUES (1, 0);

CREATE TRIGGER orgs_tree_insert AFTER INSERT ON orgs
BEGIN
    UPDATE org_tree_version SET version = version + 1;
END;

CREATE TRIGGER orgs_tree_delete AFTER DELETE ON orgs
BEGIN
    UPDATE org_tree_version SET version = version + 1;
END;

CREATE TRIGGER orgs_tree_move AFTER UPDATE OF parent_id ON orgs
BEGIN
    UPDATE org_tree_version SET version = version + 1;
END;
