-- Each organisation's webhook signing secrets, sealed (AES-GCM, key from the settings).
-- retires_at: NULL while the key signs; set when a newer key replaces it (grace period).
CREATE TABLE webhook_keys (
    key_id      text        PRIMARY KEY,
    org_id      uuid        NOT NULL,
    sealed      bytea       NOT NULL,
    created_at  timestamptz NOT NULL,
    retires_at  timestamptz
);
CREATE INDEX webhook_keys_org ON webhook_keys (org_id, created_at DESC);

-- Delivery errors are kept as a class and a fixed reason; the old free text quoted recipient
-- addresses and receivers' answers, so it is dropped rather than shown in the delivery log.
ALTER TABLE deliveries ADD COLUMN last_error_class text;
UPDATE deliveries SET last_error = 'legacy: 升级前记录的错误，原文已删除' WHERE last_error IS NOT NULL;
