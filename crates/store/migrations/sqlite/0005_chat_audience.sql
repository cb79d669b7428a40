-- Who a `nearby` message reached, so the log shows it to them (and its sender) only: with
-- private areas, what is said in a meeting room must not be read outside it afterwards.
-- Older nearby messages have no rows here and are left to their senders.
CREATE TABLE chat_audience (
    message_id  TEXT NOT NULL REFERENCES chat_messages (id) ON DELETE CASCADE,
    user_id     TEXT NOT NULL,
    PRIMARY KEY (message_id, user_id)
);
