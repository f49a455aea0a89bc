-- Mentorship steps that the other party's instance must hear about: the
-- federation worker turns each into an activity (Offer, Accept, Reject,
-- Undo or Update) for the remote party.
ALTER TABLE outbox_events ADD COLUMN mentorship_event_id BLOB
    REFERENCES mentorship_events (id) ON DELETE CASCADE;
