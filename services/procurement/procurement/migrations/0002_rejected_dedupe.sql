-- A refused message is answered once, however often it is delivered. A redelivery is known by
-- its sender (the AMQP user_id) and message_id, or, for a message without a usable message_id,
-- by its sender, routing key and body: message_id alone let one sender's message silence the
-- answer to another's with the same id, and a message without one was answered every time.
ALTER TABLE rejected_messages DROP CONSTRAINT rejected_messages_message_id_key;
ALTER TABLE rejected_messages ADD COLUMN dedupe_key text;
ALTER TABLE rejected_messages ADD COLUMN sent_by text;
CREATE UNIQUE INDEX rejected_messages_dedupe_key ON rejected_messages (dedupe_key);
CREATE INDEX rejected_messages_message_id ON rejected_messages (message_id);
