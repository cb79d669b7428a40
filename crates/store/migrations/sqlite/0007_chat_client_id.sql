-- The id a client gives its message, so that a send retried after a reconnect is stored
-- once: the second is answered with the first.
ALTER TABLE chat_messages ADD COLUMN client_id TEXT;
CREATE UNIQUE INDEX chat_messages_by_client_id ON chat_messages (user_id, client_id)
    WHERE client_id IS NOT NULL;
