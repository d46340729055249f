-- Run once by the Citus coordinator of the compose profile `citus` on its first start
-- (/docker-entrypoint-initdb.d, after the image's own script created the citus extension): the
-- coordinator's address for the workers, then the two workers (docs/partitioning.md).
SELECT citus_set_coordinator_host('citus-coordinator', 5432);
SELECT citus_add_node('citus-worker-1', 5432);
SELECT citus_add_node('citus-worker-2', 5432);
