-- Webhooks: URLs to which the events of the change log are POSTed. queued_to is
-- the last event of the log that was considered for the webhook: events after it
-- are copied into webhook_deliveries (those the webhook's types and kinds cover)
-- in order, so that a delivery no longer needs the log, which is purged. missed
-- counts events that left the log before they could be queued. last_event and
-- last_delivered are the event and time of the last acknowledged delivery,
-- last_error and last_error_at those of the last failed attempt.
CREATE TABLE webhooks (
	id {{serial}},
	url TEXT NOT NULL,
	types TEXT NOT NULL,
	kinds TEXT NOT NULL,
	secret TEXT NOT NULL,
	active INTEGER NOT NULL,
	created BIGINT NOT NULL,
	modified BIGINT NOT NULL,
	queued_to BIGINT NOT NULL,
	missed BIGINT NOT NULL DEFAULT 0,
	last_event BIGINT NOT NULL DEFAULT 0,
	last_delivered BIGINT NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	last_error_at BIGINT NOT NULL DEFAULT 0
);

-- One event to deliver to one webhook. state is pending, waiting (behind an
-- earlier pending or waiting delivery of its item, until that one is delivered or
-- failed), delivered or failed (given up on). due is when the next attempt of a
-- pending delivery may start; while a worker holds the delivery (claim not
-- empty), it is when that hold ends and another worker may take it.
CREATE TABLE webhook_deliveries (
	id {{serial}},
	webhook BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
	event BIGINT NOT NULL,
	type TEXT NOT NULL,
	item BIGINT NOT NULL,
	kind TEXT NOT NULL,
	owner TEXT NOT NULL,
	occurred BIGINT NOT NULL,
	state TEXT NOT NULL,
	created BIGINT NOT NULL,
	due BIGINT NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	claim TEXT NOT NULL DEFAULT '',
	last_status INTEGER NOT NULL DEFAULT 0,
	last_error TEXT NOT NULL DEFAULT '',
	finished BIGINT NOT NULL DEFAULT 0,
	UNIQUE (webhook, event)
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (state, due);
CREATE INDEX webhook_deliveries_item ON webhook_deliveries (webhook, type, item, event);
CREATE INDEX webhook_deliveries_state ON webhook_deliveries (webhook, state, id);
