-- Domain search uses `= ANY(domains)`, which a GIN index does not serve; maintaining it only
-- slowed bulk imports down.
DROP INDEX IF EXISTS orgs_domains;
