-- Issue 7: the organisation tree is cached by the server and read again only when it has
-- changed. Every change of the tree (an organisation added, removed or moved), by whichever
-- process, counts here, so a cache compares one number per request instead of reading every
-- organisation.
CREATE TABLE org_tree_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);

INSERT INTO org_tree_version (id, version) VALUES (1, 0);

CREATE FUNCTION bump_org_tree_version() RETURNS trigger AS $$
BEGIN
    UPDATE org_tree_version SET version = version + 1;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;

-- Once per statement: a bulk insert of a region's organisations counts once.
CREATE TRIGGER orgs_tree_change AFTER INSERT OR DELETE OR UPDATE OF parent_id ON orgs
    FOR EACH STATEMENT EXECUTE FUNCTION bump_org_tree_version();
