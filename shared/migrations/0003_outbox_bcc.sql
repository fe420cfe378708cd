-- The routing keys that also receive an event in the same publish (RabbitMQ's BCC header):
-- a demand answer goes to the subscribers of its own key and to its sender's key alone.
ALTER TABLE outbox ADD COLUMN bcc jsonb;
