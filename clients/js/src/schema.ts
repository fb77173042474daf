// The types of backrest's API, generated from its OpenAPI document (with the
// content types of examples/schema.json) by `npm run generate`. Do not edit.

export interface paths {
    "/-/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * App info
         * @description The version of the server, whether it runs in debug mode, and the caller's user when logged in.
         */
        get: operations["getAppInfo"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/{file}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Download a file
         * @description The bytes of a file the caller may view, with its stored content type; supports ranges and conditional requests.
         */
        get: operations["downloadFile"];
        put?: never;
        post?: never;
        /**
         * Delete an upload
         * @description Deletes a file of the caller that no content holds.
         */
        delete: operations["deleteFile"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List files
         * @description A page of all files, newest first, with their owner and the item holding each.
         */
        get: operations["adminListFiles"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Counts for a dashboard
         * @description Users by state, items by type and the files with their bytes.
         */
        get: operations["adminStats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List users
         * @description A page of the users, newest first, found by a part of the address or a name and filtered by role and state.
         */
        get: operations["adminListUsers"];
        put?: never;
        /**
         * Create a user
         * @description Creates a user, active unless asked otherwise, with the checks of a sign-up; the password is optional, and send_reset mails a link to set it.
         */
        post: operations["adminCreateUser"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a user
         * @description The user of the id.
         */
        get: operations["adminGetUser"];
        /**
         * Change a user
         * @description Changes the keys sent: address, names, roles, state. Deactivating a user ends their sessions; an admin cannot remove their own admin role or deactivate themselves.
         */
        put: operations["adminUpdateUser"];
        post?: never;
        /**
         * Delete a user
         * @description Deletes the user with their sessions and items; an admin cannot delete themselves.
         */
        delete: operations["adminDeleteUser"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users/{id}/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * End a user's sessions
         * @description Ends every session of the user.
         */
        post: operations["adminEndSessions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users/{id}/resend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Resend a confirmation mail
         * @description Mails the confirmation link again to a pending sign-up (inactive and never confirmed); any other user is a 400.
         */
        post: operations["adminResendConfirmation"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users/{id}/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a user's sessions
         * @description The unexpired sessions of the user, the last used first.
         */
        get: operations["adminListSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users/{id}/sessions/{session}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * End one session of a user
         * @description Ends the session of the user: its token no longer works.
         */
        delete: operations["adminEndSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/users/{id}/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Reset a user's second factor
         * @description Removes the user's second factor and recovery codes (for a user who lost both): they log in with the password alone again.
         */
        delete: operations["adminResetTOTP"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/webhooks": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List webhooks
         * @description Every webhook, oldest first, with the state of its deliveries. Secrets are never shown here.
         */
        get: operations["adminListWebhooks"];
        put?: never;
        /**
         * Create a webhook
         * @description Adds a webhook, which receives the events logged from now on, signed with its secret: the answer shows a generated secret, the only time it is shown.
         */
        post: operations["adminCreateWebhook"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/webhooks/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a webhook
         * @description The webhook of the id, with the state of its deliveries.
         */
        get: operations["adminGetWebhook"];
        /**
         * Change a webhook
         * @description Changes the keys sent. Narrowing the types or kinds drops the pending deliveries no longer covered; a new URL or secret applies to the next attempts.
         */
        put: operations["adminUpdateWebhook"];
        post?: never;
        /**
         * Delete a webhook
         * @description Deletes the webhook with its deliveries, pending ones included.
         */
        delete: operations["adminDeleteWebhook"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/admin/webhooks/{id}/deliveries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List a webhook's deliveries
         * @description A page of the deliveries of the webhook, newest event first: pending ones, and those delivered or given up on within the event retention period.
         */
        get: operations["adminListWebhookDeliveries"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/announcements": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List announcements
         * @description A page of the announcements the caller may view, newest first unless ?sort= says otherwise.
         */
        get: operations["listAnnouncements"];
        put?: never;
        /**
         * Create an announcement
         * @description Creates an announcement owned by the caller.
         */
        post: operations["createAnnouncement"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/announcements/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read an announcement
         * @description The announcement of the id, if the caller may view it.
         */
        get: operations["getAnnouncement"];
        /**
         * Update an announcement
         * @description Changes the keys sent and leaves the others as they are.
         */
        put: operations["updateAnnouncement"];
        post?: never;
        /**
         * Delete an announcement
         * @description Deletes the announcement; a GET of it then answers 404. The relation fields that hold it apply their on_delete rule: restrict answers 409, cascade deletes the items that hold it, set_null clears them.
         */
        delete: operations["deleteAnnouncement"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/categories": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The categories
         * @description The categories: those of a group and those of the items the caller may view, ordered by group (ungrouped first), then title.
         */
        get: operations["listCategories"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/comments": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List comments
         * @description A page of the comments the caller may view, newest first unless ?sort= says otherwise.
         */
        get: operations["listComments"];
        put?: never;
        /**
         * Create a comment
         * @description Creates a comment owned by the caller.
         */
        post: operations["createComment"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/comments/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a comment
         * @description The comment of the id, if the caller may view it.
         */
        get: operations["getComment"];
        /**
         * Update a comment
         * @description Changes the keys sent and leaves the others as they are.
         */
        put: operations["updateComment"];
        post?: never;
        /**
         * Delete a comment
         * @description Deletes the comment; a GET of it then answers 404. The relation fields that hold it apply their on_delete rule: restrict answers 409, cascade deletes the items that hold it, set_null clears them.
         */
        delete: operations["deleteComment"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/diaries": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List diaries
         * @description A page of the diaries the caller may view, newest first unless ?sort= says otherwise.
         */
        get: operations["listDiaries"];
        put?: never;
        /**
         * Create a diary
         * @description Creates a diary owned by the caller.
         */
        post: operations["createDiary"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/diaries/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a diary
         * @description The diary of the id, if the caller may view it.
         */
        get: operations["getDiary"];
        /**
         * Update a diary
         * @description Changes the keys sent and leaves the others as they are.
         */
        put: operations["updateDiary"];
        post?: never;
        /**
         * Delete a diary
         * @description Deletes the diary; a GET of it then answers 404. The relation fields that hold it apply their on_delete rule: restrict answers 409, cascade deletes the items that hold it, set_null clears them.
         */
        delete: operations["deleteDiary"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/documents": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List documents
         * @description A page of the documents the caller may view, newest first unless ?sort= says otherwise.
         */
        get: operations["listDocuments"];
        put?: never;
        /**
         * Create a document
         * @description Creates a document owned by the caller.
         */
        post: operations["createDocument"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/documents/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a document
         * @description The document of the id, if the caller may view it.
         */
        get: operations["getDocument"];
        /**
         * Update a document
         * @description Changes the keys sent and leaves the others as they are.
         */
        put: operations["updateDocument"];
        post?: never;
        /**
         * Delete a document
         * @description Deletes the document; a GET of it then answers 404. The relation fields that hold it apply their on_delete rule: restrict answers 409, cascade deletes the items that hold it, set_null clears them.
         */
        delete: operations["deleteDocument"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/email": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Request an e-mail change
         * @description The same as PUT /-/email/.
         */
        put: operations["requestEmailChangeNoSlash"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/email/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Request an e-mail change
         * @description Mails a confirmation link to the new address, after checking the password (none for a user who has none); the address changes when the link is followed.
         */
        put: operations["requestEmailChange"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/email/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Confirm an e-mail change
         * @description The link of the e-mail change mail, followed by the same user logged in: sets the new address, ends the user's other sessions and redirects.
         */
        get: operations["confirmEmailChange"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/events": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream the changes of items
         * @description A stream of Server-Sent Events: `create` and `update` events carry the item as a GET of it gives it, `delete` events its id and type, for the items of the types asked for that the caller may view when the event is sent. Each event's id is its place in the event log: reconnecting with Last-Event-ID sends the events missed, or a `reload` event when some have left the log (kept for the retention period). A `session-ended` event ends the stream when the caller's session ends; a `profile-changed` event carries the caller's profile when it changes. Comment lines are heartbeats.
         */
        get: operations["streamEvents"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/files": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Upload a file
         * @description Stores the raw body, named by Content-Disposition or ?filename=, or the first file of a multipart form. The file stays the uploader's until content holds it.
         */
        post: operations["uploadFile"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/health/live": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Liveness
         * @description Answers as long as the process serves requests; checks nothing else. Cheap enough to poll every second.
         */
        get: operations["checkLiveness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/health/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Readiness
         * @description Whether the server can serve: its database answers, its file store is there, and it is not shutting down. 503 lists every check that failed. Cheap enough to poll every second.
         */
        get: operations["checkReadiness"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/identities": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's identities at providers
         * @description The identities at OpenID Connect providers linked to the caller's account, oldest first.
         */
        get: operations["listIdentities"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/identities/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Unlink an identity
         * @description Unlinks one of the caller's identities, unless it is their last way to sign in (no password, no other identity, no passkey): 409.
         */
        delete: operations["unlinkIdentity"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Authentication info
         * @description Whether the caller is logged in, and if so their user.
         */
        get: operations["getAuthInfo"];
        /**
         * Log in
         * @description Checks the e-mail address (any case) and password, starts a session and sets its cookie. Wrong or inactive: 400. For a user with a second factor, no session starts: the answer is a pending login (status second_factor), which PUT /-/login/totp completes. With "token": true the answer also carries the session's token, to send as a bearer token.
         */
        put: operations["login"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/login/code": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sign in with a mailed code or link
         * @description Signs in with the address and the mailed code, or with the token of the mailed link, once; for a user with a second factor the answer is a pending login (see PUT /-/login/totp). Every failure is 400 on code (or link); 5 wrong codes kill the code. Rate limited like logins.
         */
        put: operations["loginWithCode"];
        /**
         * Mail a sign-in code and link
         * @description Mails a short code and a link that sign in, once, within the configured time, to the address when it belongs to an active user; a new request kills the previous code. Other addresses get the same answer and no mail. Rate limited like reset requests.
         */
        post: operations["requestLoginCode"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/login/code/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a sign-in link
         * @description The link of the sign-in mail: redirects to the page that completes the sign-in with the token (PUT /-/login/code), without using it, so that a mail scanner following links signs nobody in.
         */
        get: operations["followLoginCodeLink"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/login/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Complete a login with the second factor
         * @description Completes the pending login that a login answered (status second_factor) with a current code or a recovery code, starts the session and sets its cookie. A pending login works once and dies after 5 wrong codes or 5 minutes (404: log in again); a code accepted before is refused. Rate limited like logins, per user.
         */
        put: operations["completeLogin"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/logout": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Log out
         * @description Ends the caller's session, if any, and clears its cookie. The body may be empty.
         */
        put: operations["logout"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/oidc/{provider}/callback": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Return from a provider
         * @description Where the provider sends the browser back (the redirect URI to register at the provider). Signs in or links, then redirects to the sign-in target (a user with a second factor to the second-factor target, with the pending login's token); a failure redirects to the sign-in error target with the reason: state, denied, token, email, linked, inactive, session or unavailable.
         */
        get: operations["finishOIDC"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/oidc/{provider}/link": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Link an identity at a provider
         * @description Signed in, from backrest's own pages: redirects to the provider; back at the callback the identity is linked to the caller's account.
         */
        get: operations["startOIDCLink"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/oidc/{provider}/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Sign in with a provider
         * @description Redirects to the provider (authorization code flow with PKCE, state and nonce), with the state kept in a short-lived cookie. Back at the callback, an identity linked before signs its user in; a new one is linked to the account of its address only when the provider says the address is verified, else a new active account is made. A provider that cannot be reached redirects to the sign-in error target.
         */
        get: operations["startOIDCLogin"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/openapi.json": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * This document
         * @description The OpenAPI 3.1 document of the API, with the schemas of the content types.
         */
        get: operations["getOpenAPIDocument"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/passkeys": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The caller's passkeys
         * @description The caller's passkeys, oldest first, with when each last signed in.
         */
        get: operations["listPasskeys"];
        put?: never;
        /**
         * Register a passkey
         * @description Verifies the credential created with the options of POST /-/webauthn/register/options and stores it.
         */
        post: operations["registerPasskey"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/passkeys/{id}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * Remove a passkey
         * @description Removes one of the caller's passkeys, unless it is their last way to sign in: 409.
         */
        delete: operations["removePasskey"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/password": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Change the password
         * @description Changes the caller's password; the current one is required unless the user has none yet. The caller's other sessions end.
         */
        put: operations["changePassword"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/reset": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request a password reset mail
         * @description The same as POST /-/reset/.
         */
        post: operations["requestPasswordResetNoSlash"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/reset/": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Request a password reset mail
         * @description Mails a reset link to the address when it belongs to an active user, and an unconfirmed address its confirmation link again; other addresses get the same answer and no mail.
         */
        post: operations["requestPasswordReset"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/reset/{token}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Follow a reset link
         * @description The link of the reset mail: redirects to the reset form with the token.
         */
        get: operations["followResetLink"];
        /**
         * Set a new password with a reset token
         * @description Sets the password of the token's user and ends all of their sessions. The token works once.
         */
        put: operations["resetPassword"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/signin": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The ways to sign in without a password
         * @description Whether passkeys work (the base URL must name a domain), and the OpenID Connect providers users may sign in with, each with the links that start a sign-in and a link of an identity.
         */
        get: operations["getSigninMethods"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/signup": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Confirm a sign-up
         * @description The link of the confirmation mail: activates the user, logs them in (not when the link is followed from another site) and redirects to the sign-up target. With session=token (an app opening the link itself) it answers 200 with the user and the session's token instead, and sets no cookie.
         */
        get: operations["confirmSignup"];
        put?: never;
        /**
         * Sign up
         * @description Creates an inactive user and mails a confirmation link; sets no session.
         */
        post: operations["signup"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/userprofile": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Read a profile
         * @description The caller's profile; admins may read another user's with ?email=.
         */
        get: operations["getProfile"];
        /**
         * Change the profile
         * @description Changes the caller's first and last names; only the keys sent change.
         */
        put: operations["updateProfile"];
        /**
         * Delete the caller's account
         * @description Deletes the caller's account and sessions after checking the password (none for a user who has none, who signs in with a provider or a passkey).
         */
        post: operations["deleteAccount"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/userprofile/sessions": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List the caller's sessions
         * @description The unexpired sessions of the caller (their devices), the last used first, with the caller's own marked current. A session's last use, client address and user agent are recorded at most once a minute.
         */
        get: operations["listSessions"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/userprofile/sessions/{session}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        post?: never;
        /**
         * End one of the caller's sessions
         * @description Ends the session: its token no longer works. Ending the caller's own session logs out and clears the cookie.
         */
        delete: operations["endSession"];
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/userprofile/totp": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * The state of the second factor
         * @description Whether the caller's TOTP second factor is enabled, and how many recovery codes are left.
         */
        get: operations["getTOTP"];
        /**
         * Confirm and enable the second factor
         * @description Enables the secret begun with POST when code is its current code, ends the caller's other sessions, and answers the 10 recovery codes, shown this once: each works once instead of a code. Rate limited like logins.
         */
        put: operations["confirmTOTP"];
        /**
         * Begin enrolling a second factor
         * @description Makes a new TOTP secret, shown this once, for an authenticator app; it is enabled when a first code confirms it (PUT). Asking again replaces an unconfirmed secret. The password is required unless the user has none. An enabled second factor: 409.
         */
        post: operations["beginTOTP"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/userprofile/totp/disable": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Disable the second factor
         * @description Removes the caller's second factor and recovery codes, proven by one of code, recovery_code or password. No second factor: 409. Rate limited like logins.
         */
        post: operations["disableTOTP"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/webauthn/login": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        /**
         * Sign in with a passkey
         * @description Verifies the assertion got with the options of POST /-/webauthn/login/options and starts a session of the passkey's user. A credential that does not verify: 400 (credential). Failures count against the login limits of the client address.
         */
        put: operations["passkeyLogin"];
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/webauthn/login/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Begin signing in with a passkey
         * @description The options for navigator.credentials.get, naming no user: the authenticator offers its passkeys. Its challenge works once, for five minutes. 404 when the server has no passkeys (its base URL names no domain), as for the other passkey calls.
         */
        post: operations["passkeyLoginOptions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/-/webauthn/register/options": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Begin registering a passkey
         * @description The options for navigator.credentials.create: a discoverable credential for the caller. Its challenge works once, for five minutes.
         */
        post: operations["passkeyRegistrationOptions"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        AdminFile: {
            /** Format: date-time */
            created: string;
            filename: string;
            id: number;
            item: null | {
                field: string;
                id: number;
                type: string;
                /** Format: uri */
                url: string;
            };
            mimetype: string;
            owner: string;
            size: number;
            /** Format: uri */
            url: string;
            uuid: string;
        };
        AdminStats: {
            files: {
                bytes: number;
                count: number;
            };
            /** @description The number of items of each type */
            items: {
                [key: string]: number;
            };
            users: {
                active: number;
                admins: number;
                pending: number;
                total: number;
            };
        };
        AdminUser: {
            __meta__: {
                /** Format: uri */
                url: string;
            };
            active: boolean;
            /** Format: date-time */
            created: string;
            email: string;
            firstname: string;
            id: string;
            lastname: string;
            /** Format: date-time */
            modified: string;
            /** @description A sign-up that was never confirmed */
            pending: boolean;
            roles: string[];
            short_id: string;
        };
        AppInfo: {
            authenticated: boolean;
            debug: boolean;
            user?: components["schemas"]["User"];
            version: string;
        };
        Category: {
            group: string | null;
            title: string;
        };
        Deleted: Record<string, never>;
        Error: {
            errors: {
                description: string;
                /** @enum {unknown} */
                location: "body" | "querystring" | "path" | "header" | "cookie";
                name: string;
            }[];
            /** @constant */
            status: "error";
        };
        /** @description A stored file */
        File: {
            filename: string;
            id: number;
            mimetype: string;
            size: number;
            /** Format: uri */
            url: string;
            uuid: string;
        };
        FileInput: {
            /** @description A data URL: data:MIME;base64,… */
            data: string;
            filename?: string;
        } | number;
        /** @description An identity at an OpenID Connect provider, linked to the user */
        Identity: {
            /** Format: date-time */
            created: string;
            /** @description The address the provider gave when it was linked */
            email: string;
            id: number;
            provider: string;
            /** @description The provider's id of the account */
            subject: string;
        };
        Meta: {
            actions: ("view" | "edit" | "delete")[];
            /** Format: uri */
            url: string;
        };
        /** @description A passkey (WebAuthn credential) of the user */
        Passkey: {
            /** Format: date-time */
            created: string;
            id: number;
            /** Format: date-time */
            last_used: string | null;
            name: string;
        };
        /** @description A user's profile: the user, and whether it has a password */
        Profile: components["schemas"]["User"] & {
            /** @description Whether the user has a password; one who signed up with a provider or a passkey has none until setting one, and gives none to confirm a change */
            has_password: boolean;
        };
        /** @description A login waiting for its second factor: no session yet */
        SecondFactorPending: {
            /**
             * Format: date-time
             * @description When the pending login dies
             */
            expires: string;
            methods: ("totp" | "recovery_code")[];
            /** @description Send it back to PUT /-/login/totp with the code */
            pending: string;
            /** @constant */
            status: "second_factor";
        };
        /** @description A session: a device where the user is logged in */
        Session: {
            __meta__: {
                /** Format: uri */
                url: string;
            };
            /** @description The client address of its last recorded use (empty if unknown) */
            client_addr: string;
            /** Format: date-time */
            created: string;
            /** @description Whether it is the caller's own session */
            current: boolean;
            /** Format: date-time */
            expires: string;
            id: string;
            /**
             * Format: date-time
             * @description When it was last used, to within a minute
             */
            last_used: string;
            /** @description The user agent of its last recorded use, cut to 256 characters */
            user_agent: string;
        };
        Success: {
            /** @constant */
            status: "success";
        };
        TypeAnnouncement: {
            __meta__: components["schemas"]["Meta"];
            /** Format: date-time */
            creation_date: string;
            description: string;
            /** @description Unique across all content */
            id: number;
            /** @enum {integer} */
            level: 1 | 2 | 3;
            /** Format: date-time */
            modification_date: string;
            /** @description The id of the user who created the item */
            owner: string;
            title: string;
            /** @constant */
            type: "announcement";
        };
        TypeAnnouncementCreate: {
            description?: string | null;
            /** @enum {integer} */
            level: 1 | 2 | 3;
            title: string;
        };
        TypeAnnouncementUpdate: {
            description?: string | null;
            /** @enum {integer} */
            level?: 1 | 2 | 3;
            title?: string;
        };
        /** @description A comment on a document: deleting the document deletes its comments */
        TypeComment: {
            __meta__: components["schemas"]["Meta"] & {
                /** @description The related items that ?expand= asks for, by relation; nested expansions are in their own __meta__ */
                expand?: {
                    /** @description The newest comments whose reply_to holds this comment and that the caller may view */
                    "comments(reply_to)"?: components["schemas"]["TypeComment"][];
                    /** @description The document of document, null when unset or when the caller may not view it */
                    document?: components["schemas"]["TypeDocument"] | null;
                    /** @description The comment of reply_to, null when unset or when the caller may not view it */
                    reply_to?: components["schemas"]["TypeComment"] | null;
                };
            };
            body: string;
            /** Format: date-time */
            creation_date: string;
            description: string;
            /** @description The id of a document */
            document: number;
            /** @description Unique across all content */
            id: number;
            /** Format: date-time */
            modification_date: string;
            /** @description The id of the user who created the item */
            owner: string;
            /** @description The id of a comment */
            reply_to: number | null;
            title: string;
            /** @constant */
            type: "comment";
        };
        TypeCommentCreate: {
            body: string;
            description?: string | null;
            /** @description The id of a document */
            document: number;
            /** @description The id of a comment */
            reply_to?: number | null;
            title: string;
        };
        TypeCommentUpdate: {
            body?: string;
            description?: string | null;
            /** @description The id of a document */
            document?: number;
            /** @description The id of a comment */
            reply_to?: number | null;
            title?: string;
        };
        /** @description Private notes: only their owner (and admins) see them */
        TypeDiary: {
            __meta__: components["schemas"]["Meta"];
            /** Format: date-time */
            creation_date: string;
            description: string;
            /** @description Unique across all content */
            id: number;
            /** Format: date-time */
            modification_date: string;
            /** @enum {string|null} */
            mood: "good" | "bad" | null;
            /** @description The id of the user who created the item */
            owner: string;
            title: string;
            /** @constant */
            type: "diary";
        };
        TypeDiaryCreate: {
            description?: string | null;
            /** @enum {string|null} */
            mood?: "good" | "bad" | null;
            title: string;
        };
        TypeDiaryUpdate: {
            description?: string | null;
            /** @enum {string|null} */
            mood?: "good" | "bad" | null;
            title?: string;
        };
        /** @description A page of text with an optional attachment */
        TypeDocument: {
            __meta__: components["schemas"]["Meta"] & {
                /** @description The related items that ?expand= asks for, by relation; nested expansions are in their own __meta__ */
                expand?: {
                    /** @description The newest comments whose document holds this document and that the caller may view */
                    "comments(document)"?: components["schemas"]["TypeComment"][];
                    /** @description The newest documents whose related holds this document and that the caller may view */
                    "documents(related)"?: components["schemas"]["TypeDocument"][];
                    /** @description The document items of related that the caller may view, in order */
                    related?: components["schemas"]["TypeDocument"][];
                    /** @description The user of reviewer, null when unset; email and roles only for the user and admins */
                    reviewer?: {
                        email?: string;
                        firstname: string;
                        id: string;
                        lastname: string;
                        roles?: string[];
                        short_id: string;
                    } | null;
                };
            };
            attachment: components["schemas"]["File"] | null;
            body: string | null;
            categories: string[];
            /** Format: date-time */
            creation_date: string;
            description: string;
            /** @description Unique across all content */
            id: number;
            /** Format: date-time */
            modification_date: string;
            /** @description The id of the user who created the item */
            owner: string;
            pinned: boolean | null;
            priority: number | null;
            /** Format: date-time */
            published_at: string | null;
            rating: number | null;
            /** @description Other documents to read next, in order */
            related: number[];
            /** @description Who reviews the page */
            reviewer: string | null;
            /** @description Any JSON value */
            settings: unknown;
            /** @description The page's name in URLs */
            slug: string;
            /** @enum {string|null} */
            status: "draft" | "published" | null;
            title: string;
            /** @constant */
            type: "document";
        };
        TypeDocumentCreate: {
            attachment?: components["schemas"]["FileInput"] | null;
            body?: string | null;
            categories?: string[] | null;
            description?: string | null;
            pinned?: boolean | null;
            priority?: number | null;
            /** Format: date-time */
            published_at?: string | null;
            rating?: number | null;
            /** @description Other documents to read next, in order */
            related?: number[];
            /** @description Who reviews the page */
            reviewer?: string | null;
            /** @description Any JSON value */
            settings?: unknown;
            /** @description The page's name in URLs */
            slug: string;
            /** @enum {string|null} */
            status?: "draft" | "published" | null;
            title: string;
        };
        TypeDocumentUpdate: {
            attachment?: components["schemas"]["FileInput"] | null;
            body?: string | null;
            categories?: string[] | null;
            description?: string | null;
            pinned?: boolean | null;
            priority?: number | null;
            /** Format: date-time */
            published_at?: string | null;
            rating?: number | null;
            /** @description Other documents to read next, in order */
            related?: number[];
            /** @description Who reviews the page */
            reviewer?: string | null;
            /** @description Any JSON value */
            settings?: unknown;
            /** @description The page's name in URLs */
            slug?: string;
            /** @enum {string|null} */
            status?: "draft" | "published" | null;
            title?: string;
        };
        User: {
            email: string;
            firstname: string;
            id: string;
            lastname: string;
            roles: string[];
            short_id: string;
        };
        Webhook: {
            __meta__: {
                /** Format: uri */
                deliveries: string;
                /** Format: uri */
                url: string;
            };
            active: boolean;
            /** Format: date-time */
            created: string;
            id: number;
            kinds: ("create" | "update" | "delete")[];
            /** Format: date-time */
            modified: string;
            /** @description Only when generated: at creation without a secret, and at rotation */
            secret?: string;
            status: {
                /** @description Deliveries given up on, kept for the event retention period */
                failed: number;
                last_delivered: string | null;
                last_delivered_event: number | null;
                last_error: string | null;
                last_error_at: string | null;
                /** @description Events that may have left the log before they were queued */
                missed: number;
                next_attempt: string | null;
                /** @description Deliveries waiting to be acknowledged */
                pending: number;
                /** @description The last event of the log considered for the webhook */
                queued_to: number;
            };
            /** @description The content types covered; empty: every type */
            types: string[];
            /** Format: uri */
            url: string;
        };
        WebhookDelivery: {
            attempts: number;
            /**
             * Format: date-time
             * @description When the delivery was queued
             */
            created: string;
            /** @description The event's id in the log, sent as X-Backrest-Event */
            event: number;
            finished: string | null;
            id: number;
            item: number;
            /** @enum {unknown} */
            kind: "create" | "update" | "delete";
            last_error: string | null;
            last_status: number | null;
            next_attempt: string | null;
            /**
             * Format: date-time
             * @description When the change was made
             */
            occurred: string;
            /** @enum {unknown} */
            state: "pending" | "delivered" | "failed";
            type: string;
        };
    };
    responses: {
        /** @description Error */
        Error: {
            headers: {
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
        /** @description Too many requests: the caller is rate limited */
        TooManyRequests: {
            headers: {
                /** @description Seconds to wait before asking again */
                "Retry-After": number;
                [name: string]: unknown;
            };
            content: {
                "application/json": components["schemas"]["Error"];
            };
        };
    };
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    getAppInfo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The app's info */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AppInfo"];
                };
            };
            500: components["responses"]["Error"];
        };
    };
    downloadFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The file's uuid followed by ~ */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The bytes, with the stored content type */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            /** @description The requested range */
            206: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "*/*": string;
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    deleteFile: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The file's uuid followed by ~ */
                file: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The file is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminListFiles: {
        parameters: {
            query?: {
                /** @description The page size, 1 to 1000 (default 50) */
                limit?: number;
                /** @description How many to skip */
                offset?: number;
                /** @description Only the files uploaded by this user */
                owner?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of files */
            200: {
                headers: {
                    /** @description The next page: <URL>; rel="next" */
                    Link?: string;
                    /** @description The number over all pages */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminFile"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminStats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The counts */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminStats"];
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminListUsers: {
        parameters: {
            query?: {
                /** @description Only active (true) or inactive (false) users */
                active?: boolean;
                /** @description The page size, 1 to 1000 (default 50) */
                limit?: number;
                /** @description How many to skip */
                offset?: number;
                /** @description A part of the address, first or last name, in any case */
                q?: string;
                /** @description Only users with this role */
                role?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of users */
            200: {
                headers: {
                    /** @description The next page: <URL>; rel="next" */
                    Link?: string;
                    /** @description The number over all pages */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminCreateUser: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @default true */
                    active?: boolean;
                    email: string;
                    firstname?: string;
                    lastname?: string;
                    password?: string;
                    roles?: string[];
                    /** @description Mail the user a link to set the password */
                    send_reset?: boolean;
                };
            };
        };
        responses: {
            /** @description The new user */
            201: {
                headers: {
                    /** @description The user's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminGetUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminUpdateUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    active?: boolean;
                    email?: string;
                    firstname?: string;
                    lastname?: string;
                    roles?: string[];
                };
            };
        };
        responses: {
            /** @description The changed user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AdminUser"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminDeleteUser: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminEndSessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The sessions are ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminResendConfirmation: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description The mail is on its way */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminListSessions: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"][];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminEndSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
                /** @description The session's id */
                session: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session is ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminResetTOTP: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The user's id */
                id: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The second factor is removed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminListWebhooks: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The webhooks */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"][];
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminCreateWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Whether events are delivered (they are queued meanwhile); default true */
                    active?: boolean;
                    /** @description The kinds of change covered; absent at creation: all three */
                    kinds?: ("create" | "update" | "delete")[];
                    /** @description Replace the secret by a generated one, shown in the answer, once */
                    rotate_secret?: boolean;
                    /** @description The key of the signatures; absent at creation: one is generated and shown in the answer, once */
                    secret?: string;
                    /** @description The names (or plurals) of the content types covered; empty or absent at creation: every type */
                    types?: string[];
                    /**
                     * Format: uri
                     * @description Where events are POSTed: an http:// or https:// URL
                     */
                    url: string;
                };
            };
        };
        responses: {
            /** @description The new webhook, with its secret when it was generated */
            201: {
                headers: {
                    /** @description The webhook's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminGetWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The webhook's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The webhook */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminUpdateWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The webhook's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description Whether events are delivered (they are queued meanwhile); default true */
                    active?: boolean;
                    /** @description The kinds of change covered; absent at creation: all three */
                    kinds?: ("create" | "update" | "delete")[];
                    /** @description Replace the secret by a generated one, shown in the answer, once */
                    rotate_secret?: boolean;
                    /** @description The key of the signatures; absent at creation: one is generated and shown in the answer, once */
                    secret?: string;
                    /** @description The names (or plurals) of the content types covered; empty or absent at creation: every type */
                    types?: string[];
                    /**
                     * Format: uri
                     * @description Where events are POSTed: an http:// or https:// URL
                     */
                    url?: string;
                };
            };
        };
        responses: {
            /** @description The changed webhook, with its secret when it was rotated */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Webhook"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminDeleteWebhook: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The webhook's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The webhook is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    adminListWebhookDeliveries: {
        parameters: {
            query?: {
                /** @description The page size, 1 to 1000 (default 50) */
                limit?: number;
                /** @description How many to skip */
                offset?: number;
                /** @description Only the deliveries in this state */
                state?: "pending" | "delivered" | "failed";
            };
            header?: never;
            path: {
                /** @description The webhook's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of deliveries */
            200: {
                headers: {
                    /** @description The next page: <URL>; rel="next" */
                    Link?: string;
                    /** @description The number over all pages */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["WebhookDelivery"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    listAnnouncements: {
        parameters: {
            query?: {
                /** @description Only the items whose creation_date is set and greater than this */
                "creation_date.gt"?: string;
                /** @description Only the items whose creation_date is set and at least this */
                "creation_date.gte"?: string;
                /** @description Only the items whose creation_date is set and less than this */
                "creation_date.lt"?: string;
                /** @description Only the items whose creation_date is set and at most this */
                "creation_date.lte"?: string;
                /** @description Where the page starts: the cursor of the Link header of the page before, valid with the same filters, search and sort */
                cursor?: string;
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
                /** @description Only the items whose level equals this; repeat for any of several */
                level?: 1 | 2 | 3;
                /** @description Only the items whose level is set and greater than this */
                "level.gt"?: 1 | 2 | 3;
                /** @description Only the items whose level is set and at least this */
                "level.gte"?: 1 | 2 | 3;
                /** @description Only the items whose level is set and less than this */
                "level.lt"?: 1 | 2 | 3;
                /** @description Only the items whose level is set and at most this */
                "level.lte"?: 1 | 2 | 3;
                /** @description Page size */
                limit?: number;
                /** @description Only the items whose modification_date is set and greater than this */
                "modification_date.gt"?: string;
                /** @description Only the items whose modification_date is set and at least this */
                "modification_date.gte"?: string;
                /** @description Only the items whose modification_date is set and less than this */
                "modification_date.lt"?: string;
                /** @description Only the items whose modification_date is set and at most this */
                "modification_date.lte"?: string;
                /** @description Number of items skipped; not with cursor. Follow the Link header rather than setting it */
                offset?: number;
                /** @description Only the items of this user */
                owner?: string;
                /** @description Search: only the items whose title, description, string or text fields hold every word (at most 8, of at most 64 characters), as a part of a word or more, regardless of case and accents */
                q?: string;
                /** @description Field to sort by, - for descending; default -creation_date */
                sort?: "id" | "-id" | "title" | "-title" | "creation_date" | "-creation_date" | "modification_date" | "-modification_date" | "level" | "-level";
                /** @description false: no X-Total-Count, nothing counted */
                total?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of announcements */
            200: {
                headers: {
                    /** @description The next page, by cursor: <URL>; rel="next"; absent on the last page */
                    Link?: string;
                    /** @description The number of items over all pages, as counted for the first page (a page by cursor carries it); absent with total=false */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeAnnouncement"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    createAnnouncement: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeAnnouncementCreate"];
            };
        };
        responses: {
            /** @description The new announcement */
            201: {
                headers: {
                    /** @description The item's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeAnnouncement"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getAnnouncement: {
        parameters: {
            query?: {
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
            };
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The announcement */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeAnnouncement"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    updateAnnouncement: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeAnnouncementUpdate"];
            };
        };
        responses: {
            /** @description The changed announcement */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeAnnouncement"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    deleteAnnouncement: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The announcement is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    listCategories: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The categories */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Category"][];
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    listComments: {
        parameters: {
            query?: {
                /** @description Only the items whose creation_date is set and greater than this */
                "creation_date.gt"?: string;
                /** @description Only the items whose creation_date is set and at least this */
                "creation_date.gte"?: string;
                /** @description Only the items whose creation_date is set and less than this */
                "creation_date.lt"?: string;
                /** @description Only the items whose creation_date is set and at most this */
                "creation_date.lte"?: string;
                /** @description Where the page starts: the cursor of the Link header of the page before, valid with the same filters, search and sort */
                cursor?: string;
                /** @description Only the items whose document equals this; repeat for any of several */
                document?: number;
                /** @description Only the items whose document holds a document (that the caller may view) whose pinned equals this; repeat for any of several */
                "document.pinned"?: "true" | "false" | "1" | "0";
                /** @description Only the items whose document holds a document (that the caller may view) whose priority equals this; repeat for any of several */
                "document.priority"?: number;
                /** @description Only the items whose document holds a document (that the caller may view) whose published_at equals this; repeat for any of several */
                "document.published_at"?: string;
                /** @description Only the items whose document holds a document (that the caller may view) whose rating equals this; repeat for any of several */
                "document.rating"?: number;
                /** @description Only the items whose document holds a document (that the caller may view) whose reviewer equals this; repeat for any of several */
                "document.reviewer"?: string;
                /** @description Only the items whose document holds a document (that the caller may view) whose slug equals this; repeat for any of several */
                "document.slug"?: string;
                /** @description Only the items whose document holds a document (that the caller may view) whose status equals this; repeat for any of several */
                "document.status"?: "draft" | "published";
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
                /** @description Page size */
                limit?: number;
                /** @description Only the items whose modification_date is set and greater than this */
                "modification_date.gt"?: string;
                /** @description Only the items whose modification_date is set and at least this */
                "modification_date.gte"?: string;
                /** @description Only the items whose modification_date is set and less than this */
                "modification_date.lt"?: string;
                /** @description Only the items whose modification_date is set and at most this */
                "modification_date.lte"?: string;
                /** @description Number of items skipped; not with cursor. Follow the Link header rather than setting it */
                offset?: number;
                /** @description Only the items of this user */
                owner?: string;
                /** @description Search: only the items whose title, description, string or text fields hold every word (at most 8, of at most 64 characters), as a part of a word or more, regardless of case and accents */
                q?: string;
                /** @description Only the items whose reply_to equals this; repeat for any of several */
                reply_to?: number;
                /** @description Only the items whose reply_to holds a comment (that the caller may view) whose document equals this; repeat for any of several */
                "reply_to.document"?: number;
                /** @description Only the items whose reply_to holds a comment (that the caller may view) whose reply_to equals this; repeat for any of several */
                "reply_to.reply_to"?: number;
                /** @description Field to sort by, - for descending; default -creation_date */
                sort?: "id" | "-id" | "title" | "-title" | "creation_date" | "-creation_date" | "modification_date" | "-modification_date" | "document" | "-document" | "reply_to" | "-reply_to";
                /** @description false: no X-Total-Count, nothing counted */
                total?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of comments */
            200: {
                headers: {
                    /** @description The next page, by cursor: <URL>; rel="next"; absent on the last page */
                    Link?: string;
                    /** @description The number of items over all pages, as counted for the first page (a page by cursor carries it); absent with total=false */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeComment"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    createComment: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeCommentCreate"];
            };
        };
        responses: {
            /** @description The new comment */
            201: {
                headers: {
                    /** @description The item's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeComment"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getComment: {
        parameters: {
            query?: {
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
            };
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The comment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeComment"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    updateComment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeCommentUpdate"];
            };
        };
        responses: {
            /** @description The changed comment */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeComment"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    deleteComment: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The comment is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    listDiaries: {
        parameters: {
            query?: {
                /** @description Only the items whose creation_date is set and greater than this */
                "creation_date.gt"?: string;
                /** @description Only the items whose creation_date is set and at least this */
                "creation_date.gte"?: string;
                /** @description Only the items whose creation_date is set and less than this */
                "creation_date.lt"?: string;
                /** @description Only the items whose creation_date is set and at most this */
                "creation_date.lte"?: string;
                /** @description Where the page starts: the cursor of the Link header of the page before, valid with the same filters, search and sort */
                cursor?: string;
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
                /** @description Page size */
                limit?: number;
                /** @description Only the items whose modification_date is set and greater than this */
                "modification_date.gt"?: string;
                /** @description Only the items whose modification_date is set and at least this */
                "modification_date.gte"?: string;
                /** @description Only the items whose modification_date is set and less than this */
                "modification_date.lt"?: string;
                /** @description Only the items whose modification_date is set and at most this */
                "modification_date.lte"?: string;
                /** @description Only the items whose mood equals this; repeat for any of several */
                mood?: "good" | "bad";
                /** @description Number of items skipped; not with cursor. Follow the Link header rather than setting it */
                offset?: number;
                /** @description Only the items of this user */
                owner?: string;
                /** @description Search: only the items whose title, description, string or text fields hold every word (at most 8, of at most 64 characters), as a part of a word or more, regardless of case and accents */
                q?: string;
                /** @description Field to sort by, - for descending; default -creation_date */
                sort?: "id" | "-id" | "title" | "-title" | "creation_date" | "-creation_date" | "modification_date" | "-modification_date" | "mood" | "-mood";
                /** @description false: no X-Total-Count, nothing counted */
                total?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of diaries */
            200: {
                headers: {
                    /** @description The next page, by cursor: <URL>; rel="next"; absent on the last page */
                    Link?: string;
                    /** @description The number of items over all pages, as counted for the first page (a page by cursor carries it); absent with total=false */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDiary"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    createDiary: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeDiaryCreate"];
            };
        };
        responses: {
            /** @description The new diary */
            201: {
                headers: {
                    /** @description The item's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDiary"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getDiary: {
        parameters: {
            query?: {
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
            };
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The diary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDiary"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    updateDiary: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeDiaryUpdate"];
            };
        };
        responses: {
            /** @description The changed diary */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDiary"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    deleteDiary: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The diary is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    listDocuments: {
        parameters: {
            query?: {
                /** @description Only the items with this category; repeat for any of several */
                category?: string;
                /** @description Only the items whose creation_date is set and greater than this */
                "creation_date.gt"?: string;
                /** @description Only the items whose creation_date is set and at least this */
                "creation_date.gte"?: string;
                /** @description Only the items whose creation_date is set and less than this */
                "creation_date.lt"?: string;
                /** @description Only the items whose creation_date is set and at most this */
                "creation_date.lte"?: string;
                /** @description Where the page starts: the cursor of the Link header of the page before, valid with the same filters, search and sort */
                cursor?: string;
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
                /** @description Page size */
                limit?: number;
                /** @description Only the items whose modification_date is set and greater than this */
                "modification_date.gt"?: string;
                /** @description Only the items whose modification_date is set and at least this */
                "modification_date.gte"?: string;
                /** @description Only the items whose modification_date is set and less than this */
                "modification_date.lt"?: string;
                /** @description Only the items whose modification_date is set and at most this */
                "modification_date.lte"?: string;
                /** @description Number of items skipped; not with cursor. Follow the Link header rather than setting it */
                offset?: number;
                /** @description Only the items of this user */
                owner?: string;
                /** @description Only the items whose pinned equals this; repeat for any of several */
                pinned?: "true" | "false" | "1" | "0";
                /** @description Only the items whose priority equals this; repeat for any of several */
                priority?: number;
                /** @description Only the items whose priority is set and greater than this */
                "priority.gt"?: number;
                /** @description Only the items whose priority is set and at least this */
                "priority.gte"?: number;
                /** @description Only the items whose priority is set and less than this */
                "priority.lt"?: number;
                /** @description Only the items whose priority is set and at most this */
                "priority.lte"?: number;
                /** @description Only the items whose published_at equals this; repeat for any of several */
                published_at?: string;
                /** @description Only the items whose published_at is set and greater than this */
                "published_at.gt"?: string;
                /** @description Only the items whose published_at is set and at least this */
                "published_at.gte"?: string;
                /** @description Only the items whose published_at is set and less than this */
                "published_at.lt"?: string;
                /** @description Only the items whose published_at is set and at most this */
                "published_at.lte"?: string;
                /** @description Search: only the items whose title, description, string or text fields hold every word (at most 8, of at most 64 characters), as a part of a word or more, regardless of case and accents */
                q?: string;
                /** @description Only the items whose rating equals this; repeat for any of several */
                rating?: number;
                /** @description Only the items whose rating is set and greater than this */
                "rating.gt"?: number;
                /** @description Only the items whose rating is set and at least this */
                "rating.gte"?: number;
                /** @description Only the items whose rating is set and less than this */
                "rating.lt"?: number;
                /** @description Only the items whose rating is set and at most this */
                "rating.lte"?: number;
                /** @description Only the items whose related lists this item; repeat for any of several */
                related?: number;
                /** @description Only the items whose related holds a document (that the caller may view) whose pinned equals this; repeat for any of several */
                "related.pinned"?: "true" | "false" | "1" | "0";
                /** @description Only the items whose related holds a document (that the caller may view) whose priority equals this; repeat for any of several */
                "related.priority"?: number;
                /** @description Only the items whose related holds a document (that the caller may view) whose published_at equals this; repeat for any of several */
                "related.published_at"?: string;
                /** @description Only the items whose related holds a document (that the caller may view) whose rating equals this; repeat for any of several */
                "related.rating"?: number;
                /** @description Only the items whose related holds a document (that the caller may view) whose reviewer equals this; repeat for any of several */
                "related.reviewer"?: string;
                /** @description Only the items whose related holds a document (that the caller may view) whose slug equals this; repeat for any of several */
                "related.slug"?: string;
                /** @description Only the items whose related holds a document (that the caller may view) whose status equals this; repeat for any of several */
                "related.status"?: "draft" | "published";
                /** @description Only the items whose reviewer equals this; repeat for any of several */
                reviewer?: string;
                /** @description Only the items whose slug equals this; repeat for any of several */
                slug?: string;
                /** @description Field to sort by, - for descending; default -creation_date */
                sort?: "id" | "-id" | "title" | "-title" | "creation_date" | "-creation_date" | "modification_date" | "-modification_date" | "slug" | "-slug" | "status" | "-status" | "priority" | "-priority" | "rating" | "-rating" | "pinned" | "-pinned" | "published_at" | "-published_at" | "reviewer" | "-reviewer";
                /** @description Only the items whose status equals this; repeat for any of several */
                status?: "draft" | "published";
                /** @description false: no X-Total-Count, nothing counted */
                total?: boolean;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description A page of documents */
            200: {
                headers: {
                    /** @description The next page, by cursor: <URL>; rel="next"; absent on the last page */
                    Link?: string;
                    /** @description The number of items over all pages, as counted for the first page (a page by cursor carries it); absent with total=false */
                    "X-Total-Count"?: number;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDocument"][];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    createDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeDocumentCreate"];
            };
        };
        responses: {
            /** @description The new document */
            201: {
                headers: {
                    /** @description The item's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDocument"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getDocument: {
        parameters: {
            query?: {
                /** @description Relations whose items to embed in __meta__.expand, comma-separated: a relation field, PLURAL(FIELD) for the items of another type that hold this one, and paths of them joined by . (at most 3 steps) */
                expand?: string;
            };
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDocument"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    updateDocument: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["TypeDocumentUpdate"];
            };
        };
        responses: {
            /** @description The changed document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["TypeDocument"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    deleteDocument: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The item's id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The document is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    requestEmailChangeNoSlash: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description The mail is on its way */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    requestEmailChange: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description The mail is on its way */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    confirmEmailChange: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The token of the mailed link */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    streamEvents: {
        parameters: {
            query: {
                /** @description Only the item with this id */
                id?: number;
                /** @description As Last-Event-ID, for clients that cannot send headers; the header wins */
                lastEventId?: number;
                /** @description The plural names of the types, separated by commas */
                types: string;
            };
            header?: {
                /** @description The id of the last event received, to resume after it */
                "Last-Event-ID"?: number;
            };
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stream of events */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "text/event-stream": string;
                };
            };
            400: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    uploadFile: {
        parameters: {
            query?: {
                /** @description The file's name, when the body is raw */
                filename?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "*/*": string;
            };
        };
        responses: {
            /** @description The stored file */
            201: {
                headers: {
                    /** @description The file's URL */
                    Location?: string;
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["File"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    checkLiveness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The server is alive */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            500: components["responses"]["Error"];
        };
    };
    checkReadiness: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The server is ready */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            500: components["responses"]["Error"];
            503: components["responses"]["Error"];
        };
    };
    listIdentities: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The identities */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Identity"][];
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    unlinkIdentity: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Unlinked */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getAuthInfo: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The caller's authentication */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        authenticated: false;
                    } | (components["schemas"]["User"] & {
                        /** @constant */
                        authenticated: true;
                    });
                };
            };
            500: components["responses"]["Error"];
        };
    };
    login: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    login: string;
                    password: string;
                    /** @description Answer with the session's token and its expiry */
                    token?: boolean;
                };
            };
        };
        responses: {
            /** @description Logged in, or waiting for the second factor */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description When the session ends unless used (only with the token)
                         */
                        expires?: string;
                        /** @constant */
                        status: "success";
                        /** @description The session token, for Authorization: Bearer (only when asked for) */
                        token?: string;
                        user: components["schemas"]["User"];
                    } | components["schemas"]["SecondFactorPending"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    loginWithCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    code?: string;
                    email?: string;
                    /** @description The token of the mailed link, instead of email and code */
                    link?: string;
                    /** @description Answer with the session's token and its expiry */
                    token?: boolean;
                };
            };
        };
        responses: {
            /** @description Signed in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description When the session ends unless used (only with the token)
                         */
                        expires?: string;
                        /** @constant */
                        status: "success";
                        /** @description The session token, for Authorization: Bearer (only when asked for) */
                        token?: string;
                        user: components["schemas"]["User"];
                    } | components["schemas"]["SecondFactorPending"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    requestLoginCode: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                };
            };
        };
        responses: {
            /** @description The mail is on its way if the user exists */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    followLoginCodeLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The token of the mailed link */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    completeLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The current code of the authenticator app */
                    code?: string;
                    /** @description The pending token of the login's answer */
                    pending: string;
                    /** @description One of the recovery codes (dashes and case do not matter) */
                    recovery_code?: string;
                    /** @description Answer with the session's token and its expiry */
                    token?: boolean;
                };
            };
        };
        responses: {
            /** @description Logged in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description When the session ends unless used (only with the token)
                         */
                        expires?: string;
                        /** @constant */
                        status: "success";
                        /** @description The session token, for Authorization: Bearer (only when asked for) */
                        token?: string;
                        user: components["schemas"]["User"];
                    } | components["schemas"]["SecondFactorPending"];
                };
            };
            400: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    logout: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": Record<string, never>;
            };
        };
        responses: {
            /** @description Logged out */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    finishOIDC: {
        parameters: {
            query?: {
                /** @description The authorization code */
                code?: string;
                /** @description The provider's error */
                error?: string;
                /** @description The state of the request */
                state?: string;
            };
            header?: never;
            path: {
                /** @description The provider's name */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    startOIDCLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The provider's name */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    startOIDCLogin: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The provider's name */
                provider: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    getOpenAPIDocument: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The OpenAPI document */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": Record<string, never>;
                };
            };
            500: components["responses"]["Error"];
        };
    };
    listPasskeys: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The passkeys */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Passkey"][];
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    registerPasskey: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The credential as PublicKeyCredential.toJSON() gives it */
                    credential: Record<string, never>;
                    /** @description The user's name for the passkey */
                    name?: string;
                };
            };
        };
        responses: {
            /** @description The passkey */
            201: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Passkey"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    removePasskey: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The id */
                id: number;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Removed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            409: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    changePassword: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    current?: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description The password is changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    requestPasswordResetNoSlash: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                };
            };
        };
        responses: {
            /** @description The mail is on its way if the user exists */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    requestPasswordReset: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                };
            };
        };
        responses: {
            /** @description The mail is on its way if the user exists */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    followResetLink: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The token of the mailed link */
                token: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    resetPassword: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The token of the mailed link */
                token: string;
            };
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                };
            };
        };
        responses: {
            /** @description The password is changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getSigninMethods: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The ways to sign in */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        passkeys: boolean;
                        providers: {
                            /** Format: uri */
                            link: string;
                            /** Format: uri */
                            login: string;
                            name: string;
                        }[];
                    };
                };
            };
            500: components["responses"]["Error"];
        };
    };
    confirmSignup: {
        parameters: {
            query: {
                /** @description token: answer with the session's token in JSON instead of the redirect */
                session?: "token";
                /** @description The token of the mailed link */
                token: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Confirmed (with session=token) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description When the session ends unless used (only with the token)
                         */
                        expires?: string;
                        /** @constant */
                        status: "success";
                        /** @description The session token, for Authorization: Bearer (only when asked for) */
                        token?: string;
                        user?: components["schemas"]["User"];
                    };
                };
            };
            /** @description Redirect */
            302: {
                headers: {
                    /** @description The target */
                    Location?: string;
                    [name: string]: unknown;
                };
                content?: never;
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    signup: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    email: string;
                    firstname?: string;
                    lastname?: string;
                    password: string;
                };
            };
        };
        responses: {
            /** @description The mail is on its way */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    getProfile: {
        parameters: {
            query?: {
                /** @description The address of the user to read (admins only) */
                email?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The user */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Profile"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    updateProfile: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    firstname?: string;
                    lastname?: string;
                };
            };
        };
        responses: {
            /** @description The profile is changed */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    deleteAccount: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password: string;
                };
            };
        };
        responses: {
            /** @description The account is deleted */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @constant */
                        message?: "goodbye";
                    };
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    listSessions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The sessions */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Session"][];
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    endSession: {
        parameters: {
            query?: never;
            header?: never;
            path: {
                /** @description The session's id */
                session: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The session is ended */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Deleted"];
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    getTOTP: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The state */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        enabled: boolean;
                        recovery_codes_left: number;
                    };
                };
            };
            403: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    confirmTOTP: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The current code of the authenticator app */
                    code: string;
                };
            };
        };
        responses: {
            /** @description Enabled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        recovery_codes: string[];
                        /** @constant */
                        status: "success";
                    };
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    beginTOTP: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    password?: string;
                };
            };
        };
        responses: {
            /** @description The secret */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /** @description The secret in base32, to type in */
                        secret: string;
                        /**
                         * Format: uri
                         * @description The otpauth:// URL, to show as a QR code
                         */
                        url: string;
                    };
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
    disableTOTP: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The current code of the authenticator app */
                    code?: string;
                    password?: string;
                    /** @description One of the recovery codes (dashes and case do not matter) */
                    recovery_code?: string;
                };
            };
        };
        responses: {
            /** @description Disabled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["Success"];
                };
            };
            400: components["responses"]["Error"];
            403: components["responses"]["Error"];
            409: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    passkeyLogin: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": {
                    /** @description The credential as PublicKeyCredential.toJSON() gives it */
                    credential: Record<string, never>;
                    /** @description Answer with the session's token and its expiry */
                    token?: boolean;
                };
            };
        };
        responses: {
            /** @description Signed in, or waiting for the second factor */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        /**
                         * Format: date-time
                         * @description When the session ends unless used (only with the token)
                         */
                        expires?: string;
                        /** @constant */
                        status: "success";
                        /** @description The session token, for Authorization: Bearer (only when asked for) */
                        token?: string;
                        user: components["schemas"]["User"];
                    } | components["schemas"]["SecondFactorPending"];
                };
            };
            400: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    passkeyLoginOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The request options */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        publicKey: Record<string, never>;
                    };
                };
            };
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            429: components["responses"]["TooManyRequests"];
            500: components["responses"]["Error"];
        };
    };
    passkeyRegistrationOptions: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The creation options */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": {
                        publicKey: Record<string, never>;
                    };
                };
            };
            403: components["responses"]["Error"];
            404: components["responses"]["Error"];
            413: components["responses"]["Error"];
            415: components["responses"]["Error"];
            500: components["responses"]["Error"];
        };
    };
}
