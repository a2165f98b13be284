-- Courses, groups and enrollments: what takes more than one statement.
-- The single-row reads and writes are plain statements in
-- lib/course_store.c.

-- POST /api/groups/:groupId/enrollments, both forms: each entry is a
-- username, an email or an id; one result per entry, in order.  A group
-- the professor does not own gives one row: (0, 'not_found', NULL).
CREATE OR REPLACE FUNCTION api_enroll(p_group uuid, p_professor uuid,
    p_students text[])
RETURNS TABLE (n integer, error text, enrollment json)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	g groups;
	entry text;
	i integer := 0;
	u users;
	e enrollments;
BEGIN
	SELECT groups.* INTO g FROM groups
	JOIN courses c ON c.id = groups.course_id
	WHERE groups.id = p_group AND c.professor_id = p_professor;
	IF NOT FOUND THEN
		n := 0;
		error := 'not_found';
		RETURN NEXT;
		RETURN;
	END IF;
	FOREACH entry IN ARRAY p_students LOOP
		i := i + 1;
		n := i;
		error := NULL;
		enrollment := NULL;
		SELECT * INTO u FROM users
		-- CASE, not AND: only CASE promises the cast is not tried
		-- on a username.
		WHERE id = CASE WHEN entry ~* ('^[0-9a-f]{8}-[0-9a-f]{4}-'
			'[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
			THEN entry::uuid END
		    OR lower(username) = lower(entry)
		    OR lower(email) = lower(entry)
		LIMIT 1;
		IF NOT FOUND OR u.role <> 'student' THEN
			error := 'not_found';
			RETURN NEXT;
			CONTINUE;
		END IF;
		INSERT INTO enrollments (student_id, course_id, group_id)
		VALUES (u.id, g.course_id, g.id)
		ON CONFLICT (student_id, course_id) DO NOTHING
		RETURNING * INTO e;
		IF NOT FOUND THEN
			error := 'already_enrolled';
		ELSE
			enrollment := enrollment_json(e, u);
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
