-- Mails waiting for delivery. A mail is written in the transaction of the change it
-- belongs to, so it exists exactly when the change does; a worker delivers it and
-- deletes the row. due is when the next attempt may start; while a worker holds the
-- mail (claim not empty), it is when that hold ends and another worker may take it.
-- A mail given up on stays, failed, for the operator to see.
CREATE TABLE mail_queue (
	id {{serial}},
	recipient TEXT NOT NULL,
	subject TEXT NOT NULL,
	body_text TEXT NOT NULL,
	body_html TEXT NOT NULL,
	created BIGINT NOT NULL,
	due BIGINT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	claim TEXT NOT NULL DEFAULT '',
	last_error TEXT NOT NULL DEFAULT '',
	failed INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX mail_queue_due ON mail_queue (failed, due);
