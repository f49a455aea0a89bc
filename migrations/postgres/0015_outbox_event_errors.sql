-- An outbox event whose row does not fit its kind (a bug, or a damaged
-- database) cannot be turned into deliveries. It is set aside with the
-- reason (NULL: waiting to be processed), for admins to see, rather than
-- blocking the events behind it or vanishing unseen.
ALTER TABLE outbox_events ADD COLUMN error TEXT;
