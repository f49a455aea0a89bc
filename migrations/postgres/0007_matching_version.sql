-- A number that grows whenever anything matching reads changes: mentor
-- profiles, their skills and languages, mentorship states (a mentor's
-- load) and partnerships (whose members are listed). The API keeps the
-- candidates in memory and reloads them only when this number moved.
-- Triggers keep it, so no write path can forget to. It is a row, not a
-- sequence, so that it moves when the change commits, not before.

CREATE TABLE change_counters (
    name  TEXT   NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('matching', 0);

CREATE FUNCTION bump_matching_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE change_counters SET value = value + 1 WHERE name = 'matching';
    RETURN NULL;
END;
$$;

CREATE TRIGGER matching_profiles
AFTER INSERT OR DELETE OR UPDATE OF timezone, offers_mentoring, accepting_mentees, capacity, visibility
ON profiles FOR EACH STATEMENT EXECUTE FUNCTION bump_matching_version();
CREATE TRIGGER matching_skills AFTER INSERT OR UPDATE OR DELETE
ON profile_skills FOR EACH STATEMENT EXECUTE FUNCTION bump_matching_version();
CREATE TRIGGER matching_languages AFTER INSERT OR UPDATE OR DELETE
ON profile_languages FOR EACH STATEMENT EXECUTE FUNCTION bump_matching_version();
CREATE TRIGGER matching_mentorships AFTER INSERT OR DELETE OR UPDATE OF state, mentor_id
ON mentorships FOR EACH STATEMENT EXECUTE FUNCTION bump_matching_version();
CREATE TRIGGER matching_instances AFTER INSERT OR DELETE OR UPDATE OF partnership, blocked_at
ON instances FOR EACH STATEMENT EXECUTE FUNCTION bump_matching_version();
