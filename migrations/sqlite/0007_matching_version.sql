-- A number that grows whenever anything matching reads changes: mentor
-- profiles, their skills and languages, mentorship states (a mentor's
-- load) and partnerships (whose members are listed). The API keeps the
-- candidates in memory and reloads them only when this number moved.
-- Triggers keep it, so no write path can forget to.

CREATE TABLE change_counters (
    name  TEXT    NOT NULL PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO change_counters (name, value) VALUES ('matching', 0);

CREATE TRIGGER matching_profiles_insert AFTER INSERT ON profiles
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_profiles_update
AFTER UPDATE OF timezone, offers_mentoring, accepting_mentees, capacity, visibility ON profiles
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_profiles_delete AFTER DELETE ON profiles
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;

CREATE TRIGGER matching_skills_insert AFTER INSERT ON profile_skills
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_skills_update AFTER UPDATE ON profile_skills
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_skills_delete AFTER DELETE ON profile_skills
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;

CREATE TRIGGER matching_languages_insert AFTER INSERT ON profile_languages
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_languages_update AFTER UPDATE ON profile_languages
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_languages_delete AFTER DELETE ON profile_languages
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;

CREATE TRIGGER matching_mentorships_insert AFTER INSERT ON mentorships
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_mentorships_update AFTER UPDATE OF state, mentor_id ON mentorships
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_mentorships_delete AFTER DELETE ON mentorships
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;

CREATE TRIGGER matching_instances_insert AFTER INSERT ON instances
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_instances_update AFTER UPDATE OF partnership, blocked_at ON instances
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
CREATE TRIGGER matching_instances_delete AFTER DELETE ON instances
BEGIN UPDATE change_counters SET value = value + 1 WHERE name = 'matching'; END;
