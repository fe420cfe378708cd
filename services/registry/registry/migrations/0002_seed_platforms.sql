-- The district platform and the 17 street platforms exist from the start (glossary codes and
-- names), and are announced once: their PlatformEstablished events are outbox rows written in
-- this same migration, with event ids derived from the platform code, so they are published
-- exactly once per database whatever the number of replicas or restarts.
INSERT INTO platforms (code, level, name, street_code, parent_code, established_by) VALUES
    ('110101', 'district', '东城区社会组织指导服务中心（区级平台）', NULL, NULL, 'migration'),
    ('110101001', 'street', '东华门街道社会组织服务平台', '110101001', '110101', 'migration'),
    ('110101002', 'street', '景山街道社会组织服务平台', '110101002', '110101', 'migration'),
    ('110101003', 'street', '交道口街道社会组织服务平台', '110101003', '110101', 'migration'),
    ('110101004', 'street', '安定门街道社会组织服务平台', '110101004', '110101', 'migration'),
    ('110101005', 'street', '北新桥街道社会组织服务平台', '110101005', '110101', 'migration'),
    ('110101006', 'street', '东四街道社会组织服务平台', '110101006', '110101', 'migration'),
    ('110101007', 'street', '朝阳门街道社会组织服务平台', '110101007', '110101', 'migration'),
    ('110101008', 'street', '建国门街道社会组织服务平台', '110101008', '110101', 'migration'),
    ('110101009', 'street', '东直门街道社会组织服务平台', '110101009', '110101', 'migration'),
    ('110101010', 'street', '和平里街道社会组织服务平台', '110101010', '110101', 'migration'),
    ('110101011', 'street', '前门街道社会组织服务平台', '110101011', '110101', 'migration'),
    ('110101012', 'street', '崇文门外街道社会组织服务平台', '110101012', '110101', 'migration'),
    ('110101013', 'street', '东花市街道社会组织服务平台', '110101013', '110101', 'migration'),
    ('110101014', 'street', '龙潭街道社会组织服务平台', '110101014', '110101', 'migration'),
    ('110101015', 'street', '体育馆路街道社会组织服务平台', '110101015', '110101', 'migration'),
    ('110101016', 'street', '天坛街道社会组织服务平台', '110101016', '110101', 'migration'),
    ('110101017', 'street', '永定门外街道社会组织服务平台', '110101017', '110101', 'migration');

INSERT INTO outbox (event_id, routing_key, payload, correlation_id, occurred_at)
SELECT md5('registry.platform_established.v1:' || p.code)::uuid,
       'registry.platform_established.v1',
       jsonb_build_object(
           'event_id', md5('registry.platform_established.v1:' || p.code)::uuid,
           'occurred_at', p.established_at,
           'correlation_id', 'registry-seed-platforms',
           'causation_id', NULL,
           'platform_code', p.code,
           'level', p.level,
           'name', p.name,
           'street_code', p.street_code,
           'parent_code', p.parent_code),
       'registry-seed-platforms',
       p.established_at
FROM platforms p
ORDER BY p.code
ON CONFLICT (event_id) DO NOTHING;
