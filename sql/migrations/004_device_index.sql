-- The shared_device check of a scan asks whether another student's
-- record of the session has the scan's device: with the student in the
-- index, that is two probes that land on their first entry, instead of
-- a walk over every record the scanning student's own phone made in the
-- session.
DROP INDEX attendance_records_device_idx;
CREATE INDEX attendance_records_device_idx
    ON attendance_records (session_id, device_hash, student_id)
    WHERE device_hash IS NOT NULL;
